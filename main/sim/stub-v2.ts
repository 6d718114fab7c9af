/**
 * The v2 esp-flasher-stub as shipped in npm esptool-js 0.7.0 (entry 0x4010C504; notes preamble, 1.9–1.12):
 * - errors from a data phase (READ_FLASH transfer, FLASH_DATA/FLASH_DEFL_DATA write, baud change) are
 *   reported in the reply to the NEXT command, which is then not executed;
 * - READ_FLASH keeps one packet in flight whatever the host asks; packets > 4096 → deferred BAD_DATA_LEN;
 * - FLASH_BEGIN accepts 16 or 20 bytes; it reads each sector before erasing and skips it while blank,
 *   until the first one that is not (then it erases the rest without reading);
 * - FLASH_DEFL_DATA with sequence 0 restarts the inflater;
 * - CHANGE_BAUDRATE reads only the new rate and scales as if the link had started at 115200;
 * - no reboot: FLASH_END(0) and RUN_USER_CODE leave it in the stub ("TODO: Implement reboot");
 * - it reaches flash through the ROM's SPIRead/SPIWrite, bounded by the ROM's descriptor: 4 MiB unless
 *   the ROM loader got SPI_SET_PARAMS before the stub started; its own SPI_SET_PARAMS changes only its
 *   own copy. Accesses past the descriptor fail with 0xC4 (failed SPI op);
 * - SLIP: exact frame lengths, an empty frame (C0 C0) puts the receiver out of phase, an invalid escape
 *   drops the frame (slip-rx.ts); a frame whose direction byte is not 0 gets INVALID_COMMAND, one whose
 *   length disagrees with its header BAD_DATA_LEN, both before any deferred error is reported.
 */
import type { ChipPort } from './chip-port.js';
import type { Request } from './packets.js';
import { V2SlipReceiver } from './slip-rx.js';
import { StubBase, StubError, type WriteState } from './stub-common.js';
import { ROM_SYNC_BAUD } from './timing.js';

export class StubV2 extends StubBase {
  readonly kind = 'v2' as const;
  protected readonly skipBlankErase = true;
  private deferred = 0;
  private readonly rx: V2SlipReceiver;

  constructor(port: ChipPort) {
    super(port);
    this.rx = new V2SlipReceiver((frame) => this.enqueue(frame));
  }

  pushBytes(bytes: Uint8Array): void {
    if (!this.stopped) this.rx.push(bytes);
  }

  protected screen(req: Request): boolean {
    if (req.direction !== 0) {
      this.fail(req.op, StubError.INVALID_COMMAND);
      return true;
    }
    if (req.lengthMismatch) {
      this.fail(req.op, StubError.BAD_DATA_LEN);
      return true;
    }
    return this.preempt(req.op);
  }

  protected setParams(): void {
    // Only the stub's own descriptor: the ROM routines it reads and writes through keep theirs.
  }

  protected flashBeginLengthOk(len: number): boolean {
    return len === 16 || len === 20;
  }

  protected dataPhaseError(code: number): void {
    if (!this.deferred) this.deferred = code;
  }

  /** A deferred data-phase error answers (and swallows) the next command. */
  private preempt(op: number): boolean {
    if (!this.deferred) return false;
    const code = this.deferred;
    this.deferred = 0;
    this.fail(op, code);
    return true;
  }

  protected oversizedReadPacket(): void {
    this.dataPhaseError(StubError.BAD_DATA_LEN);
  }

  protected override canSendMore(r: { sent: number; acked: number }): boolean {
    return r.sent === r.acked;
  }

  protected override restartInflate(w: WriteState): void {
    this.resetWrite(w);
  }

  protected rebootRequested(): void {
    // Not implemented in v2: stays in the stub.
  }

  protected runUserCode(op: number): void {
    this.fail(op, StubError.CMD_NOT_IMPLEMENTED);
  }

  protected resultingBaud(newBaud: number): number {
    return Math.round((this.startBaud * newBaud) / ROM_SYNC_BAUD);
  }
}
