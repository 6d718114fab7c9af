/**
 * Recognises a filesystem by its on-flash signature (ESP8266-NOTES 6): LittleFS v2 superblocks at blocks
 * 0/1, or SPIFFS's magic `29 04` at offset 0xFC of the first blocks. Reads only a few hundred bytes.
 */
import { parseLfsSuperblock } from './littlefs.js';

export type AsyncRead = (offset: number, length: number) => Promise<Uint8Array>;

export interface DetectedFs {
  type: 'littlefs' | 'spiffs';
  start: number;
  size: number;
  blockSize: number;
  /** LittleFS only: the version from the superblock (0x00020000 for v2.0). */
  version?: number;
}

/** SPIFFS magic for 256-byte pages: (0x20140529 ^ 256) & 0xFFFF (notes 6.1). */
export const SPIFFS_MAGIC_256 = (0x20140529 ^ 256) & 0xffff;

/** Checks one candidate placement; null when neither signature is there. */
export async function probeFs(
  read: AsyncRead,
  start: number,
  end: number,
  blockSize: number,
): Promise<DetectedFs | null> {
  const b0 = await read(start, 0x100);
  const b1 = await read(start + blockSize, 0x100);
  const supers = [parseLfsSuperblock(b0), parseLfsSuperblock(b1)].filter((s) => s !== null);
  // The current half of the pair has the higher revision; either one names the geometry.
  const sb = supers.sort((a, b) => b.revision - a.revision)[0];
  if (sb) {
    return {
      type: 'littlefs',
      start,
      size: sb.blockSize * sb.blockCount,
      blockSize: sb.blockSize,
      version: sb.version,
    };
  }
  const magic = (b: Uint8Array) => ((b[0xfc] ?? 0) | ((b[0xfd] ?? 0) << 8)) === SPIFFS_MAGIC_256;
  if (magic(b0) && magic(b1)) return { type: 'spiffs', start, size: end - start, blockSize };
  return null;
}
