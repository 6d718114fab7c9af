/**
 * The ESP8266 ROM serial loader (notes 1.2–1.7): SYNC with 8 replies, READ_REG/WRITE_REG, MEM_* upload
 * and jump, FLASH_BEGIN with the real erase-size bug (erasing up front), FLASH_DATA in 1 KiB blocks,
 * FLASH_END. Anything the ROM lacks (READ_FLASH, MD5, baud change, compressed writes…) gets the ROM's
 * error reply: status 1, error 0x05. Status is 2 bytes [status, error].
 */
import type { ChipPort, LoaderEngine, StubKind } from './chip-port.js';
import { Op, buildResponse, dataPacket, isSyncBody, parseRequest, words, xorChecksum } from './packets.js';
import { BLOCK_SIZE, SECTOR_SIZE } from './timing.js';

/** ROM error codes (second status byte; notes 1.2). */
export const RomError = {
  INVALID_MESSAGE: 0x05,
  CHECKSUM: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  READ_LENGTH: 0x0a,
} as const;

export const ROM_SYNC_VALUE = 0x20120707;
export const STUB_ENTRIES: Record<number, StubKind> = { 0x4010c504: 'v2', 0x4010d004: 'legacy' };

/**
 * Sectors the ROM really erases for FLASH_BEGIN(eraseSize, offset): 2N when the N requested sectors fit
 * before the next 64 KiB boundary, N + head when they cross it (notes 1.7, esptool#33).
 */
export function romEraseSpan(offset: number, eraseSize: number): { startSector: number; sectors: number } {
  const startSector = Math.floor(offset / SECTOR_SIZE);
  const n = Math.ceil(eraseSize / SECTOR_SIZE);
  const head = 16 - (startSector % 16);
  return { startSector, sectors: n === 0 ? 0 : n <= head ? 2 * n : n + head };
}

/** Erases `sectors` sectors from `startSector` the way SPIEraseArea does: sectors up to a block boundary, then blocks. */
export function eraseSectors(port: ChipPort, startSector: number, sectors: number): void {
  let s = startSector;
  const end = startSector + sectors;
  const perBlock = BLOCK_SIZE / SECTOR_SIZE;
  while (s < end) {
    if (s % perBlock === 0 && end - s >= perBlock) {
      port.flash.eraseBlock(s * SECTOR_SIZE);
      s += perBlock;
    } else {
      port.flash.eraseSector(s * SECTOR_SIZE);
      s++;
    }
  }
}

export class RomLoader implements LoaderEngine {
  private mem: { addr: number; size: number; blockSize: number; nextSeq: number } | null = null;
  private write: { offset: number; blockSize: number; nextSeq: number } | null = null;
  private stopped = false;

  constructor(private readonly port: ChipPort) {}

  stop(): void {
    this.stopped = true;
  }

  handleFrame(frame: Uint8Array): void {
    if (this.stopped) return;
    const req = parseRequest(frame);
    if (!req) return; // not a request: the ROM ignores it
    if (req.lengthMismatch) return this.fail(req.op, RomError.INVALID_MESSAGE);
    const d = req.data;
    switch (req.op) {
      case Op.SYNC:
        if (!isSyncBody(d)) return;
        for (let i = 0; i < 8; i++) this.reply(Op.SYNC, ROM_SYNC_VALUE);
        return;
      case Op.READ_REG:
        if (d.length !== 4) return this.fail(req.op, RomError.INVALID_MESSAGE);
        return this.reply(req.op, this.port.readReg(words(d, 1)[0]!));
      case Op.WRITE_REG:
        if (d.length === 0 || d.length % 16 !== 0) return this.fail(req.op, RomError.INVALID_MESSAGE);
        for (let off = 0; off < d.length; off += 16) {
          const [addr, value, mask] = words(d, 3, off) as [number, number, number];
          this.port.writeReg(addr, value, mask);
        }
        return this.reply(req.op);
      case Op.MEM_BEGIN:
        return this.memBegin(d);
      case Op.MEM_DATA:
        return this.memData(d, req.checksum);
      case Op.MEM_END:
        return this.memEnd(d);
      case Op.FLASH_BEGIN:
        return this.flashBegin(d);
      case Op.FLASH_DATA:
        return this.flashData(d, req.checksum);
      case Op.FLASH_END:
        return this.flashEnd(d);
      default:
        // READ_FLASH, SPI_FLASH_MD5, CHANGE_BAUDRATE, FLASH_DEFL_*, ERASE_*, SPI_SET_PARAMS, SPI_ATTACH,
        // GET_SECURITY_INFO…: not in the ESP8266 ROM (notes 1.4).
        return this.fail(req.op, RomError.INVALID_MESSAGE);
    }
  }

  private memBegin(d: Uint8Array): void {
    if (d.length !== 16) return this.fail(Op.MEM_BEGIN, RomError.INVALID_MESSAGE);
    const [size, , blockSize, addr] = words(d, 4) as [number, number, number, number];
    this.mem = { addr, size, blockSize, nextSeq: 0 };
    this.reply(Op.MEM_BEGIN);
  }

  private memData(d: Uint8Array, checksum: number): void {
    const p = dataPacket(d);
    if (!p || !this.mem || p.len !== p.payload.length)
      return this.fail(Op.MEM_DATA, RomError.INVALID_MESSAGE);
    if (xorChecksum(p.payload) !== (checksum & 0xff)) return this.fail(Op.MEM_DATA, RomError.CHECKSUM);
    if (p.seq > this.mem.nextSeq) return this.fail(Op.MEM_DATA, RomError.INVALID_MESSAGE);
    this.mem.nextSeq = p.seq + 1;
    this.reply(Op.MEM_DATA);
  }

  private memEnd(d: Uint8Array): void {
    if (d.length !== 8) return this.fail(Op.MEM_END, RomError.INVALID_MESSAGE);
    const [flag, entry] = words(d, 2) as [number, number];
    this.reply(Op.MEM_END);
    if (flag !== 0) return; // flag 1: "don't jump" — stay in the loader
    this.stopped = true;
    const kind = STUB_ENTRIES[entry];
    if (kind) this.port.startStub(kind);
    else this.port.runUnknownCode(entry);
  }

  private flashBegin(d: Uint8Array): void {
    // The ROM takes exactly 16 bytes; the 5th "encrypted" word of newer esptools is rejected (notes 1.4).
    if (d.length !== 16) return this.fail(Op.FLASH_BEGIN, RomError.INVALID_MESSAGE);
    const [eraseSize, , blockSize, offset] = words(d, 4) as [number, number, number, number];
    const span = romEraseSpan(offset, eraseSize);
    eraseSectors(this.port, span.startSector, span.sectors);
    this.write = { offset, blockSize, nextSeq: 0 };
    this.reply(Op.FLASH_BEGIN);
  }

  private flashData(d: Uint8Array, checksum: number): void {
    const p = dataPacket(d);
    if (!p || p.len !== p.payload.length) return this.fail(Op.FLASH_DATA, RomError.INVALID_MESSAGE);
    if (!this.write) return this.fail(Op.FLASH_DATA, RomError.FLASH_WRITE);
    if (xorChecksum(p.payload) !== (checksum & 0xff)) return this.fail(Op.FLASH_DATA, RomError.CHECKSUM);
    // A retried block (reply lost) may repeat the last sequence number; skipping ahead is an error.
    if (p.seq > this.write.nextSeq) return this.fail(Op.FLASH_DATA, RomError.INVALID_MESSAGE);
    this.port.flash.program(this.write.offset + p.seq * this.write.blockSize, p.payload);
    this.write.nextSeq = p.seq + 1;
    this.reply(Op.FLASH_DATA);
  }

  private flashEnd(d: Uint8Array): void {
    if (d.length !== 4) return this.fail(Op.FLASH_END, RomError.INVALID_MESSAGE);
    const flag = words(d, 1)[0]!;
    this.reply(Op.FLASH_END);
    this.write = null;
    this.stopped = true;
    // Flag 0 = reboot, 1 = run user code (notes 1.12). Either way the loader is left.
    if (flag === 0) this.port.reset();
    else this.port.runApp();
  }

  private reply(op: number, value = 0): void {
    this.port.sendFrame(buildResponse(op, value, Uint8Array.of(0, 0)));
  }

  private fail(op: number, error: number): void {
    this.port.sendFrame(buildResponse(op, 0, Uint8Array.of(1, error)));
  }
}
