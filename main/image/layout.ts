/**
 * Names the regions of a flash by firmware family and size (ESP8266-NOTES 5, 6). Detection reads only a
 * few sectors through an async reader, so it runs on a live board as well as on a file. What it cannot
 * recognise stays "unknown": a region name is only given when a signature or a fixed rule backs it.
 */
import { arduinoFsOptions, SECTOR, SKETCH_START } from './arduino-map.js';
import { probeFs, type AsyncRead, type DetectedFs } from './fs-detect.js';
import { SIZE_BY_CODE } from './flash-params.js';
import {
  arduinoRegions,
  nonosRegions,
  unknownRegions,
  type NonosCode,
  type Region,
} from './layout-regions.js';

export type { Region, RegionKind } from './layout-regions.js';
export type { AsyncRead } from './fs-detect.js';

export type Family =
  'arduino' | 'tasmota' | 'esphome' | 'nonos-sdk' | 'nodemcu' | 'micropython' | 'rtos-sdk-v3' | 'unknown';

/**
 * Where a family keeps its factory data (notes 5.1–5.5). Arduino-core builds (Tasmota and ESPHome
 * included) answer the SDK's PHY init-data read from a table in the firmware and use S−0x4000 for RF
 * calibration; NONOS-SDK builds (NodeMCU ≤ 2.x, MicroPython, AT, boot_v1.x + user1) read init data at
 * S−0x4000 and keep RF_CAL at S−0x5000. Anything else is not judged.
 */
export type FactoryRule = 'arduino' | 'nonos' | 'unknown';

export function factoryRule(family: Family): FactoryRule {
  if (family === 'arduino' || family === 'tasmota' || family === 'esphome') return 'arduino';
  if (family === 'nonos-sdk' || family === 'nodemcu' || family === 'micropython') return 'nonos';
  return 'unknown';
}

export interface Layout {
  family: Family;
  flashSize: number;
  regions: Region[];
  fs: DetectedFs | null;
  /** End (exclusive) of the app image: the sketch for Arduino, the image at 0 for NONOS. */
  appEnd: number | null;
  notes: string[];
}

/** Reads a V1 image's extent at `at` by walking its segment headers (8 bytes each). */
export async function imageExtent(read: AsyncRead, at: number, limit: number): Promise<number | null> {
  const head = await read(at, 8);
  const count = head[1] ?? 0;
  if (head[0] !== 0xe9 || count === 0 || count > 16) return null;
  let p = at + 8;
  for (let i = 0; i < count; i++) {
    if (p + 8 > limit) return null;
    const sh = await read(p, 8);
    p += 8 + new DataView(sh.buffer, sh.byteOffset, 8).getUint32(4, true);
    if (p > limit) return null;
  }
  return p + ((15 - (p % 16) + 16) % 16) + 1;
}

const le32 = (b: Uint8Array, at = 0) =>
  b.byteLength < at + 4 ? 0xffffffff : new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

/**
 * End of a V2 (0xEA) image at `at`: its IROM segment (16-byte header, data padded to 16), then a V1
 * part, then the CRC word (notes 4.4). Null when it is not one.
 */
async function v2Extent(read: AsyncRead, at: number, limit: number): Promise<number | null> {
  const head = await read(at, 16);
  if (head[0] !== 0xea || head.length < 16) return null;
  const irom = le32(head, 12);
  const v1 = at + 16 + irom + ((16 - (irom % 16)) % 16);
  if (v1 >= limit) return null;
  const end = await imageExtent(read, v1, limit);
  return end === null ? null : Math.min(end + 4, limit);
}

/** Tasmota's quick-power-cycle sector starts with 0xFFA55AFF (notes 6.3, 5.4). */
async function isTasmota(read: AsyncRead, size: number): Promise<boolean> {
  const at = size === 0x100000 ? 0xf3000 : 0xf6000;
  if (size < 0x100000) return false;
  return le32(await read(at, 4)) === 0xffa55aff;
}

async function findFs(read: AsyncRead, size: number): Promise<DetectedFs | null> {
  for (const o of arduinoFsOptions(size)) {
    const fs = await probeFs(read, o.start, o.end, o.blockSize);
    if (fs) return fs;
  }
  return null;
}

/**
 * Detects the layout. `flashSize` is the chip's (JEDEC) or the file's size; the SDK tail is placed by
 * the header's size when that is smaller, as the SDK itself does (notes 4.2).
 */
export async function detectLayout(read: AsyncRead, flashSize: number): Promise<Layout> {
  const notes: string[] = [];
  const head = await read(0, 16);
  const headerSize = head[0] === 0xe9 || head[0] === 0xea ? SIZE_BY_CODE.get((head[3] ?? 0) >> 4) : undefined;
  let size = flashSize;
  if (headerSize !== undefined && headerSize !== flashSize) {
    notes.push(`Header says ${headerSize} bytes of flash, the chip/file has ${flashSize}.`);
    if (headerSize < flashSize) size = headerSize;
  }
  const unknown = (why: string): Layout => ({
    family: 'unknown',
    flashSize,
    regions: unknownRegions(flashSize),
    fs: null,
    appEnd: null,
    notes: [...notes, why],
  });
  if (flashSize < 0x10000) return unknown('Too small for an ESP8266 flash layout.');

  // ESP8266_RTOS_SDK v3: bootloader at 0, ESP32-style partition table at 0x8000 (entries start AA 50).
  // An entry is AA 50, type (0 app / 1 data), subtype, u32 offset (4 KiB aligned), u32 size.
  const pt = await read(0x8000, 12);
  const ptOk =
    pt[0] === 0xaa &&
    pt[1] === 0x50 &&
    (pt[2] ?? 9) <= 1 &&
    le32(pt, 4) % SECTOR === 0 &&
    le32(pt, 4) < flashSize;
  if (head[0] !== 0xff && ptOk) {
    return {
      ...unknown('ESP8266_RTOS_SDK v3 partition table at 0x8000 (regions not mapped).'),
      family: 'rtos-sdk-v3',
    };
  }
  if (head[0] === 0xe9) {
    const ebootEnd = await imageExtent(read, 0, SECTOR);
    const sketch = await read(SKETCH_START, 8);
    if (ebootEnd !== null && sketch[0] === 0xe9) {
      // Arduino: eboot padded with 0xAA, the sketch image at 0x1000 (notes 4.3, 6.3).
      const pad = await read(ebootEnd, Math.min(16, SECTOR - ebootEnd));
      if (pad.length === 0 || pad.every((b) => b === 0xaa)) {
        const appEnd = await imageExtent(read, SKETCH_START, size);
        const fs = await findFs(read, size);
        const tasmota = await isTasmota(read, size);
        return {
          family: tasmota ? 'tasmota' : 'arduino',
          flashSize,
          regions: arduinoRegions(size, flashSize, appEnd, fs, tasmota),
          fs,
          appEnd,
          notes,
        };
      }
    }
    const appEnd = await imageExtent(read, 0, size);
    if (appEnd !== null) {
      // boot_v1.x at 0 and a V2 user1 image at 0x1000: the SDK's FOTA layout (notes 4.4).
      const code: NonosCode = {};
      const user1End = await v2Extent(read, SKETCH_START, size);
      if (user1End !== null) {
        notes.push('boot_v1.x at 0x0 with a V2 (user1) image at 0x1000: SDK FOTA layout.');
        let user2: { start: number; end: number } | null = null;
        for (const at of [0x81000, 0x101000]) {
          const end = at < size ? await v2Extent(read, at, size) : null;
          if (end !== null) user2 = { start: at, end };
        }
        code.fota = { user1End, user2 };
      } else {
        // MicroPython's makeimg.py: the total length at 0x8FFC, IROM from 0x9000 (notes 4.1).
        const total = le32(await read(0x8ffc, 4));
        if (appEnd <= 0x8ffc && total > 0x9000 && total <= size && (await read(0x9000, 1))[0] !== 0xff)
          code.iromAt9000 = { end: total };
      }
      const irom = await read(0x10000, 4);
      const hasIrom = !irom.every((b) => b === 0xff);
      return {
        family: 'nonos-sdk',
        flashSize,
        regions: nonosRegions(size, flashSize, appEnd, hasIrom, code),
        fs: null,
        appEnd,
        notes,
      };
    }
    return unknown('Header at 0x0 does not parse as an image.');
  }
  if (head.every((b) => b === 0xff)) return unknown('Nothing at 0x0 (erased): no firmware to recognise.');
  return unknown('No ESP8266 image at 0x0.');
}
