/**
 * Port specs (DESIGN.md "Ports"): one string, the same in the CLI, the UI and tests.
 *   /dev/ttyUSB0, /dev/cu.usbserial-1410, COM3   → serial device (serialport)
 *   socket://HOST:PORT                            → raw TCP (ser2net, ESP-Link, `flashback sim --listen`)
 *   rfc2217://HOST:PORT                           → telnet + RFC 2217: remote baud and DTR/RTS (ser2net, esp_rfc2217_server)
 *   virtual:NAME                                  → in-process virtual board
 */
import { FlashbackError } from '../errors.js';

export type PortSpec =
  | { kind: 'serial'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rfc2217'; host: string; port: number }
  | { kind: 'virtual'; name: string };

const EXAMPLES =
  'e.g. /dev/ttyUSB0, COM3, socket://127.0.0.1:4000, rfc2217://192.168.1.5:2217 or virtual:good';

function bad(spec: string, why: string): FlashbackError {
  return new FlashbackError(
    'BAD_PORT_SPEC',
    `Bad port "${spec}": ${why}`,
    `Give a port as ${EXAMPLES}; list them with \`flashback ports\`.`,
  );
}

/** Parses a port spec; throws BAD_PORT_SPEC (with an example) for anything malformed. */
export function parsePortSpec(spec: string): PortSpec {
  const s = spec.trim();
  if (s === '') throw bad(spec, 'it is empty');
  if (/^socket:/i.test(s)) return { kind: 'tcp', ...parseHostPort(spec, s, 'socket') };
  if (/^rfc2217:/i.test(s)) return { kind: 'rfc2217', ...parseHostPort(spec, s, 'rfc2217') };
  if (/^virtual:/i.test(s)) {
    const name = s.slice('virtual:'.length);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
      throw bad(spec, 'a virtual board name is letters, digits, "-", "_" or "."');
    return { kind: 'virtual', name };
  }
  // Windows COM ports; "\\.\COM10" is the long form COM10+ needs in some APIs.
  const com = /^(?:\\\\\.\\)?(COM\d{1,3})$/i.exec(s);
  if (com) return { kind: 'serial', path: com[1]!.toUpperCase() };
  if (s.startsWith('/')) return { kind: 'serial', path: s };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) throw bad(spec, `unknown scheme "${s.split(':')[0]}"`);
  if (/^tty/.test(s)) throw bad(spec, `did you mean /dev/${s}?`);
  throw bad(spec, 'not a device path, COM port, socket://, rfc2217:// or virtual: name');
}

function parseHostPort(spec: string, s: string, scheme: string): { host: string; port: number } {
  const m = /^[a-z0-9]+:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+):(\d{1,5})\/?$/i.exec(s);
  if (!m) throw bad(spec, `expected ${scheme}://HOST:PORT`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw bad(spec, `TCP port ${port} is out of range 1–65535`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

/** The canonical string for a parsed spec (what Link.spec reports). */
export function formatPortSpec(p: PortSpec): string {
  if (p.kind === 'serial') return p.path;
  if (p.kind === 'virtual') return `virtual:${p.name}`;
  const scheme = p.kind === 'tcp' ? 'socket' : 'rfc2217';
  return `${scheme}://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}

/**
 * A port spec rather than an image path or a library id (compare and the workbench take either):
 * whatever parsePortSpec accepts, except that a serial path must name a device (/dev/…, COMn), not any
 * file.
 */
export function isPortSpec(s: string): boolean {
  let p: PortSpec;
  try {
    p = parsePortSpec(s);
  } catch {
    return false;
  }
  return p.kind !== 'serial' || /^(\/dev\/|COM\d+$)/i.test(p.path);
}
