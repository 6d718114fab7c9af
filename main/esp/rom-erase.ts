/**
 * Plans ROM-mode writes around the ESP8266 ROM's FLASH_BEGIN erase-size bug (notes 1.7).
 *
 * The ROM erases 2R sectors for a request of R sectors that stays inside one 64 KiB block, and R + head
 * when it crosses the boundary (head = sectors from the start to that boundary). esptool's formula
 * compensates exactly except for an odd sector count inside one block, where the ROM erases one sector
 * past the end. We split such a write: the even part goes through FLASH_BEGIN with the compensated size,
 * the last sector is erased with native SPI commands and written after a FLASH_BEGIN whose erase size
 * works out to 0 — so no sector outside the written range is ever erased.
 */
import { BLOCK_SIZE, SECTOR_SIZE } from './chips/esp8266.js';

const SECTORS_PER_BLOCK = BLOCK_SIZE / SECTOR_SIZE;

/** The erase-size word to send so the buggy ROM erases exactly `sectors` sectors from `startSector`. */
export function romEraseSize(startSector: number, sectors: number): number {
  let head = SECTORS_PER_BLOCK - (startSector % SECTORS_PER_BLOCK);
  if (sectors < head) head = sectors;
  if (sectors < 2 * head) return Math.floor((sectors + 1) / 2) * SECTOR_SIZE;
  return (sectors - head) * SECTOR_SIZE;
}

/** How many sectors the ROM really erases for a request of `eraseBytes` at `startSector` (the bug itself). */
export function romErasedSectors(startSector: number, eraseBytes: number): number {
  const n = Math.ceil(eraseBytes / SECTOR_SIZE);
  const head = SECTORS_PER_BLOCK - (startSector % SECTORS_PER_BLOCK);
  return n <= head ? 2 * n : n + head;
}

export interface RomWritePart {
  /** Sector-aligned flash offset of this part. */
  offset: number;
  sectors: number;
  /** FLASH_BEGIN erase size to send. */
  eraseSize: number;
  /** Sectors to erase beforehand with native SPI commands (erase size 0 in FLASH_BEGIN). */
  nativeErase: boolean;
}

export function planRomWrite(offset: number, sectors: number): RomWritePart[] {
  const start = offset / SECTOR_SIZE;
  const head = Math.min(sectors, SECTORS_PER_BLOCK - (start % SECTORS_PER_BLOCK));
  const overshoots = sectors % 2 === 1 && sectors < 2 * head;
  if (!overshoots) return [{ offset, sectors, eraseSize: romEraseSize(start, sectors), nativeErase: false }];
  const parts: RomWritePart[] = [];
  if (sectors > 1) {
    parts.push({
      offset,
      sectors: sectors - 1,
      eraseSize: romEraseSize(start, sectors - 1),
      nativeErase: false,
    });
  }
  parts.push({ offset: offset + (sectors - 1) * SECTOR_SIZE, sectors: 1, eraseSize: 0, nativeErase: true });
  return parts;
}
