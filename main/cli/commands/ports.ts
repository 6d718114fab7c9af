/**
 * `flashback ports [--json]`: serial ports with their USB bridge, and the virtual boards. Remote ports
 * (socket://, rfc2217://) cannot be listed, so the output says how to give one.
 */
// Straight from the modules it needs, not main/transport's index (which loads every kind of link).
import { startBaudFor } from '../../transport/bridges.js';
import { adapterKeyOf, listPorts, type PortInfo } from '../../transport/list-ports.js';
import type { CliCommand } from '../command.js';

function table(ports: PortInfo[]): string[] {
  // A port without a USB id (a built-in UART) has no bridge to name: "-" rather than "unknown".
  const rows = ports.map((p) => [p.path, p.virtual || p.vendorId ? p.bridge : '-', p.label]);
  const w0 = Math.max(4, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max(6, ...rows.map((r) => r[1]!.length));
  const line = (r: string[]) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`;
  return [line(['PORT', 'BRIDGE', 'DESCRIPTION']), ...rows.map(line)];
}

export const REMOTE_NOTE =
  'Remote ports are not listed: give --port socket://HOST:PORT (raw TCP: ser2net raw, ESP-Link) or ' +
  'rfc2217://HOST:PORT (RFC 2217: remote baud and DTR/RTS reset, e.g. ser2net telnet(rfc2217)).';

export const portsCommand: CliCommand = {
  name: 'ports',
  summary: 'List serial ports (with their USB bridge) and the virtual boards',
  usage: 'flashback ports [--json]',
  options: {},
  async run(ctx) {
    const ports = await listPorts();
    const hardware = ports.filter((p) => !p.virtual);
    if (!hardware.some((p) => p.vendorId)) {
      ctx.out(
        'No USB-serial ports found (check the cable — some are charge-only — and the CH340/CP210x/FTDI driver).',
      );
    }
    for (const l of table(ports)) ctx.out(l);
    for (const p of hardware) {
      // The rate backup/restore/write would start at (board-session.ts): remembered, else the adapter's.
      // Settings (and their schemas) load only when there is a USB adapter to look up.
      const key = adapterKeyOf(p);
      const remembered = key
        ? await (await import('../../settings.js')).rememberedBaud(key).catch(() => undefined)
        : undefined;
      if (p.vendorId)
        ctx.out(
          `${p.path}: bulk transfers start at ${remembered ?? startBaudFor(p.bridge)} baud (${remembered ? 'the rate that last worked' : "this adapter's default"}), stepping down if it fails`,
        );
      for (const n of p.notes ?? []) ctx.out(`${p.path}: note: ${n}`);
    }
    ctx.out(REMOTE_NOTE);
    return { ports };
  },
};
