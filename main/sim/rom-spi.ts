/**
 * The boot ROM's SPI flash routines and the `flashchip` descriptor they obey (notes 1.12; the ROM's
 * SPIParamCfg, SPIRead, SPIWrite, SPIEraseArea in the annotated boot-ROM disassembly):
 * - the descriptor holds id, total size, block, sector and page size and a status mask; it says 4 MB
 *   after every boot until SPI_SET_PARAMS (ROM opcode 0x0B, or a stub calling SPIParamCfg) changes it;
 * - SPIRead / SPIWrite refuse any range ending past the descriptor's size (return 1, nothing done);
 * - SPIEraseArea refuses a range ending past it or a start that is not sector-aligned, and otherwise
 *   erases with the real bug (notes 1.7): min(head, N) sectors, then N more (blocks while more than a
 *   block's worth remain, then sectors).
 * The descriptor is not the chip: set it larger than the array and addresses wrap in the NorFlash.
 */
import type { NorFlash } from './nor-flash.js';
import { BLOCK_SIZE, PAGE_SIZE, SECTOR_SIZE } from './timing.js';

export interface FlashDescriptor {
  id: number;
  size: number;
  blockSize: number;
  sectorSize: number;
  pageSize: number;
  statusMask: number;
}

/** What the ROM's descriptor says after a reset (notes 1.12: 4 MB unless SPI_SET_PARAMS). */
export const ROM_DEFAULT_FLASH_SIZE = 4 * 1024 * 1024;

export function defaultDescriptor(): FlashDescriptor {
  return {
    id: 0,
    size: ROM_DEFAULT_FLASH_SIZE,
    blockSize: BLOCK_SIZE,
    sectorSize: SECTOR_SIZE,
    pageSize: PAGE_SIZE,
    statusMask: 0xffff,
  };
}

export class RomSpi {
  descriptor: FlashDescriptor = defaultDescriptor();

  constructor(private readonly flash: NorFlash) {}

  /** A chip reset brings the ROM's defaults back. */
  reset(): void {
    this.descriptor = defaultDescriptor();
  }

  /** SPIParamCfg: always succeeds, takes the values as given. */
  paramCfg(d: FlashDescriptor): void {
    this.descriptor = { ...d };
  }

  reaches(offset: number, length: number): boolean {
    return offset + length <= this.descriptor.size;
  }

  /** SPIRead: null when refused (the caller's buffer is left as it was). */
  read(offset: number, length: number): Uint8Array | null {
    if (!this.reaches(offset, length)) return null;
    return this.flash.read(offset, length);
  }

  /** SPIWrite: false when refused. */
  write(offset: number, data: Uint8Array): boolean {
    if (!this.reaches(offset, data.length)) return false;
    this.flash.program(offset, data);
    return true;
  }

  /** SPIEraseArea with the ROM's over-erase; false when refused. */
  eraseArea(offset: number, size: number): boolean {
    const d = this.descriptor;
    if (!this.reaches(offset, size) || offset % d.sectorSize !== 0) return false;
    const perBlock = d.blockSize / d.sectorSize;
    let sector = offset / d.sectorSize;
    const n = Math.ceil(size / d.sectorSize);
    const head = Math.min(perBlock - (sector % perBlock), n);
    for (let i = 0; i < head; i++) this.flash.eraseSector(sector++ * d.sectorSize);
    let rest = n; // the bug: the head is not subtracted
    while (rest > perBlock) {
      this.flash.eraseBlock(sector * d.sectorSize);
      sector += perBlock;
      rest -= perBlock;
    }
    for (; rest > 0; rest--) this.flash.eraseSector(sector++ * d.sectorSize);
    return true;
  }

  /** SPIEraseSector / SPIEraseBlock as the stubs call them: bounded by the descriptor too. */
  eraseSector(addr: number): boolean {
    if (!this.reaches(addr, SECTOR_SIZE)) return false;
    this.flash.eraseSector(addr);
    return true;
  }

  eraseBlock(addr: number): boolean {
    if (!this.reaches(addr, BLOCK_SIZE)) return false;
    this.flash.eraseBlock(addr);
    return true;
  }
}
