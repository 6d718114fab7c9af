/**
 * `flashback ports`: hardware ports with their USB bridge named from VID:PID, plus the virtual boards.
 * Must not crash where `udevadm` is missing (DESIGN.md "Ports"): on Linux without it, or when
 * serialport's list() fails, fall back to /sys/class/tty.
 */
import os from 'node:os';
import { applicableNotes, bridgeFor, normHexId } from './bridges.js';
import { listSerialPorts } from './serial-link.js';
import { onPath, scanSysfsTty, type RawPort } from './sysfs-ports.js';
import { listVirtualPorts } from './virtual-ports.js';

export interface PortInfo {
  /** The port spec to pass as --port. */
  path: string;
  /** Bridge name ("CH340", "CP210x", "FT232R", …), "unknown", or "virtual". */
  bridge: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** In-process virtual board (virtual:good, virtual:bad, saved boards). */
  virtual: boolean;
  /** One line for people: what this port is. */
  label: string;
  /** Known issues of this bridge that apply on this OS (e.g. FTDI latency timer). */
  notes?: string[];
}

export interface ListPortsOptions {
  /** Where sysfs is (tests point it at a temp tree). Default /sys. */
  sysRoot?: string;
  /** PATH used to look for udevadm. Default process.env.PATH. */
  envPath?: string;
  platform?: NodeJS.Platform;
  /** Include virtual boards (default true). */
  virtual?: boolean;
}

export async function listPorts(opts: ListPortsOptions = {}): Promise<PortInfo[]> {
  const platform = opts.platform ?? process.platform;
  const raw = await hardwarePorts(platform, opts);
  const hw = raw.map((p) => describe(p, platform)).sort(usbFirst);
  if (opts.virtual === false) return hw;
  const virtual = listVirtualPorts().map(({ name, label }): PortInfo => ({
    path: `virtual:${name}`,
    bridge: 'virtual',
    virtual: true,
    label,
  }));
  return [...hw, ...virtual];
}

async function hardwarePorts(platform: NodeJS.Platform, opts: ListPortsOptions): Promise<RawPort[]> {
  const sysfs = () => scanSysfsTty(opts.sysRoot);
  if (platform === 'linux' && (opts.sysRoot !== undefined || !(await onPath('udevadm', opts.envPath))))
    return sysfs();
  try {
    return (await listSerialPorts()).map((p) => ({
      path: p.path,
      ...(p.vendorId ? { vendorId: p.vendorId } : {}),
      ...(p.productId ? { productId: p.productId } : {}),
      ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
      ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
    }));
  } catch {
    return platform === 'linux' ? sysfs() : [];
  }
}

function describe(p: RawPort, platform: NodeJS.Platform): PortInfo {
  const vid = normHexId(p.vendorId);
  const pid = normHexId(p.productId);
  const bridge = bridgeFor(vid, pid);
  const info: PortInfo = { path: p.path, bridge: bridge?.name ?? 'unknown', virtual: false, label: '' };
  if (vid) info.vendorId = vid;
  if (pid) info.productId = pid;
  if (p.serialNumber) info.serialNumber = p.serialNumber;
  if (p.manufacturer) info.manufacturer = p.manufacturer;
  const id = vid && pid ? `${vid}:${pid}` : undefined;
  const who = p.manufacturer ?? p.product;
  if (bridge) info.label = `${bridge.name} USB-serial (${id})${who ? ` — ${who}` : ''}`;
  else if (id) info.label = `USB-serial ${id}, unknown bridge${who ? ` — ${who}` : ''}`;
  else info.label = 'serial port (no USB id)';
  if (bridge) {
    const notes = applicableNotes(bridge, platform, platform === 'linux' ? os.release() : '');
    if (notes.length > 0) info.notes = notes;
  }
  return info;
}

function usbFirst(a: PortInfo, b: PortInfo): number {
  const ua = a.vendorId ? 0 : 1;
  const ub = b.vendorId ? 0 : 1;
  return ua - ub || a.path.localeCompare(b.path, 'en', { numeric: true });
}

/** VID:PID:serial, lower-case: the key settings.json remembers a working baud under; null without USB ids. */
export function adapterKeyOf(p: Pick<PortInfo, 'vendorId' | 'productId' | 'serialNumber'>): string | null {
  if (!p.vendorId || !p.productId) return null;
  return `${p.vendorId}:${p.productId}:${p.serialNumber ?? ''}`.toLowerCase();
}
