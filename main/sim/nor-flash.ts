/**
 * A SPI NOR flash chip as the ESP8266 sees it (notes 8.1): erase sets bytes to 0xFF (4 KiB sector,
 * 64 KiB block or whole chip), programming can only clear bits (new = old AND data), and addresses wrap
 * at the chip size because the upper address bits are not decoded. Every erase/program/read is charged
 * to `onBusy` with the typical W25Q32 time so the board can pace and account for it.
 */
import {
  BLOCK_ERASE_MS,
  BLOCK_SIZE,
  CHIP_ERASE_MS,
  SECTOR_ERASE_MS,
  SECTOR_SIZE,
  programMs,
  readMs,
} from './timing.js';

export interface NorFlashOptions {
  /** Bytes; a power of two ≥ 64 KiB. Default 4 MiB. */
  size?: number;
  /** JEDEC id as bytes [manufacturer, memory type, capacity]; default Winbond W25Q32 (EF 40 16). */
  jedecId?: [number, number, number];
  /** Initial contents (shorter data is padded with 0xFF). */
  data?: Uint8Array;
  /** Fault injection: multiplies erase times (a tired chip). */
  slowEraseFactor?: number;
}

export interface FlashCounters {
  sectorErases: number;
  blockErases: number;
  chipErases: number;
  pagePrograms: number;
  bytesRead: number;
}

/** Capacity code → size for JEDEC ids of the common 0x1x/0x3x form (notes 2.5). */
export function sizeFromCapacityCode(code: number): number {
  const low = code & 0x1f;
  return low >= 0x12 && low <= 0x1c ? 1 << low : 0;
}

export class NorFlash {
  readonly size: number;
  readonly jedecId: [number, number, number];
  readonly counters: FlashCounters = {
    sectorErases: 0,
    blockErases: 0,
    chipErases: 0,
    pagePrograms: 0,
    bytesRead: 0,
  };
  /** Called with the modeled time (ms) of each operation. */
  onBusy: (ms: number) => void = () => {};
  private readonly mem: Uint8Array;
  private readonly slow: number;

  constructor(opts: NorFlashOptions = {}) {
    this.size = opts.size ?? 4 * 1024 * 1024;
    if (this.size < BLOCK_SIZE || (this.size & (this.size - 1)) !== 0) {
      throw new RangeError(`flash size must be a power of two ≥ 64 KiB, got ${this.size}`);
    }
    this.jedecId = opts.jedecId ?? [0xef, 0x40, 0x16];
    this.slow = opts.slowEraseFactor ?? 1;
    this.mem = new Uint8Array(this.size).fill(0xff);
    if (opts.data) this.mem.set(opts.data.subarray(0, this.size));
  }

  /** The 24-bit id as RDID returns it in SPI_W0 (manufacturer in the low byte). */
  get jedecWord(): number {
    const [m, t, c] = this.jedecId;
    return m | (t << 8) | (c << 16);
  }

  private wrap(addr: number): number {
    return addr & (this.size - 1);
  }

  read(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length;) {
      const a = this.wrap(addr + i);
      const n = Math.min(length - i, this.size - a);
      out.set(this.mem.subarray(a, a + n), i);
      i += n;
    }
    this.counters.bytesRead += length;
    this.onBusy(readMs(length));
    return out;
  }

  /** Reads without charging time (for the board's own bookkeeping, snapshots and saves). */
  peek(addr: number, length: number): Uint8Array {
    const start = this.wrap(addr);
    if (start + length <= this.size) return this.mem.slice(start, start + length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.mem[this.wrap(addr + i)] ?? 0xff;
    return out;
  }

  snapshot(): Uint8Array {
    return this.mem.slice();
  }

  isBlank(addr: number, length: number): boolean {
    for (let i = 0; i < length; i++) if (this.mem[this.wrap(addr + i)] !== 0xff) return false;
    return true;
  }

  eraseSector(addr: number): void {
    const a = this.wrap(addr) & ~(SECTOR_SIZE - 1);
    this.mem.fill(0xff, a, a + SECTOR_SIZE);
    this.counters.sectorErases++;
    this.onBusy(SECTOR_ERASE_MS * this.slow);
  }

  eraseBlock(addr: number): void {
    const a = this.wrap(addr) & ~(BLOCK_SIZE - 1);
    this.mem.fill(0xff, a, a + BLOCK_SIZE);
    this.counters.blockErases++;
    this.onBusy(BLOCK_ERASE_MS * this.slow);
  }

  eraseChip(): void {
    this.mem.fill(0xff);
    this.counters.chipErases++;
    this.onBusy(CHIP_ERASE_MS * this.slow);
  }

  /** NOR programming: bits can only go from 1 to 0. Counted and timed per 256-byte page touched. */
  program(addr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const a = this.wrap(addr + i);
      this.mem[a] = (this.mem[a] ?? 0xff) & (data[i] ?? 0xff);
    }
    const pages = Math.ceil(data.length / 256);
    this.counters.pagePrograms += pages;
    this.onBusy(programMs(data.length));
  }
}
