/**
 * The ESP8266 ROM serial loader, as strict as the chip (notes 1.2–1.7, 1.12; UartConnCheck,
 * UartDwnLdProc and the *MsgProc handlers of the annotated boot-ROM disassembly):
 *
 * - Before the first SYNC the ROM only looks for one: a frame whose first bytes are 00 08 gets eight
 *   replies; anything else is ignored.
 * - Frames land in one persistent buffer (slip-rx.ts); handlers read the header's length field and
 *   the words after it from that buffer, so a short frame runs with stale bytes behind it.
 * - The reply header is persistent too: its opcode byte is written by the handler of a known command
 *   (2–11), so a frame with a bad direction byte or an unknown opcode is answered with status 1, error
 *   0x05 and the PREVIOUS opcode — eight times over if that was SYNC. Its value field is written only
 *   by SYNC (the request's first data word) and READ_REG; the error byte only by handlers that fail, and
 *   cleared only by SYNC, READ_REG and WRITE_REG, so an OK reply can carry an old error code.
 * - READ_REG has no length check (an empty one reads the address left in the buffer); WRITE_REG runs
 *   len/16 records; SPI_SET_PARAMS (0x0B) takes 24 bytes and sets the flash descriptor.
 * - FLASH_BEGIN attaches the flash, then erases up front through SPIEraseArea, which refuses anything
 *   past the descriptor's size (error 0x06). FLASH_DATA needs the exact next sequence number and a size
 *   that is a multiple of 4 and ≤ the block size, writes at a running position, reads the block back and
 *   compares checksums (error 0x08). FLASH_END checks blocks and bytes against FLASH_BEGIN (error 0x06)
 *   and leaves the loader either way.
 */
import type { ChipPort, LoaderEngine, StubKind } from './chip-port.js';
import { Op, buildResponse, u32, xorChecksum } from './packets.js';
import { RomSlipReceiver } from './slip-rx.js';
import { SECTOR_SIZE } from './timing.js';

/** ROM error codes (second status byte; notes 1.2). */
export const RomError = {
  INVALID_MESSAGE: 0x05,
  FLASH_OP: 0x06,
  CHECKSUM: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  READ_LENGTH: 0x0a,
} as const;

export const ROM_SYNC_VALUE = 0x20120707;
export const STUB_ENTRIES: Record<number, StubKind> = { 0x4010c504: 'v2', 0x4010d004: 'legacy' };
/** Largest MEM_DATA/FLASH_DATA block the ROM takes (its FLASH_BEGIN/MEM_BEGIN limit). */
const ROM_MAX_BLOCK = 0x1800;
/** Largest FLASH_DATA/MEM_DATA packet length field. */
const ROM_MAX_DATA_PACKET = 0x1810;

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

interface Download {
  eraseSize: number;
  numBlocks: number;
  blockSize: number;
  /** Blocks accepted so far = the next sequence number expected. */
  seq: number;
  written: number;
  /** Flash position (FLASH_*) or RAM address (MEM_*) of the next block. */
  position: number;
}

export class RomLoader implements LoaderEngine {
  private readonly rx: RomSlipReceiver;
  private connected = false;
  private stopped = false;
  /** The persistent reply header: opcode, value, error byte. */
  private respOp = Op.SYNC as number;
  private respValue = 0;
  private respError = 0;
  private flashState: Download | null = null;
  private memState: Download | null = null;

  /**
   * `setParams: false` models a ROM whose download loop has no 0x0B, as esptool's documentation assumes
   * (notes 1.12): SPI_SET_PARAMS then gets the unknown-command reply, with the previous opcode.
   */
  constructor(
    private readonly port: ChipPort,
    private readonly setParams = true,
  ) {
    this.rx = new RomSlipReceiver((count) => {
      port.uart.exchange();
      this.onFrame(count);
    });
  }

  pushBytes(bytes: Uint8Array): void {
    if (!this.stopped) this.rx.push(bytes);
  }

  stop(): void {
    this.stopped = true;
  }

  private get buf(): Uint8Array {
    return this.rx.buffer;
  }

  /** Header length field and data word `i` (data starts at byte 8), read from the persistent buffer. */
  private get len(): number {
    return this.buf[2]! | (this.buf[3]! << 8);
  }

  private word(i: number): number {
    return u32(this.buf, 8 + 4 * i);
  }

  private onFrame(_count: number): void {
    if (this.stopped) return;
    const b = this.buf;
    if (!this.connected) {
      // UartConnCheck: only a SYNC gets through, answered eight times.
      if (b[0] !== 0 || b[1] !== Op.SYNC) return;
      this.connected = true;
      this.respOp = Op.SYNC;
      this.respValue = this.word(0);
      this.respError = 0;
      this.send(0);
      return;
    }
    const op = b[1]!;
    const known =
      op >= Op.FLASH_BEGIN && (op < Op.SPI_SET_PARAMS || (op === Op.SPI_SET_PARAMS && this.setParams));
    if (b[0] !== 0 || !known) {
      this.respError = RomError.INVALID_MESSAGE;
      this.send(1);
      return;
    }
    const status = this.dispatch(op);
    this.respOp = op;
    this.send(status);
    this.afterReply(op);
  }

  /** Runs a known command; returns the status byte (0 ok, 1 failed; the error byte is latched). */
  private dispatch(op: number): number {
    switch (op) {
      case Op.SYNC:
        this.respValue = this.word(0);
        this.respError = 0;
        return 0;
      case Op.READ_REG:
        this.respValue = this.port.readReg(this.word(0));
        this.respError = 0;
        return 0;
      case Op.WRITE_REG:
        return this.writeReg();
      case Op.SPI_SET_PARAMS:
        if (this.len !== 24) return this.fail(RomError.INVALID_MESSAGE);
        this.port.romSpi.paramCfg({
          id: this.word(0),
          size: this.word(1),
          blockSize: this.word(2),
          sectorSize: this.word(3),
          pageSize: this.word(4),
          statusMask: this.word(5),
        });
        return 0;
      case Op.MEM_BEGIN:
        return this.begin('mem');
      case Op.MEM_DATA:
        return this.memData();
      case Op.MEM_END:
        return this.len <= 8 ? 0 : this.fail(RomError.INVALID_MESSAGE);
      case Op.FLASH_BEGIN:
        return this.begin('flash');
      case Op.FLASH_DATA:
        return this.flashData();
      case Op.FLASH_END:
        return this.flashEnd();
      default:
        return this.fail(RomError.INVALID_MESSAGE);
    }
  }

  private fail(error: number): number {
    this.respError = error;
    return 1;
  }

  private writeReg(): number {
    const records = this.len >> 4;
    if (records === 0) return 0;
    for (let i = 0; i < records; i++) {
      const [addr, value, mask] = [this.word(4 * i), this.word(4 * i + 1), this.word(4 * i + 2)];
      this.port.writeReg(addr, value, mask);
    }
    this.respError = 0;
    return 0;
  }

  private begin(kind: 'flash' | 'mem'): number {
    if (this.len !== 16) return this.fail(RomError.INVALID_MESSAGE);
    const [size, numBlocks, blockSize, offset] = [this.word(0), this.word(1), this.word(2), this.word(3)];
    if (blockSize > ROM_MAX_BLOCK) return this.fail(RomError.INVALID_MESSAGE);
    const state: Download = { eraseSize: size, numBlocks, blockSize, seq: 0, written: 0, position: offset };
    if (kind === 'mem') {
      this.memState = state;
      return 0;
    }
    this.flashState = state;
    return this.port.romSpi.eraseArea(offset, size) ? 0 : this.fail(RomError.FLASH_OP);
  }

  /** Common checks of FLASH_DATA / MEM_DATA; returns the payload or a status. */
  private dataBlock(state: Download | null): Uint8Array | number {
    if (this.len > ROM_MAX_DATA_PACKET || !state) return this.fail(RomError.INVALID_MESSAGE);
    const size = this.word(0);
    if (this.word(1) !== state.seq || size > state.blockSize || size % 4 !== 0)
      return this.fail(RomError.INVALID_MESSAGE);
    state.seq++; // counted before the checksum is checked, as the ROM does
    const payload = this.buf.slice(24, 24 + size);
    if (xorChecksum(payload) !== this.buf[4]) return this.fail(RomError.CHECKSUM);
    return payload;
  }

  private memData(): number {
    const payload = this.dataBlock(this.memState);
    if (typeof payload === 'number') return payload;
    const s = this.memState!;
    s.position += payload.length;
    s.written += payload.length;
    return 0;
  }

  private flashData(): number {
    const s = this.flashState;
    const payload = this.dataBlock(s);
    if (typeof payload === 'number') return payload;
    // SPIWrite's result is ignored; the read-back decides (a refused read leaves the buffer as sent).
    this.port.romSpi.write(s!.position, payload);
    const back = this.port.romSpi.read(s!.position, payload.length) ?? payload;
    if (xorChecksum(back) !== this.buf[4]) return this.fail(RomError.FLASH_WRITE);
    s!.position += payload.length;
    s!.written += payload.length;
    return 0;
  }

  private flashEnd(): number {
    const s = this.flashState ?? { numBlocks: 0, seq: 0, eraseSize: 0, written: 0 };
    if (s.numBlocks !== s.seq || s.eraseSize !== s.written) return this.fail(RomError.FLASH_OP);
    return 0;
  }

  /** Leaving the loader happens after the reply is out. */
  private afterReply(op: number): void {
    if (op === Op.FLASH_END) {
      this.stopped = true;
      // Flag 0 = reboot, 1 = run user code (notes 1.12).
      if (this.word(0) === 0) this.port.reset();
      else this.port.runApp();
      return;
    }
    if (op === Op.MEM_END && this.len <= 8 && this.buf[8] === 0) {
      this.stopped = true;
      const entry = this.word(1);
      const kind = STUB_ENTRIES[entry];
      if (kind) this.port.startStub(kind);
      else this.port.runUnknownCode(entry);
    }
  }

  /** One reply from the persistent header; eight when its opcode is SYNC. */
  private send(status: number): void {
    const frame = buildResponse(this.respOp, this.respValue, Uint8Array.of(status, this.respError));
    const copies = this.respOp === Op.SYNC ? 8 : 1;
    for (let i = 0; i < copies; i++) this.port.sendFrame(frame);
  }
}
