/**
 * Synthetic but structurally real firmware files for recognition and write tests, built from the format
 * notes (ESP8266-NOTES 4.1–4.4): Arduino eboot+sketch bins, Espressif boot_v1.x and V2 user1/user2
 * images (IROM literals in the slot's window), NONOS/NodeMCU/MicroPython apps at 0x0, Tasmota and
 * ESPHome builds (Arduino structure + the product's own banner strings).
 */
import { createHash } from 'node:crypto';
import { crc32Msb } from '../../main/image/build-crc.js';
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

/**
 * Release shapes as their build tools lay them out, beyond the neutral helpers above (ESP8266-NOTES 4.1,
 * 4.3, 5.3): what a user downloads, byte structure included.
 */

/** Arduino core 3.x: elf2bin writes __crc_len/__crc_val at 0x1010/0x1014 after the XOR checksum. */
export function arduinoCore3Bin(flashSize = 4 * MB): Uint8Array {
  const b = arduinoBin({ flashSize });
  const dv = new DataView(b.buffer);
  dv.setUint32(0x1010, 0, true);
  dv.setUint32(0x1014, 0, true);
  const crc = crc32Msb(b);
  dv.setUint32(0x1010, b.length, true);
  dv.setUint32(0x1014, crc, true);
  return b;
}

/** tasmota.bin: a 1 MB, DOUT build on core 2.7 with its CRC word at 0xFF8 (in eboot's padding). */
export function tasmotaRelease(): Uint8Array {
  const b = arduinoBin({ flashSize: MB, banner: 'Tasmota 13.4.0 (release-tasmota) by Theo Arends\0' });
  b[2] = 3; // DOUT: Tasmota's releases are built for it so they boot on every module
  b.set([0x9a, 0x3c, 0x51, 0x07], 0xff8);
  return b;
}

/** NodeMCU's combined release: 0x00000.bin, 0xFF to 0x10000 (srec_cat -fill), then 0x10000.bin. */
export function nodemcuRelease(): Uint8Array {
  const rodata = withText(words(0x100, 23), 'NodeMCU 3.0.0.0 \n\tbranch: release\n\0', 0);
  const image = buildV1Image({
    entry: 0x40100004,
    flashMode: 'qio',
    sizeFreq: 4 << 4,
    segments: [
      { addr: 0x40100000, data: words(0x1800, 21) },
      { addr: 0x3ffe8000, data: words(0x200, 22) },
      { addr: 0x3ffe8800, data: rodata },
    ],
  });
  const irom = withText(
    words(0x10000, 24, 0x40210000),
    'NodeMCU 3.0.0.0 built on nodemcu-build.com\0',
    0x2000,
  );
  const out = new Uint8Array(0x10000 + irom.length).fill(0xff);
  out.set(image, 0);
  out.set(irom, 0x10000);
  return out;
}

/**
 * MicroPython's firmware-combined.bin (ports/esp8266/makeimg.py): the image at 0x0, 0xFF up to 0x8FFC,
 * a u32 total length at 0x8FFC, the IROM at 0x9000 (linked at 0x40209000), then an MD5 of bytes 4… .
 */
export function micropythonRelease(flashSize = 4 * MB): Uint8Array {
  const image = buildV1Image({
    entry: 0x40100004,
    flashMode: 'dio',
    sizeFreq: (SIZE_NIBBLE[flashSize] ?? 4) << 4,
    segments: [
      { addr: 0x40100000, data: words(0x1c00, 31) },
      { addr: 0x3ffe8000, data: words(0x300, 32) },
    ],
  });
  const irom = withText(
    words(0x16000, 33, 0x40209000),
    'MicroPython v1.22.2 on 2024-02-22; ESP module with ESP8266\0',
    0x4000,
  );
  const out = new Uint8Array(0x9000 + irom.length + 16).fill(0xff);
  out.set(image, 0);
  new DataView(out.buffer).setUint32(0x8ffc, 0x9000 + irom.length, true);
  out.set(irom, 0x9000);
  out.set(
    createHash('md5')
      .update(out.subarray(4, 0x9000 + irom.length))
      .digest(),
    0x9000 + irom.length,
  );
  return out;
}
