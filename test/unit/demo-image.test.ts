import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseImage } from '../../main/image/header.js';
import { parseLfsSuperblock } from '../../main/image/littlefs.js';
import { readCString } from '../../main/image/sysparam.js';
import { buildDemoImage, DEMO_APP, findAppDescriptor } from '../../main/sim/demo-image.js';
import { RF_CAL_RECORD_LENGTH, rfCalState } from '../../main/sim/rf-cal-model.js';

const MB = 1024 * 1024;
const good = buildDemoImage('good');
const bad = buildDemoImage('bad');
const reader = (img: Uint8Array) => (o: number, l: number) => img.subarray(o, o + l);

function diffSectors(a: Uint8Array, b: Uint8Array): number[] {
  const out = new Set<number>();
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.add(i - (i % 4096));
  return [...out];
}

describe('demo image', () => {
  it('is deterministic and 4 MB by default', () => {
    expect(good.length).toBe(4 * MB);
    expect(Buffer.from(buildDemoImage('good')).equals(Buffer.from(good))).toBe(true);
  });

  it('has a valid eboot at 0 padded with 0xAA, QIO 4MB/40MHz', () => {
    const r = parseImage(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header.checksum.ok).toBe(true);
    expect(r.header.segments.length).toBeGreaterThanOrEqual(1);
    expect(r.header.segments.length).toBeLessThanOrEqual(2);
    expect(r.header.entry >>> 16).toBe(0x4010);
    expect([good[2], good[3]]).toEqual([0x00, 0x40]);
    expect(good.subarray(r.header.length, 0x1000).every((b) => b === 0xaa)).toBe(true);
  });

  it('has the sketch at 0x1000: IROM first, valid checksum, 280–320 KB, compresses like code', () => {
    const sketch = good.subarray(0x1000);
    const r = parseImage(sketch);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const h = r.header;
    expect(h.checksum.ok).toBe(true);
    expect(h.segments.length).toBeGreaterThanOrEqual(4);
    expect(h.segments[0]?.addr).toBe(0x40201010);
    expect(h.segments.map((s) => s.addr)).toEqual(expect.arrayContaining([0x3ffe8000, 0x40100000]));
    expect(h.length).toBeGreaterThan(280_000);
    expect(h.length).toBeLessThan(320_000);
    const ratio = zlib.deflateSync(sketch.subarray(0, h.length)).length / h.length;
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(0.7);
  });

  it('carries the app descriptor inside the IROM segment', () => {
    expect(findAppDescriptor(reader(good), good.length)).toEqual(DEMO_APP);
    expect(findAppDescriptor(reader(bad), bad.length)?.broker).toBe('broker.flashback.test');
    const at = Buffer.from(good).indexOf('FBAPP1\0');
    expect(at).toBeGreaterThan(0x1010);
    expect(at).toBeLessThan(0x1010 + 0x3f000);
  });

  it('finds no descriptor in blank or foreign flash', () => {
    const blank = new Uint8Array(MB).fill(0xff);
    expect(findAppDescriptor(reader(blank), blank.length)).toBeNull();
    const junk = new Uint8Array(MB).fill(0xe9); // magic everywhere, absurd segment lengths
    expect(findAppDescriptor(reader(junk), junk.length)).toBeNull();
  });

  it('has a LittleFS v2 superblock pair at 0x200000 (8 KiB × 253)', () => {
    for (const at of [0x200000, 0x202000]) {
      const sb = parseLfsSuperblock(good.subarray(at, at + 0x2000));
      expect(sb).toMatchObject({ version: 0x20000, blockSize: 8192, blockCount: 253 });
    }
    expect(Buffer.from(good.subarray(0x200008, 0x200010)).toString()).toBe('littlefs');
    expect(good.subarray(0x210000, 0x3fa000).every((b) => b === 0xff)).toBe(true);
  });

  it('good board: a complete RF calibration record at S−0x4000 (Arduino RF_CAL), not init data', () => {
    const cal = good.subarray(0x3fc000, 0x3fd000);
    expect(cal[0]).toBe(0x00);
    expect(rfCalState(cal)).toBe('complete');
    expect(cal.subarray(RF_CAL_RECORD_LENGTH).every((b) => b === 0xff)).toBe(true);
  });

  it('bad board: the RF calibration was cut short while being saved (64 bytes, the rest erased)', () => {
    const cal = bad.subarray(0x3fc000, 0x3fd000);
    expect(cal.subarray(64).every((b) => b === 0xff)).toBe(true);
    expect(rfCalState(cal)).toBe('cut-short');
    expect(rfCalState(new Uint8Array(0x1000).fill(0xff))).toBe('blank');
  });

  it('stores the station config in the system-param sector', () => {
    for (const img of [good, bad]) {
      expect(readCString(img, 0x3fd010, 32)).toBe('FlashbackLab');
      expect(readCString(img, 0x3fd030, 64)).toBe('demo-password-123');
    }
    expect(good[0x3ff000]).toBe(0); // flag sector selects the first data sector
  });

  it('differs between profiles only in RF calibration, system-param and flag sectors', () => {
    expect(diffSectors(good, bad)).toEqual([0x3fc000, 0x3fd000, 0x3ff000]);
  });

  it('scales to 1 MB with the same scheme', () => {
    const g1 = buildDemoImage('good', MB);
    const b1 = buildDemoImage('bad', MB);
    expect(g1.length).toBe(MB);
    expect(g1[3]).toBe(0x20); // size nibble 2 = 1 MB
    expect(parseImage(g1.subarray(0x1000)).ok).toBe(true);
    expect(parseLfsSuperblock(g1.subarray(0xeb000, 0xec000))).toMatchObject({
      blockSize: 4096,
      blockCount: 16,
    });
    expect(findAppDescriptor(reader(g1), g1.length)).toEqual(DEMO_APP);
    expect(diffSectors(g1, b1)).toEqual([0xfc000, 0xfd000, 0xff000]);
  });

  it('refuses sizes without an Arduino layout', () => {
    expect(() => buildDemoImage('good', 3 * MB)).toThrow(RangeError);
  });
});
