import { describe, expect, it } from 'vitest';
import { detectLayout, type Layout } from '../../main/image/layout.js';
import { buildLfsSuperblock } from '../../main/image/littlefs.js';
import { buildV1Image } from '../../main/image/v1-image.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';

const MB = 1024 * 1024;

/** An async reader that also counts how much it read (a live board pays for every byte). */
function counted(bytes: Uint8Array) {
  const stats = { bytes: 0, calls: 0 };
  const read = async (o: number, n: number) => {
    stats.bytes += n;
    stats.calls++;
    return bytes.slice(o, o + n);
  };
  return { read, stats };
}

const byName = (l: Layout, name: string) => l.regions.find((r) => r.name === name);

function contiguous(l: Layout) {
  let p = 0;
  for (const r of l.regions) {
    expect(r.start, r.name).toBe(p);
    p = r.start + r.size;
  }
  expect(p).toBe(l.flashSize);
}

describe('detectLayout: Arduino core', () => {
  it('names the 4 MB demo regions from a few small reads', async () => {
    const { read, stats } = counted(buildDemoImage('good'));
    const l = await detectLayout(read, 4 * MB);
    expect(l.family).toBe('arduino');
    contiguous(l);
    expect(byName(l, 'eboot')).toMatchObject({ start: 0, size: 0x1000, kind: 'bootloader' });
    expect(byName(l, 'sketch')).toMatchObject({ start: 0x1000, kind: 'app', expectedToDiffer: false });
    expect(byName(l, 'ota')?.start).toBe(byName(l, 'sketch')!.start + byName(l, 'sketch')!.size);
    expect(byName(l, 'littlefs')).toMatchObject({ start: 0x200000, size: 0x1fa000, kind: 'fs' });
    expect(byName(l, 'eeprom')).toMatchObject({ start: 0x3fb000, expectedToDiffer: true });
    expect(byName(l, 'rf-cal')).toMatchObject({ start: 0x3fc000, size: 0x1000, kind: 'rf-cal' });
    expect(byName(l, 'rf-init')).toBeUndefined(); // the core keeps PHY init data in the firmware
    expect(byName(l, 'sdk-config')).toMatchObject({ start: 0x3fd000, size: 0x2000, kind: 'sysparam' });
    expect(byName(l, 'sdk-flag')).toMatchObject({ start: 0x3ff000, size: 0x1000 });
    expect(stats.bytes).toBeLessThan(8 * 1024);
    expect(stats.calls).toBeLessThan(30);
  });

  it('uses the 1 MB table', async () => {
    const { read } = counted(buildDemoImage('good', MB));
    const l = await detectLayout(read, MB);
    expect(l.family).toBe('arduino');
    contiguous(l);
    expect(byName(l, 'littlefs')).toMatchObject({ start: 0xeb000, size: 0x10000 });
    expect(byName(l, 'eeprom')?.start).toBe(0xfb000);
    expect(byName(l, 'rf-cal')?.start).toBe(0xfc000);
    expect(byName(l, 'sdk-config')?.start).toBe(0xfd000);
  });

  it('recognises SPIFFS by its 29 04 magic at 0xFC of each block', async () => {
    const flash = buildDemoImage('good');
    flash.fill(0xff, 0x200000, 0x3fa000); // drop LittleFS
    for (let b = 0x200000; b < 0x3fa000; b += 0x2000) flash.set([0x29, 0x04], b + 0xfc);
    const l = await detectLayout(counted(flash).read, 4 * MB);
    expect(byName(l, 'spiffs')).toMatchObject({ start: 0x200000, kind: 'fs' });
    expect(byName(l, 'littlefs')).toBeUndefined();
  });

  it('finds LittleFS at another boards.txt placement (FS:1MB at 0x300000)', async () => {
    const flash = buildDemoImage('good');
    flash.fill(0xff, 0x200000, 0x3fa000);
    flash.set(buildLfsSuperblock(0x2000, 125, 5), 0x300000);
    const l = await detectLayout(counted(flash).read, 4 * MB);
    expect(byName(l, 'littlefs')).toMatchObject({ start: 0x300000, size: 125 * 0x2000 });
  });

  it('leaves an unformatted FS unnamed (no guessing)', async () => {
    const flash = buildDemoImage('good');
    flash.fill(0xff, 0x200000, 0x3fa000);
    const l = await detectLayout(counted(flash).read, 4 * MB);
    expect(l.regions.some((r) => r.kind === 'fs')).toBe(false);
    expect(l.fs).toBeNull();
    contiguous(l);
  });

  it('recognises Tasmota by its quick-power-cycle signature', async () => {
    const flash = buildDemoImage('good');
    flash.set([0xff, 0x5a, 0xa5, 0xff], 0xf6000);
    const l = await detectLayout(counted(flash).read, 4 * MB);
    expect(l.family).toBe('tasmota');
    expect(byName(l, 'tasmota-settings')).toMatchObject({
      start: 0xf7000,
      size: 0x7000,
      expectedToDiffer: true,
    });
    contiguous(l);
  });
});

describe('detectLayout: NONOS SDK / NodeMCU', () => {
  it('names the SDK tail of a 1 MB eagle.flash.bin + irom0 flash', async () => {
    const flash = new Uint8Array(MB).fill(0xff);
    const data = new Uint8Array(0x800).fill(0x33);
    flash.set(
      buildV1Image({
        entry: 0x40100004,
        flashMode: 'dio',
        sizeFreq: 0x20,
        segments: [{ addr: 0x40100000, data }],
      }),
      0,
    );
    flash.fill(0x44, 0x10000, 0x40000); // raw irom0, no header
    flash.set([5, 8, 4, 2], 0xfc000);
    const l = await detectLayout(counted(flash).read, MB);
    expect(l.family).toBe('nonos-sdk');
    contiguous(l);
    expect(byName(l, 'app')).toMatchObject({ start: 0, kind: 'app' });
    expect(byName(l, 'irom0')?.start).toBe(0x10000);
    expect(byName(l, 'rf-cal')).toMatchObject({ start: 0xfb000, kind: 'rf-cal' });
    expect(byName(l, 'rf-init')?.start).toBe(0xfc000);
    expect(byName(l, 'sdk-config')?.start).toBe(0xfd000);
    expect(byName(l, 'sdk-flag')?.start).toBe(0xff000);
  });

  it('places the SDK tail by the header size when it is smaller than the chip', async () => {
    const flash = new Uint8Array(4 * MB).fill(0xff);
    const data = new Uint8Array(0x100).fill(0x33);
    flash.set(
      buildV1Image({
        entry: 0x40100004,
        flashMode: 'dio',
        sizeFreq: 0x20,
        segments: [{ addr: 0x40100000, data }],
      }),
      0,
    );
    const l = await detectLayout(counted(flash).read, 4 * MB);
    expect(byName(l, 'rf-init')?.start).toBe(0xfc000);
    expect(byName(l, 'beyond-header')).toMatchObject({ start: MB, size: 3 * MB });
    expect(l.notes.join(' ')).toMatch(/Header says/);
  });
});

describe('detectLayout: unknown', () => {
  it('stays unknown for erased or foreign flash', async () => {
    for (const fill of [0xff, 0x00, 0x42]) {
      const l = await detectLayout(counted(new Uint8Array(MB).fill(fill)).read, MB);
      expect(l.family).toBe('unknown');
      expect(l.regions).toEqual([expect.objectContaining({ name: 'unknown', start: 0, size: MB })]);
    }
  });

  it('recognises (but does not map) an RTOS SDK v3 partition table', async () => {
    const flash = new Uint8Array(MB).fill(0xff);
    const data = new Uint8Array(0x100).fill(0x33);
    flash.set(
      buildV1Image({
        entry: 0x40100004,
        flashMode: 'dio',
        sizeFreq: 0x20,
        segments: [{ addr: 0x40100000, data }],
      }),
      0,
    );
    flash.set([0xaa, 0x50, 0x01, 0x02, 0x00, 0x90, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00], 0x8000); // nvs at 0x9000
    expect((await detectLayout(counted(flash).read, MB)).family).toBe('rtos-sdk-v3');
  });
});
