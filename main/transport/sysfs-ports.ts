/**
 * Linux fallback for listing USB-serial ports without udev (containers, minimal installs where
 * `udevadm` is missing and serialport's list() fails): /sys/class/tty/tty{USB,ACM}N/device points into
 * the USB device tree, and the nearest parent with idVendor/idProduct is the adapter.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface RawPort {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
}

async function readAttr(dir: string, name: string): Promise<string | undefined> {
  try {
    const v = (await fs.readFile(path.join(dir, name), 'utf8')).trim();
    return v === '' ? undefined : v;
  } catch {
    return undefined;
  }
}

/** Walks up from a device directory to the USB device that carries idVendor (stops at the sysfs root). */
async function usbParent(start: string, root: string): Promise<string | undefined> {
  let dir = start;
  while (dir.startsWith(root) && dir !== root) {
    if ((await readAttr(dir, 'idVendor')) !== undefined) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Lists ttyUSBn and ttyACMn devices from sysfs under `sysRoot` (default /sys); [] when there is no sysfs. */
export async function scanSysfsTty(sysRoot = '/sys'): Promise<RawPort[]> {
  const root = await fs.realpath(sysRoot).catch(() => undefined);
  if (!root) return [];
  const classDir = path.join(root, 'class', 'tty');
  let names: string[];
  try {
    names = await fs.readdir(classDir);
  } catch {
    return [];
  }
  const ports: RawPort[] = [];
  for (const name of names.filter((n) => /^tty(USB|ACM)\d+$/.test(n)).sort(byNumber)) {
    const port: RawPort = { path: `/dev/${name}` };
    const device = await fs.realpath(path.join(classDir, name, 'device')).catch(() => undefined);
    const usb = device ? await usbParent(device, root) : undefined;
    if (usb) {
      const set = (k: keyof RawPort, v: string | undefined) => {
        if (v !== undefined) port[k] = v;
      };
      set('vendorId', (await readAttr(usb, 'idVendor'))?.toLowerCase());
      set('productId', (await readAttr(usb, 'idProduct'))?.toLowerCase());
      set('serialNumber', await readAttr(usb, 'serial'));
      set('manufacturer', await readAttr(usb, 'manufacturer'));
      set('product', await readAttr(usb, 'product'));
    }
    ports.push(port);
  }
  return ports;
}

function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** True when `cmd` is an executable file on PATH (how we decide whether serialport's udev listing can run). */
export async function onPath(cmd: string, envPath = process.env.PATH ?? ''): Promise<boolean> {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    try {
      await fs.access(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}
