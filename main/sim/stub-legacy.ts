/**
 * The legacy flasher stub as esptool v4.8.1 uploads it (stub_flasher/1, entry 0x4010D004; notes 1.9–1.12):
 * - READ_FLASH compares bytes in flight with max_in_flight (meant as packets), so with 4 KiB packets it
 *   is stop-and-wait; packets > 4096 → OK reply, then silence (no data, no MD5);
 * - FLASH_BEGIN takes exactly 16 bytes;
 * - write/inflate errors are kept and reported by FLASH_END / FLASH_DEFL_END (derived);
 * - FLASH_END(0) soft-resets back into the ROM loader (esptool's `--after no_reset`), RUN_USER_CODE
 *   returns into the ROM boot path and the app starts;
 * - CHANGE_BAUDRATE scales the current divider by old/new, so a wrong old rate gives a wrong result;
 * - at start-up it calls the ROM's SPIParamCfg with 16 MiB (and SPI_SET_PARAMS calls it again), so it
 *   reaches the whole of a 16 MB chip;
 * - SLIP (slip-rx.ts): two alternating buffers, an empty frame (C0 C0) executes the stale one again and
 *   leaves the receiver out of phase; the command's length comes from its header, not from what
 *   arrived; the direction byte is not looked at; a length over 0x4010 is refused with C0 EE;
 * - READ_FLASH ACKs are read synchronously with a fresh SLIP state, where the length does count;
 * - inflated bytes collect in a static 32 KiB output buffer written out when full or when the stream
 *   ends; its fill pointer is static too and FLASH_DEFL_BEGIN does not reset it, so a compressed write
 *   aborted mid-inflate leaves bytes there that the next compressed write flushes at its own offset,
 *   ahead of its data (LS `handle_flash_deflated_data`, `static uint8_t *next_out`).
 */
import type { ChipPort } from './chip-port.js';
import type { Request } from './packets.js';
import { defaultDescriptor } from './rom-spi.js';
import { LegacySlipDecoder, LegacySlipReceiver } from './slip-rx.js';
import { StubBase, StubError } from './stub-common.js';

export const LEGACY_REACH = 16 * 1024 * 1024;
const LEGACY_MAX_DATA = 0x4000 + 16;
const LEGACY_OUT_BUF = 32768;

export class StubLegacy extends StubBase {
  readonly kind = 'legacy' as const;
  protected readonly skipBlankErase = false;
  private writeError = 0;
  /** The static output buffer's pending bytes (survives FLASH_DEFL_BEGIN, as on the chip). */
  private staged: Uint8Array = new Uint8Array(0);
  /** Bytes the current stream has inflated so far. */
  private streamOut = 0;
  private readonly rx: LegacySlipReceiver;
  private ack: { decoder: LegacySlipDecoder; bytes: number[] } | null = null;

  constructor(port: ChipPort) {
    super(port);
    port.romSpi.paramCfg({ ...defaultDescriptor(), size: LEGACY_REACH });
    this.rx = new LegacySlipReceiver((buffer) => {
      // The header's length decides how much of the buffer is the command (stale bytes included).
      const len = buffer[2]! | (buffer[3]! << 8);
      this.enqueue(buffer.slice(0, Math.min(buffer.length, 8 + len)));
    });
  }

  pushBytes(bytes: Uint8Array): void {
    if (this.stopped) return;
    for (const b of bytes) {
      if (!this.read) {
        this.ack = null;
        this.rx.byte(b);
        continue;
      }
      // During READ_FLASH the stub polls the UART itself (SLIP_recv), one ACK frame at a time.
      this.ack ??= { decoder: new LegacySlipDecoder(), bytes: [] };
      const r = this.ack.decoder.byte(b);
      if (typeof r === 'number') this.ack.bytes.push(r);
      else if (r === 'end') {
        const frame = Uint8Array.from(this.ack.bytes);
        this.ack = null;
        this.enqueue(frame);
      }
    }
  }

  protected screen(req: Request): boolean {
    if (req.data.length > LEGACY_MAX_DATA) {
      this.port.sendFrame(Uint8Array.of(1, req.op, 2, 0, 0, 0, 0, 0, StubError.BAD_DATA_LEN, 0xee));
      return true;
    }
    return false;
  }

  protected override restartInflate(): void {
    this.streamOut = 0;
  }

  protected override inflated(out: Uint8Array): void {
    const w = this.write;
    if (!w) return;
    this.streamOut += out.length;
    const all = new Uint8Array(this.staged.length + out.length);
    all.set(this.staged);
    all.set(out, this.staged.length);
    let at = 0;
    while (all.length - at >= LEGACY_OUT_BUF) {
      this.writeBytes(all.subarray(at, at + LEGACY_OUT_BUF), false);
      at += LEGACY_OUT_BUF;
    }
    this.staged = all.slice(at);
    // Stream done (all its bytes inflated): the rest of the buffer goes out and the pointer resets.
    if (this.streamOut >= w.size) {
      if (this.staged.length) this.writeBytes(this.staged, false);
      this.staged = new Uint8Array(0);
    }
  }

  protected setParams(w: number[]): void {
    const [id = 0, size = 0, blockSize = 0, sectorSize = 0, pageSize = 0, statusMask = 0] = w;
    this.port.romSpi.paramCfg({ id, size, blockSize, sectorSize, pageSize, statusMask });
  }

  protected flashBeginLengthOk(len: number): boolean {
    return len === 16;
  }

  protected dataPhaseError(code: number): void {
    if (!this.writeError) this.writeError = code;
  }

  protected override endError(): number {
    const e = this.writeError;
    this.writeError = 0;
    return e;
  }

  protected oversizedReadPacket(): void {
    // Silent: the host waits for data that never comes.
  }

  protected rebootRequested(): void {
    // The stub lets the reply leave, then resets; the ROM loader comes back (the reply is already queued).
    this.stop();
    this.port.softResetToRom();
  }

  protected runUserCode(): void {
    this.stop();
    this.port.runApp();
  }

  protected resultingBaud(newBaud: number, oldBaud: number): number {
    const current = this.port.uart.boardBaud;
    return Math.round((current * newBaud) / (oldBaud || current));
  }
}
