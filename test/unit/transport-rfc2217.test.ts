/**
 * The RFC 2217 link's byte-level pieces (telnet decoding across TCP segments, escaped subnegotiations),
 * and the lines reaching a board: a minimal RFC 2217 server over real TCP maps SET-CONTROL and
 * SET-BAUDRATE onto a virtual board's wire, so a board that is NOT strapped into download mode is only
 * reached if the DTR/RTS reset sequence arrives intact. ser2net itself is in
 * test/integration/transport-rfc2217.test.ts.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

useTempHome();
const { CPO, IAC, OPT_COM_PORT, TelnetDecoder, comPortCommand, escapeIac } =
  await import('../../main/transport/rfc2217-link.js');
const { openLink } = await import('../../main/transport/index.js');
const { detectBoard } = await import('../../main/flash/index.js');
const { VirtualBoard } = await import('../../main/sim/index.js');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('telnet framing', () => {
  it('escapes 0xFF and decodes it back, split anywhere', () => {
    const data = Uint8Array.of(1, 0xff, 0xff, 2, 0xff);
    const wire = escapeIac(data);
    expect(Array.from(wire)).toEqual([1, 0xff, 0xff, 0xff, 0xff, 2, 0xff, 0xff]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new TelnetDecoder();
      const a = d.push(wire.subarray(0, cut));
      const b = d.push(wire.subarray(cut));
      expect([...a.data, ...b.data]).toEqual(Array.from(data));
    }
  });

  it('builds and reads a SET-BAUDRATE subnegotiation whose value holds 0xFF', () => {
    const value = Uint8Array.of(0x00, 0x0e, 0x10, 0xff);
    const cmd = comPortCommand(CPO.SET_BAUDRATE, value);
    expect(Array.from(cmd)).toEqual([IAC, 0xfa, 44, 1, 0x00, 0x0e, 0x10, 0xff, 0xff, IAC, 0xf0]);
    const d = new TelnetDecoder();
    const parts = [Uint8Array.of(7, IAC, 0xfb), Uint8Array.of(3, ...cmd.subarray(0, 8)), cmd.subarray(8)];
    const out = parts.map((p) => d.push(p));
    expect(out.flatMap((o) => [...o.data])).toEqual([7]);
    expect(out.flatMap((o) => o.events)).toEqual([
      { kind: 'negotiate', verb: 0xfb, option: 3 },
      { kind: 'sub', option: OPT_COM_PORT, payload: Uint8Array.of(1, ...value) },
    ]);
  });
});

/** Just enough RFC 2217 server to put a virtual board behind TCP with working DTR/RTS and baud. */
async function serveBoard(board: InstanceType<typeof VirtualBoard>, answerControl = true): Promise<string> {
  const seen: number[][] = [];
  const server = net.createServer((sock) => {
    const wire = board.wire();
    const dec = new TelnetDecoder();
    const lines = { dtr: false, rts: false };
    wire.onBoardData((c) => sock.write(escapeIac(c)));
    sock.on('data', (chunk) => {
      const { data, events } = dec.push(new Uint8Array(chunk));
      for (const e of events) {
        if (e.kind === 'negotiate' && e.verb === 0xfb && e.option === OPT_COM_PORT)
          sock.write(Uint8Array.of(IAC, 0xfd, OPT_COM_PORT));
        if (e.kind !== 'sub') continue;
        const [cmd, ...v] = e.payload;
        seen.push([cmd!, ...v]);
        if (cmd === CPO.SET_BAUDRATE) wire.setHostBaud(Buffer.from(v).readUInt32BE(0));
        if (cmd === CPO.SET_CONTROL && v[0]! >= 8) {
          if (!answerControl) continue;
          if (v[0] === 8 || v[0] === 9) lines.dtr = v[0] === 8;
          if (v[0] === 11 || v[0] === 12) lines.rts = v[0] === 11;
          wire.setSignals({ ...lines });
        }
        sock.write(comPortCommand(cmd! + 100, Uint8Array.from(v)));
      }
      if (data.length > 0) wire.hostWrite(data);
    });
    sock.on('close', () => wire.detach());
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return `rfc2217://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe('DTR/RTS and baud over RFC 2217', () => {
  it('resets a board that boots its firmware into the ROM loader, and changes baud', async () => {
    // Run mode: only the DTR/RTS sequence (GPIO0 low while EN rises) reaches the ROM loader.
    const board = new VirtualBoard({ pace: false, bootMode: 'run', mac: '18:fe:34:00:21:17' });
    cleanups.push(() => board.close());
    const url = await serveBoard(board);
    const info = await detectBoard({ port: url });
    expect(info).toMatchObject({ chip: 'ESP8266EX', mac: '18:fe:34:00:21:17', bridge: 'rfc2217' });

    const link = await openLink(url, { baud: 115200 });
    cleanups.push(() => link.close());
    await link.setBaud(460800);
    expect(link.baud).toBe(460800);
    await link.setSignals({ dtr: true, rts: false });
    expect(link.capabilities.controlLines).toBe(true);
  });

  it('a server that ignores SET-CONTROL leaves the link without control lines, not hung', async () => {
    const board = new VirtualBoard({ pace: false, bootMode: 'download' });
    cleanups.push(() => board.close());
    const link = await openLink(await serveBoard(board, false), { baud: 115200 });
    cleanups.push(() => link.close());
    const t0 = Date.now();
    await link.setSignals({ dtr: false, rts: true });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(link.capabilities.controlLines).toBe(false);
  });
});
