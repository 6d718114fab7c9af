/**
 * main/transport: byte links to boards. `openLink` takes a port spec (DESIGN.md "Ports") and returns a
 * Link; `listPorts` is what `flashback ports` and the UI's port picker show.
 */
import fs from 'node:fs/promises';
import type { Link, OpenLinkOptions } from './link.js';
import { adapterKeyOf, listPorts, type PortInfo } from './list-ports.js';
import { openSerialLink } from './serial-link.js';
import { formatPortSpec, parsePortSpec } from './spec.js';
import { openRfc2217Link } from './rfc2217-link.js';
import { openTcpLink } from './tcp-link.js';
import { openVirtualPort } from './virtual-ports.js';

export type { Link, LinkCapabilities, ControlSignals, LinkKind, OpenLinkOptions } from './link.js';
export { listPorts, adapterKeyOf, type PortInfo, type ListPortsOptions } from './list-ports.js';
export { parsePortSpec, formatPortSpec, type PortSpec } from './spec.js';
export {
  BRIDGES,
  STANDARD_BAUDS,
  baudLadder,
  bridgeFor,
  defaultBaudFor,
  startBaudFor,
  BAUD_RANGE,
  applicableNotes,
  ftdiLatencyTimerPath,
  type BridgeInfo,
} from './bridges.js';

export { registerVirtualPorts, type VirtualPorts } from './virtual-ports.js';

export interface OpenLinkExtra extends OpenLinkOptions {
  /** socket:// and rfc2217:// connect timeout in ms (default 5000). */
  timeoutMs?: number;
}

/**
 * Opens a port spec at `baud`. Throws BAD_PORT_SPEC (malformed), PORT_NOT_FOUND, PORT_BUSY,
 * PORT_PERMISSION or TIMEOUT, each with a hint.
 */
export async function openLink(spec: string, opts: OpenLinkExtra): Promise<Link> {
  const p = parsePortSpec(spec);
  switch (p.kind) {
    case 'serial':
      return openSerialLink(p.path, opts.baud);
    case 'tcp':
      return openTcpLink(formatPortSpec(p), p.host, p.port, {
        baud: opts.baud,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      });
    case 'rfc2217':
      return openRfc2217Link(formatPortSpec(p), p.host, p.port, {
        baud: opts.baud,
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      });
    case 'virtual':
      return openVirtualPort(p.name, { baud: opts.baud });
  }
}

export interface PortIdentity {
  /** "CH340", "CP210x", …, "unknown", "virtual", "tcp" or "rfc2217". */
  bridge: string;
  /** VID:PID:serial for USB adapters; null for TCP, virtual and ports without USB ids. */
  adapterKey: string | null;
  port?: PortInfo;
}

/**
 * What adapter a spec is (for detect's `bridge` and the per-adapter baud memory). Matches symlinks such
 * as /dev/serial/by-id/… to the listed device. Never throws: unknown is an answer.
 */
export async function identifyPort(spec: string): Promise<PortIdentity> {
  let p;
  try {
    p = parsePortSpec(spec);
  } catch {
    return { bridge: 'unknown', adapterKey: null };
  }
  if (p.kind === 'virtual') return { bridge: 'virtual', adapterKey: null };
  if (p.kind === 'tcp' || p.kind === 'rfc2217') return { bridge: p.kind, adapterKey: null };
  try {
    const real = await fs.realpath(p.path).catch(() => p.path);
    const port = (await listPorts({ virtual: false })).find((x) => x.path === p.path || x.path === real);
    if (!port) return { bridge: 'unknown', adapterKey: null };
    return { bridge: port.bridge, adapterKey: adapterKeyOf(port), port };
  } catch {
    return { bridge: 'unknown', adapterKey: null };
  }
}
