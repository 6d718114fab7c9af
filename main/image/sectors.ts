/**
 * Per-sector MD5 maps: the currency of compare. A live board gives them through the stub's SPI_FLASH_MD5
 * one 4 KiB sector at a time (no bulk read); a file gives them here. Same digests, same comparison.
 */
import { createHash } from 'node:crypto';
import { SECTOR_SIZE } from '../flash-geometry.js';

export { SECTOR_SIZE };

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** MD5 of one erased 4 KiB sector (all 0xFF). */
export const BLANK_SECTOR_MD5 = md5Hex(new Uint8Array(SECTOR_SIZE).fill(0xff));

/** Hex MD5 of each 4 KiB sector; a trailing partial sector is hashed as it is. */
export function sectorDigests(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 0; p < bytes.length; p += SECTOR_SIZE) out.push(md5Hex(bytes.subarray(p, p + SECTOR_SIZE)));
  return out;
}

export function isBlankDigest(md5: string | undefined): boolean {
  return md5 === BLANK_SECTOR_MD5;
}
