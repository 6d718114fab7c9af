/**
 * Synthetic but structurally real firmware files for recognition and write tests, built from the format
 * notes (ESP8266-NOTES 4.1–4.4): Arduino eboot+sketch bins, Espressif boot_v1.x and V2 user1/user2
 * images (IROM literals in the slot's window), NONOS/NodeMCU/MicroPython apps at 0x0, Tasmota and
 * ESPHome builds (Arduino structure + the product's own banner strings).
 */
import { esp8266Crc32 } from '../../main/image/header.js';
import { buildV1Image } from '../../main/image/v1-image.js';

const KB = 1024;
const MB = 1024 * KB;
const SIZE_NIBBLE: Record<number, number> = { [512 * KB]: 0, [MB]: 2, [2 * MB]: 3, [4 * MB]: 4 };

function words(n: number, seed: number, base?: number): Uint8Array {
  const out = new Uint8Array(n * 4);
  const dv = new DataView(out.buffer);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    // Every third word a code address in the given window (literal pools), the rest opcodes.
    dv.setUint32(i * 4, base !== undefined && i % 3 === 0 ? base + ((a >>> 8) % 0x1f000) * 4 : a, true);
  }
  return out;
}

function withText(data: Uint8Array, text: string, at: number): Uint8Array {
  data.set(new TextEncoder().encode(text), at);
  return data;
}

/** Arduino IDE's upload: eboot at 0x0, 0xAA up to 0x1000, the sketch (IROM at 0x40201010). */
export function arduinoBin(opts: { flashSize?: number; banner?: string } = {}): Uint8Array {
  const sizeFreq = (SIZE_NIBBLE[opts.flashSize ?? 4 * MB] ?? 4) << 4;
  const eboot = buildV1Image({
    entry: 0x4010f49c,
    flashMode: 'dio',
    sizeFreq,
    segments: [{ addr: 0x4010f000, data: words(0x150, 1) }],
  });
  const irom = words(0x4000, 2, 0x40201010);
  if (opts.banner) withText(irom, opts.banner, 0x800);
  const sketch = buildV1Image({
    entry: 0x40100134,
    flashMode: 'dio',
    sizeFreq,
    segments: [
      { addr: 0x40201010, data: irom },
      { addr: 0x40100000, data: words(0x800, 3) },
      { addr: 0x3ffe8000, data: words(0x40, 4) },
    ],
  });
  const out = new Uint8Array(0x1000 + sketch.length).fill(0xaa);
  out.set(eboot, 0);
  out.set(sketch, 0x1000);
  return out;
}

/** Espressif's boot_v1.x: a small V1 image at 0x0 that prints its version (bytes 2–3: QIO, 512KB, 40MHz). */
export function bootV1(): Uint8Array {
  const rodata = withText(new Uint8Array(0x40), '2nd boot version : 1.7(5d6f877)\n\0', 0);
  return buildV1Image({
    entry: 0x4010057c,
    flashMode: 'qio',
    sizeFreq: 0x00,
    segments: [
      { addr: 0x40100000, data: words(0x120, 5) },
      { addr: 0x3fffaab0, data: rodata },
    ],
  });
}

/** A V2 (0xEA) user image for boot_v1.x; user2 of a 512+512 map is linked at 0x40281010 (notes 4.4). */
export function userBin(slot: 1 | 2, flashSize = MB): Uint8Array {
  const irom = words(0x2000, 6 + slot, slot === 1 ? 0x40201010 : 0x40281010);
  const ram = [
    { addr: 0x40100000, data: words(0x400, 8) },
    { addr: 0x3ffe8000, data: words(0x40, 9) },
  ];
  const head = 16 + irom.length + ((16 - (irom.length % 16)) % 16);
  let body = head + 8;
  for (const s of ram) body += 8 + s.data.length;
  const checksumAt = body + ((15 - (body % 16) + 16) % 16);
  const out = new Uint8Array(checksumAt + 5);
  const dv = new DataView(out.buffer);
  out.set([0xea, 0x04, 0x00, ((SIZE_NIBBLE[flashSize] ?? 2) << 4) | 0], 0);
  dv.setUint32(4, 0x40100004, true);
  dv.setUint32(8, 0, true); // irom segment: address 0 in the file
  dv.setUint32(12, irom.length, true);
  out.set(irom, 16);
  out.set([0xe9, ram.length, 0x00, ((SIZE_NIBBLE[flashSize] ?? 2) << 4) | 0], head);
  dv.setUint32(head + 4, 0x40100004, true);
  let p = head + 8;
  let x = 0xef;
  for (const s of ram) {
    dv.setUint32(p, s.addr, true);
    dv.setUint32(p + 4, s.data.length, true);
    out.set(s.data, p + 8);
    for (const b of s.data) x ^= b;
    p += 8 + s.data.length;
  }
  out[checksumAt] = x;
  dv.setUint32(checksumAt + 1, esp8266Crc32(out.subarray(0, checksumAt + 1)), true);
  return out;
}

/** A NONOS-style app at 0x0 followed by its IROM at 0x10000 in one file (NodeMCU / MicroPython builds). */
export function sdkAppAtZero(opts: { banner?: string; flashSize?: number } = {}): Uint8Array {
  const image = buildV1Image({
    entry: 0x40100004,
    flashMode: 'dio',
    sizeFreq: (SIZE_NIBBLE[opts.flashSize ?? 4 * MB] ?? 4) << 4,
    segments: [
      { addr: 0x40100000, data: words(0x1000, 10) },
      { addr: 0x3ffe8000, data: words(0x100, 11) },
    ],
  });
  const irom = words(0x8000, 12, 0x40210000);
  if (opts.banner) withText(irom, opts.banner, 0x1000);
  const out = new Uint8Array(0x10000 + irom.length).fill(0xff);
  out.set(image, 0);
  out.set(irom, 0x10000);
  return out;
}
