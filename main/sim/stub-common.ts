/**
 * Behaviour shared by both ESP8266 flasher stubs once the ROM jumps to them (notes 1.9–1.12): the
 * "OHAI" greeting, SYNC (value 0 ×8), READ_FLASH stop-and-wait with a trailing raw MD5 frame, lazy-erase
 * FLASH_* and FLASH_DEFL_* writes (0x4000 blocks, zlib inflate), SPI_FLASH_MD5, ERASE_FLASH/REGION,
 * SPI_SET_PARAMS/ATTACH, CHANGE_BAUDRATE, READ_REG/WRITE_REG. The variants (stub-v2.ts, stub-legacy.ts)
 * override the hooks where the two stubs differ. Frames are processed strictly in order, one at a time,
 * because inflating is asynchronous.
 */
import { createHash, type Hash } from 'node:crypto';
import type { ChipPort, LoaderEngine, StubKind } from './chip-port.js';
import { Inflater } from './inflater.js';
import { Op, buildResponse, dataPacket, parseRequest, words, xorChecksum, type Request } from './packets.js';
import { BLOCK_SIZE, SECTOR_SIZE } from './timing.js';

/** Stub error codes: first status byte (notes 1.2). */
export const StubError = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  BAD_BLOCKSIZE: 0xc2,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  FAILED_SPI_UNLOCK: 0xc5,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE_ERROR: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
  CMD_NOT_IMPLEMENTED: 0xff,
} as const;

export const STUB_WRITE_BLOCK = 0x4000;
export const MAX_READ_PACKET = 0x1000;
const OHAI = Uint8Array.of(0x4f, 0x48, 0x41, 0x49);

export interface WriteState {
  compressed: boolean;
  offset: number;
  nextWrite: number;
  /** Uncompressed bytes still expected. */
  remaining: number;
  size: number;
  nextEraseSector: number;
  eraseSectorsLeft: number;
  remainingCompressed: number;
  /** v2: a sector that was not blank has been met, so the rest is erased without reading it. */
  dirtySeen: boolean;
}

interface ReadState {
  offset: number;
  length: number;
  packetSize: number;
  maxInFlight: number;
  sent: number;
  acked: number;
  md5: Hash;
}

export abstract class StubBase implements LoaderEngine {
  abstract readonly kind: StubKind;
  /** The v2 stub erases only sectors that are not blank already. */
  protected abstract readonly skipBlankErase: boolean;

  protected stopped = false;
  protected write: WriteState | null = null;
  protected read: ReadState | null = null;
  protected inflater: Inflater | null = null;
  /** The UART rate the ROM had auto-detected when the stub started. */
  protected readonly startBaud: number;
  private queue: Uint8Array[] = [];
  private pumping = false;

  constructor(protected readonly port: ChipPort) {
    this.startBaud = port.uart.boardBaud;
  }

  // --- variant hooks -------------------------------------------------------------------------------
  /** Raw UART bytes: each stub decodes SLIP its own way (slip-rx.ts) and calls `enqueue`. */
  abstract pushBytes(bytes: Uint8Array): void;
  /**
   * Checks a parsed request before it runs (direction byte, frame length, deferred errors); returns
   * true when it answered or dropped the request itself.
   */
  protected abstract screen(req: Request): boolean;
  protected abstract flashBeginLengthOk(len: number): boolean;
  /** A data-phase error (write, inflate, read packet size, baud) happened after the OK reply. */
  protected abstract dataPhaseError(code: number): void;
  /** READ_FLASH asked for packets over 4096 bytes (the OK reply has already gone out). */
  protected abstract oversizedReadPacket(): void;
  /** FLASH_END / FLASH_DEFL_END with the reboot flag (0). */
  protected abstract rebootRequested(): void;
  protected abstract runUserCode(op: number): void;
  /** The UART rate the stub ends up at for CHANGE_BAUDRATE(newBaud, oldBaud). */
  protected abstract resultingBaud(newBaud: number, oldBaud: number): number;
  /** Error reported by FLASH_END / FLASH_DEFL_END (legacy stub keeps write errors until then). */
  protected endError(): number {
    return 0;
  }

  start(): void {
    this.port.sendFrame(OHAI);
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.inflater?.close();
    this.inflater = null;
  }

  /** A decoded frame (a command, or a READ_FLASH ACK while a read runs), processed in arrival order. */
  protected enqueue(frame: Uint8Array): void {
    if (this.stopped) return;
    this.port.uart.exchange();
    this.queue.push(frame);
    void this.pump();
  }

  /**
   * Both stubs reach flash through the ROM's SPI routines, bounded by the ROM's descriptor (notes
   * 1.12): the v2 stub by whatever the ROM loader was told before it started, the legacy stub by the
   * 16 MiB it configures itself at start-up.
   */
  protected get reach(): number {
    return this.port.romSpi.descriptor.size;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.stopped) await this.process(this.queue.shift()!);
    } finally {
      this.pumping = false;
    }
  }

  protected ok(op: number, value = 0, data?: Uint8Array): void {
    const body = new Uint8Array((data?.length ?? 0) + 2);
    if (data) body.set(data);
    this.port.sendFrame(buildResponse(op, value, body));
  }

  /** Failure: error code in the first status byte, second byte 0 (notes 1.2). */
  protected fail(op: number, code: number): void {
    this.port.sendFrame(buildResponse(op, 0, Uint8Array.of(code, 0)));
  }

  private async process(frame: Uint8Array): Promise<void> {
    if (this.read) return this.onReadAck(frame);
    const req = parseRequest(frame);
    if (!req || this.screen(req)) return;
    const d = req.data;
    switch (req.op) {
      case Op.SYNC:
        // Both stubs check only the length (36), then answer eight times with value 0 (notes 1.5).
        if (d.length !== 36) return this.fail(req.op, StubError.BAD_DATA_LEN);
        for (let i = 0; i < 8; i++) this.ok(Op.SYNC);
        return;
      case Op.READ_REG:
        if (d.length !== 4) return this.fail(req.op, StubError.BAD_DATA_LEN);
        return this.ok(req.op, this.port.readReg(words(d, 1)[0]!));
      case Op.WRITE_REG:
        if (d.length === 0 || d.length % 16 !== 0) return this.fail(req.op, StubError.BAD_DATA_LEN);
        for (let off = 0; off < d.length; off += 16) {
          const [addr, value, mask] = words(d, 3, off) as [number, number, number];
          this.port.writeReg(addr, value, mask);
        }
        return this.ok(req.op);
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN:
        return this.flashBegin(req.op, d);
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA:
        return this.flashData(req.op, d, req.checksum);
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END:
        return this.flashEnd(req.op, d);
      case Op.READ_FLASH:
        return this.readFlash(d);
      case Op.SPI_FLASH_MD5:
        return this.md5(d);
      case Op.ERASE_FLASH:
        // The chip-erase command has no address: the whole array goes, whatever the descriptor says.
        this.port.flash.eraseChip();
        return this.ok(req.op);
      case Op.ERASE_REGION:
        return this.eraseRegion(d);
      case Op.SPI_SET_PARAMS:
        if (d.length !== 24) return this.fail(req.op, StubError.BAD_DATA_LEN);
        this.setParams(words(d, 6));
        return this.ok(req.op);
      case Op.SPI_ATTACH:
        return d.length === 4 || d.length === 8 ? this.ok(req.op) : this.fail(req.op, StubError.BAD_DATA_LEN);
      case Op.CHANGE_BAUDRATE:
        return this.changeBaud(d);
      case Op.RUN_USER_CODE:
        return this.runUserCode(req.op);
      case Op.MEM_BEGIN:
      case Op.MEM_DATA:
      case Op.MEM_END:
        return this.memCommand(req.op, d, req.checksum);
      default:
        return this.unknownCommand(req.op);
    }
  }

  /** SPI_SET_PARAMS: the legacy stub calls the ROM's SPIParamCfg; the v2 stub keeps its own copy. */
  protected abstract setParams(w: number[]): void;

  protected unknownCommand(op: number): void {
    this.fail(op, StubError.CMD_NOT_IMPLEMENTED);
  }

  /** Both stubs accept MEM_* (esptool's load_ram through a stub); we keep nothing, code cannot run here. */
  private memCommand(op: number, d: Uint8Array, checksum: number): void {
    if (op === Op.MEM_DATA) {
      const p = dataPacket(d);
      if (!p || p.len !== p.payload.length) return this.fail(op, StubError.BAD_DATA_LEN);
      if (xorChecksum(p.payload) !== (checksum & 0xff)) return this.fail(op, StubError.BAD_DATA_CHECKSUM);
    }
    this.ok(op);
  }

  protected inReach(offset: number, length: number): boolean {
    return offset + length <= this.reach;
  }

  // --- writes --------------------------------------------------------------------------------------
  private flashBegin(op: number, d: Uint8Array): void {
    if (!this.flashBeginLengthOk(d.length)) return this.fail(op, StubError.BAD_DATA_LEN);
    const [size, numBlocks, blockSize, offset] = words(d, 4) as [number, number, number, number];
    if (blockSize > STUB_WRITE_BLOCK) return this.fail(op, StubError.BAD_BLOCKSIZE);
    if (!this.inReach(offset, size)) return this.fail(op, StubError.FAILED_SPI_OP);
    const compressed = op === Op.FLASH_DEFL_BEGIN;
    // Erase starts at the sector holding `offset`: bytes before it in that sector are lost (notes 1.7).
    this.write = {
      compressed,
      offset,
      nextWrite: offset,
      remaining: size,
      size,
      nextEraseSector: Math.floor(offset / SECTOR_SIZE),
      eraseSectorsLeft: Math.ceil(((offset % SECTOR_SIZE) + size) / SECTOR_SIZE),
      remainingCompressed: numBlocks * blockSize,
      dirtySeen: false,
    };
    this.inflater?.close();
    this.inflater = compressed ? new Inflater() : null;
    this.ok(op);
  }

  private async flashData(op: number, d: Uint8Array, checksum: number): Promise<void> {
    const w = this.write;
    const compressed = op === Op.FLASH_DEFL_DATA;
    if (!w || w.compressed !== compressed) return this.fail(op, StubError.NOT_IN_FLASH_MODE);
    const p = dataPacket(d);
    if (!p || p.len !== p.payload.length) return this.fail(op, StubError.BAD_DATA_LEN);
    if (xorChecksum(p.payload) !== (checksum & 0xff)) return this.fail(op, StubError.BAD_DATA_CHECKSUM);
    // The stub ACKs first and writes afterwards (notes 1.11): errors from here on are data-phase errors.
    this.ok(op);
    if (!compressed) {
      this.writeBytes(p.payload, false);
      return;
    }
    if (p.seq === 0) this.restartInflate(w);
    if (p.payload.length > w.remainingCompressed) return this.dataPhaseError(StubError.TOO_MUCH_DATA);
    w.remainingCompressed -= p.payload.length;
    const inflater = this.inflater;
    if (!inflater) return;
    const r = await inflater.push(p.payload);
    if (this.stopped || this.write !== w) return;
    if (r.out.length > 0) this.inflated(r.out);
    if (r.error) this.dataPhaseError(StubError.INFLATE_ERROR);
  }

  /** Hook: the v2 stub resets its inflater (and write position) on a FLASH_DEFL_DATA with sequence 0. */
  protected restartInflate(_w: WriteState): void {}

  /** Inflated bytes of a FLASH_DEFL_DATA block; the legacy stub stages them first (stub-legacy.ts). */
  protected inflated(out: Uint8Array): void {
    this.writeBytes(out, true);
  }

  protected resetWrite(w: WriteState): void {
    w.nextWrite = w.offset;
    w.remaining = w.size;
    this.inflater?.close();
    this.inflater = new Inflater();
  }

  protected writeBytes(bytes: Uint8Array, compressed: boolean): void {
    const w = this.write!;
    // esptool pads the last uncompressed block with 0xFF; only the declared size is written.
    const n = Math.min(bytes.length, w.remaining);
    if (compressed && bytes.length > w.remaining) this.dataPhaseError(StubError.TOO_MUCH_DATA);
    if (n <= 0) return;
    this.eraseAhead(w, w.nextWrite + n);
    this.port.flash.program(w.nextWrite, bytes.subarray(0, n));
    w.nextWrite += n;
    w.remaining -= n;
  }

  /**
   * Lazy erase: a 64 KiB block when aligned and ≥ 16 sectors remain, else a 4 KiB sector (notes 1.11).
   * The v2 stub first reads each sector (4 KiB, charged as an on-chip read) and skips it while it is
   * blank; from the first sector that is not, it erases everything left without looking (its "dirty
   * seen" latch, reset by every FLASH_BEGIN / FLASH_DEFL_BEGIN).
   */
  private eraseAhead(w: WriteState, upTo: number): void {
    const flash = this.port.flash;
    const perBlock = BLOCK_SIZE / SECTOR_SIZE;
    while (w.eraseSectorsLeft > 0 && w.nextEraseSector * SECTOR_SIZE < upTo) {
      const addr = w.nextEraseSector * SECTOR_SIZE;
      if (this.skipBlankErase && !w.dirtySeen) {
        if (flash.read(addr, SECTOR_SIZE).every((b) => b === 0xff)) {
          w.nextEraseSector++;
          w.eraseSectorsLeft--;
          continue;
        }
        w.dirtySeen = true;
      }
      const block = w.nextEraseSector % perBlock === 0 && w.eraseSectorsLeft >= perBlock;
      const len = block ? BLOCK_SIZE : SECTOR_SIZE;
      if (block) flash.eraseBlock(addr);
      else flash.eraseSector(addr);
      w.nextEraseSector += len / SECTOR_SIZE;
      w.eraseSectorsLeft -= len / SECTOR_SIZE;
    }
  }

  private flashEnd(op: number, d: Uint8Array): void {
    if (d.length !== 4) return this.fail(op, StubError.BAD_DATA_LEN);
    // Either END closes either kind of write: esptool ends a compressed write with FLASH_BEGIN(0, 0)
    // followed by FLASH_DEFL_END (esptool v4.8.1 write_flash).
    if (!this.write) return this.fail(op, StubError.NOT_IN_FLASH_MODE);
    const err = this.endError();
    this.write = null;
    this.inflater?.close();
    this.inflater = null;
    if (err) return this.fail(op, err);
    this.ok(op);
    if (words(d, 1)[0] === 0) this.rebootRequested();
  }

  // --- reads ---------------------------------------------------------------------------------------
  private readFlash(d: Uint8Array): void {
    if (d.length !== 16) return this.fail(Op.READ_FLASH, StubError.BAD_DATA_LEN);
    const [offset, length, packetSize, maxInFlight] = words(d, 4) as [number, number, number, number];
    if (!this.inReach(offset, length)) return this.fail(Op.READ_FLASH, StubError.FAILED_SPI_OP);
    this.ok(Op.READ_FLASH);
    if (packetSize > MAX_READ_PACKET || packetSize === 0) return this.oversizedReadPacket();
    this.read = { offset, length, packetSize, maxInFlight, sent: 0, acked: 0, md5: createHash('md5') };
    this.sendReadPackets();
  }

  /** How many packets may be unacknowledged: the v2 stub hard-codes 1 (notes 1.9). */
  protected canSendMore(r: {
    sent: number;
    acked: number;
    maxInFlight: number;
    packetSize: number;
  }): boolean {
    return r.sent - r.acked < r.maxInFlight;
  }

  private sendReadPackets(): void {
    const r = this.read!;
    while (r.sent < r.length && this.canSendMore(r)) {
      const n = Math.min(r.packetSize, r.length - r.sent);
      const data = this.port.flash.read(r.offset + r.sent, n);
      r.md5.update(data);
      r.sent += n;
      this.port.sendFrame(data);
    }
    if (r.length === 0) this.finishRead();
  }

  private onReadAck(frame: Uint8Array): void {
    const r = this.read!;
    // An ACK that is not exactly 4 bytes ends the transfer early: straight to the MD5 (notes 1.9).
    if (frame.length !== 4) return this.finishRead();
    r.acked = words(frame, 1)[0]!;
    if (r.acked >= r.length) return this.finishRead();
    this.sendReadPackets();
  }

  private finishRead(): void {
    const r = this.read!;
    this.read = null;
    this.port.sendFrame(new Uint8Array(r.md5.digest()));
  }

  private md5(d: Uint8Array): void {
    if (d.length !== 16) return this.fail(Op.SPI_FLASH_MD5, StubError.BAD_DATA_LEN);
    const [addr, size] = words(d, 2) as [number, number];
    if (!this.inReach(addr, size)) return this.fail(Op.SPI_FLASH_MD5, StubError.FAILED_SPI_OP);
    const digest = createHash('md5').update(this.port.flash.read(addr, size)).digest();
    this.ok(Op.SPI_FLASH_MD5, 0, new Uint8Array(digest));
  }

  private eraseRegion(d: Uint8Array): void {
    if (d.length !== 8) return this.fail(Op.ERASE_REGION, StubError.BAD_DATA_LEN);
    const [offset, size] = words(d, 2) as [number, number];
    if (offset % SECTOR_SIZE !== 0 || size % SECTOR_SIZE !== 0)
      return this.fail(Op.ERASE_REGION, StubError.BAD_DATA_LEN);
    if (!this.inReach(offset, size)) return this.fail(Op.ERASE_REGION, StubError.FAILED_SPI_OP);
    for (let at = offset; at < offset + size;) {
      const block = at % BLOCK_SIZE === 0 && offset + size - at >= BLOCK_SIZE;
      if (block) this.port.flash.eraseBlock(at);
      else this.port.flash.eraseSector(at);
      at += block ? BLOCK_SIZE : SECTOR_SIZE;
    }
    this.ok(Op.ERASE_REGION);
  }

  private changeBaud(d: Uint8Array): void {
    if (d.length !== 8) return this.fail(Op.CHANGE_BAUDRATE, StubError.BAD_DATA_LEN);
    const [newBaud, oldBaud] = words(d, 2) as [number, number];
    if (newBaud === 0) return this.fail(Op.CHANGE_BAUDRATE, StubError.BAD_DATA_LEN);
    // The reply leaves at the old rate; the switch follows (notes 1.12).
    this.ok(Op.CHANGE_BAUDRATE);
    this.port.uart.boardBaud = this.resultingBaud(newBaud, oldBaud);
  }
}
