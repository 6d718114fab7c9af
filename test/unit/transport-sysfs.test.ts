import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterKeyOf, listPorts } from '../../main/transport/list-ports.js';
import { onPath, scanSysfsTty } from '../../main/transport/sysfs-ports.js';

// A miniature sysfs with the same shape as Linux's: class/tty/<name>/device → the usb-serial port,
// whose ancestor USB device carries idVendor/idProduct/serial/manufacturer.
let root: string;
let home: string;
const savedHome = process.env.FLASHBACK_HOME;

function usbDevice(bus: string, attrs: Record<string, string>): string {
  const dir = path.join(root, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', bus);
  fs.mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(attrs)) fs.writeFileSync(path.join(dir, k), v + '\n');
  return dir;
}

function tty(name: string, parentDevice: string | null): void {
  const classDir = path.join(root, 'class', 'tty', name);
  fs.mkdirSync(classDir, { recursive: true });
  if (parentDevice) {
    const port = path.join(parentDevice, `${path.basename(parentDevice)}:1.0`, name);
    fs.mkdirSync(port, { recursive: true });
    fs.symlinkSync(path.relative(classDir, port), path.join(classDir, 'device'));
  }
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sysfs-'));
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-home-'));
  process.env.FLASHBACK_HOME = home;
  tty('ttyUSB0', usbDevice('1-1', { idVendor: '1a86', idProduct: '7523', product: 'USB Serial' }));
  tty(
    'ttyUSB1',
    usbDevice('1-2', { idVendor: '10c4', idProduct: 'ea60', serial: '0001', manufacturer: 'Silicon Labs' }),
  );
  tty('ttyACM0', usbDevice('1-3', { idVendor: 'beef', idProduct: 'cafe' }));
  tty('ttyS0', null); // legacy UART: not listed by the fallback
  tty('tty1', null);
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.FLASHBACK_HOME;
  else process.env.FLASHBACK_HOME = savedHome;
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe('sysfs fallback', () => {
  it('finds ttyUSB/ttyACM devices and their USB ids', async () => {
    const ports = await scanSysfsTty(root);
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB1']);
    const cp = ports.find((p) => p.path === '/dev/ttyUSB1');
    expect(cp).toMatchObject({
      vendorId: '10c4',
      productId: 'ea60',
      serialNumber: '0001',
      manufacturer: 'Silicon Labs',
    });
  });

  it('returns nothing (and does not throw) without sysfs', async () => {
    expect(await scanSysfsTty(path.join(root, 'nope'))).toEqual([]);
  });

  it('listPorts names bridges and appends the virtual demo boards', async () => {
    const ports = await listPorts({ sysRoot: root, platform: 'linux' });
    const byPath = new Map(ports.map((p) => [p.path, p]));
    expect(byPath.get('/dev/ttyUSB0')).toMatchObject({ bridge: 'CH340', virtual: false });
    expect(byPath.get('/dev/ttyUSB0')!.label).toMatch(/CH340 USB-serial \(1a86:7523\)/);
    expect(byPath.get('/dev/ttyUSB1')).toMatchObject({ bridge: 'CP210x', serialNumber: '0001' });
    expect(byPath.get('/dev/ttyACM0')).toMatchObject({ bridge: 'unknown' });
    expect(byPath.get('/dev/ttyACM0')!.label).toMatch(/unknown bridge/);
    for (const name of ['virtual:good', 'virtual:bad']) {
      expect(byPath.get(name)).toMatchObject({ bridge: 'virtual', virtual: true });
      expect(byPath.get(name)!.label).toMatch(/virtual demo board/);
    }
    expect(adapterKeyOf(byPath.get('/dev/ttyUSB1')!)).toBe('10c4:ea60:0001');
    expect(adapterKeyOf(byPath.get('/dev/ttyUSB0')!)).toBe('1a86:7523:');
    expect(adapterKeyOf(byPath.get('virtual:good')!)).toBeNull();
  });

  it('falls back to sysfs when udevadm is not on PATH', async () => {
    expect(await onPath('udevadm', '/nonexistent')).toBe(false);
    expect(await onPath('sh', '/nonexistent:/bin:/usr/bin')).toBe(true);
    // With a PATH lacking udevadm, listing still works and still shows the virtual boards.
    const ports = await listPorts({ envPath: '/nonexistent', platform: 'linux' });
    expect(ports.filter((p) => p.virtual).map((p) => p.path)).toEqual(['virtual:bad', 'virtual:good']);
  });
});
