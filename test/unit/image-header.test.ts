import { describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { arduinoCrcOk, checksumVerdict, crc32Msb } from '../../main/image/build-crc.js';
import { parseImage, requireImage } from '../../main/image/header.js';
import { patchHeader } from '../../main/image/header-patch.js';
import { buildV1Image } from '../../main/image/v1-image.js';

const seg = (addr: number, n: number, fill = 0x11) => ({
  addr,
  data: new Uint8Array(n).map((_, i) => (i * 7 + fill) & 0xff),
});

function sample(mode: 'qio' | 'dio' | 'dout' = 'dio', sizeFreq = 0x40) {
  return buildV1Image({
    entry: 0x40100abc,
    flashMode: mode,
    sizeFreq,
    segments: [seg(0x40100000, 64), seg(0x3ffe8000, 20, 3)],
  });
}

function le32(n: number) {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}

describe('parseImage (V1)', () => {
  it('reads segments, entry, flash mode/size/freq and a valid checksum', () => {
    const img = sample('dio', 0x4f);
    const r = parseImage(img);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toMatchObject({
      format: 'v1',
      magic: 0xe9,
      entry: 0x40100abc,
      flashMode: 'dio',
      flashSize: 4 * 1024 * 1024,
      flashFreq: '80m',
    });
    expect(r.header.segments.map((s) => [s.addr, s.length])).toEqual([
      [0x40100000, 64],
      [0x3ffe8000, 20],
    ]);
    expect(r.header.checksum.ok).toBe(true);
    expect(r.header.length).toBe(img.length);
    expect(img.length % 16).toBe(0); // padded to ≡ 15 mod 16, plus the checksum byte
  });

  it('maps the swapped 512 KB / 256 KB size codes and every mode', () => {
    const sizes = [
      [0x00, 512 * 1024],
      [0x10, 256 * 1024],
      [0x20, 1 << 20],
      [0x90, 16 << 20],
    ] as const;
    for (const [code, bytes] of sizes) {
      const r = parseImage(sample('qio', code));
      expect(r.ok && r.header.flashSize).toBe(bytes);
    }
    const img = sample();
    ['qio', 'qout', 'dio', 'dout'].forEach((m, i) => {
      img[2] = i;
      const r = parseImage(img);
      expect(r.ok && r.header.flashMode).toBe(m);
    });
  });

  it('flags a wrong checksum', () => {
    const img = sample();
    img[20] = (img[20] ?? 0) ^ 0x01; // inside segment 0's data
    const r = parseImage(img);
    expect(r.ok && r.header.checksum.ok).toBe(false);
  });

  it('keeps the mode unknown for AT user1/user2-style header bytes', () => {
    const img = sample();
    img[2] = 0x07;
    const r = parseImage(img);
    expect(r.ok).toBe(true);
    expect(r.ok && r.header.flashMode).toBeNull();
  });
});

describe('parseImage (V2)', () => {
  it('reads the irom segment, the inner 0xE9 header and the CRC', () => {
    const irom = new Uint8Array(40).fill(0x5a);
    const inner = buildV1Image({
      entry: 0x40100004,
      flashMode: 'qio',
      sizeFreq: 0x40,
      segments: [seg(0x40100000, 32)],
    });
    const bytes = [
      0xea,
      0x04,
      0x00,
      0x40,
      ...le32(0x40100004),
      ...le32(0),
      ...le32(irom.length),
      ...irom,
      ...new Array(8).fill(0),
      ...inner,
    ];
    // CRC per notes 4.4, computed independently with zlib's crc32 as node exposes it.
    const body = Uint8Array.from(bytes);
    let c = 0xffffffff;
    for (const b of body) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    const crc = (c ^ 0xffffffff) >>> 0;
    const esp = crc & 0x80000000 ? (crc ^ 0xffffffff) >>> 0 : crc + 1;
    const r = parseImage(Uint8Array.from([...bytes, ...le32(esp)]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header.format).toBe('v2');
    expect(r.header.segments.length).toBe(2);
    expect(r.header.segments[0]?.length).toBe(40);
    expect(r.header.checksum.ok).toBe(true);
    expect(r.header.crc32?.ok).toBe(true);
  });
});

describe('parseImage on bad input', () => {
  it('reports truncation instead of crashing', () => {
    const img = sample();
    for (const n of [0, 3, 8, 12, 40, img.length - 1]) {
      const r = parseImage(img.subarray(0, n));
      expect(r.ok, `length ${n}`).toBe(false);
      if (!r.ok && n > 0) expect(r.truncated).toBe(true);
    }
  });

  it('calls foreign files and erased flash "not an ESP8266 image"', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    const r = parseImage(png);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not an ESP8266 image/);
    const erased = parseImage(new Uint8Array(4096).fill(0xff));
    expect(!erased.ok && erased.reason).toMatch(/erased/);
  });

  it('rejects absurd segment counts and survives random garbage', () => {
    expect(parseImage(Uint8Array.from([0xe9, 0, 0, 0x40, 0, 0, 0, 0])).ok).toBe(false);
    expect(parseImage(Uint8Array.from([0xe9, 200, 0, 0x40, 0, 0, 0, 0])).ok).toBe(false);
    let seed = 7;
    for (let t = 0; t < 200; t++) {
      const junk = new Uint8Array(64 + t * 13).map(
        () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 0xff,
      );
      junk[0] = t % 2 ? 0xe9 : 0xea;
      expect(() => parseImage(junk)).not.toThrow();
    }
  });

  it('a segment longer than any ESP8266 flash is a foreign header, not a cut-short file', () => {
    // 0xE9 then garbage: the first segment "needs" 4 GB. "Take the backup again" would be wrong advice.
    const v1 = new Uint8Array(4096).fill(0xff);
    v1.set([0xe9, 1, 2, 0x40, 0, 0, 0x10, 0x40]);
    const r1 = parseImage(v1);
    expect(!r1.ok && r1.truncated).toBe(false);
    expect(!r1.ok && r1.reason).toMatch(/segment 0 claims 4294967295 bytes, more than any ESP8266 flash/);
    expect(() => requireImage(v1)).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
    const v2 = new Uint8Array(4096).fill(0xff);
    v2.set([0xea, 4, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r2 = parseImage(v2);
    expect(!r2.ok && r2.truncated).toBe(false);
    expect(!r2.ok && r2.reason).toMatch(/irom segment claims/);
    // A real image cut short is still called truncated.
    const cut = parseImage(sample().subarray(0, 40));
    expect(!cut.ok && cut.truncated).toBe(true);
  });

  it('requireImage throws typed errors with hints', () => {
    const e1 = (() => {
      try {
        requireImage(new Uint8Array(10));
      } catch (e) {
        return e;
      }
    })();
    expect(e1).toBeInstanceOf(FlashbackError);
    expect((e1 as FlashbackError).code).toBe('BAD_IMAGE');
    const e2 = (() => {
      try {
        requireImage(sample().subarray(0, 30));
      } catch (e) {
        return e;
      }
    })();
    expect((e2 as FlashbackError).code).toBe('FILE_TRUNCATED');
    expect((e2 as FlashbackError).hint.length).toBeGreaterThan(10);
  });
});

describe('checksum quirks of real builds', () => {
  it('accepts an Arduino 3.x image whose CRC at 0x1010 matches although the XOR checksum fails', () => {
    const flash = new Uint8Array(0x1000 + 0x400).fill(0xaa);
    flash.set(sample(), 0);
    const sketch = buildV1Image({
      entry: 0x40100000,
      flashMode: 'dio',
      sizeFreq: 0x40,
      segments: [seg(0x40201010, 0x200), seg(0x40100000, 0x40)],
    });
    flash.set(sketch, 0x1000);
    const len = 0x1000 + sketch.length;
    // Build step writes __crc_len/__crc_val into the IROM after the checksum (notes 4.3).
    flash.set(le32(len), 0x1010);
    let crc = crc32Msb(flash.subarray(0, 0x1010));
    crc = crc32Msb(new Uint8Array(8), crc);
    crc = crc32Msb(flash.subarray(0x1018, len), crc);
    flash.set(le32(crc), 0x1014);
    expect(arduinoCrcOk(flash)).toBe(true);
    const r = parseImage(flash.subarray(0x1000));
    expect(r.ok && r.header.checksum.ok).toBe(false);
    if (!r.ok) return;
    const v = checksumVerdict(flash, r.header, 0x1000);
    expect(v).toMatchObject({ ok: true, scheme: 'arduino-crc' });
    flash[0x1100] = (flash[0x1100] ?? 0) ^ 0xff; // now really damaged
    const damaged = parseImage(flash.subarray(0x1000));
    expect(damaged.ok).toBe(true);
    if (damaged.ok)
      expect(checksumVerdict(flash, damaged.header, 0x1000)).toMatchObject({ ok: false, scheme: 'bad' });
  });
});

describe('patchHeader (esptool conditions, notes 4.2)', () => {
  it('rewrites bytes 2–3 only', () => {
    const img = sample('qio', 0x40);
    const r = patchHeader(img, { flashMode: 'dio', flashSize: 1 << 20, flashFreq: '26m' });
    expect(r.patched).toBe(true);
    expect([r.bytes[2], r.bytes[3]]).toEqual([2, 0x21]);
    const changed = [...r.bytes].map((b, i) => (b !== img[i] ? i : -1)).filter((i) => i >= 0);
    expect(changed).toEqual([2, 3]);
    expect(img[2]).toBe(0); // input untouched
    const again = parseImage(r.bytes);
    expect(again.ok && again.header.checksum.ok).toBe(true);
  });

  it('leaves the image alone when esptool would', () => {
    const img = sample('qio');
    expect(patchHeader(img, { flashMode: 'keep' }).patched).toBe(false);
    expect(patchHeader(img, { flashMode: 'dio' }, 0x1000).patched).toBe(false);
    const v2 = img.slice();
    v2[0] = 0xea;
    expect(patchHeader(v2, { flashMode: 'dio' }).reason).toMatch(/V2/);
    const broken = img.slice();
    broken[20] = (broken[20] ?? 0) ^ 1;
    expect(patchHeader(broken, { flashMode: 'dio' }).patched).toBe(false);
    expect(patchHeader(img, { flashMode: 'qio' })).toMatchObject({
      patched: false,
      reason: expect.stringMatching(/already/),
    });
  });
});
