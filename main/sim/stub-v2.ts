/**
 * The v2 esp-flasher-stub as shipped in npm esptool-js 0.7.0 (entry 0x4010C504; notes preamble, 1.9–1.12):
 * - errors from a data phase (READ_FLASH transfer, FLASH_DATA/FLASH_DEFL_DATA write, baud change) are
 *   reported in the reply to the NEXT command, which is then not executed;
 * - READ_FLASH keeps one packet in flight whatever the host asks; packets > 4096 → deferred BAD_DATA_LEN;
 * - FLASH_BEGIN accepts 16 or 20 bytes; erases skip sectors that are already blank;
 * - FLASH_DEFL_DATA with sequence 0 restarts the inflater;
 * - CHANGE_BAUDRATE reads only the new rate and scales as if the link had started at 115200;
 * - no reboot: FLASH_END(0) and RUN_USER_CODE leave it in the stub ("TODO: Implement reboot");
 * - it reaches flash through ROM routines bounded at 4 MiB. Decision: any access ending above 4 MiB
 *   fails with 0xC4 (failed SPI op), so 8/16 MB boards show the limit instead of silently mirroring.
 */
import type { ChipPort } from './chip-port.js';
import { StubBase, StubError, type WriteState } from './stub-common.js';
import { ROM_SYNC_BAUD } from './timing.js';

export const V2_REACH = 4 * 1024 * 1024;

export class StubV2 extends StubBase {
  readonly kind = 'v2' as const;
  protected readonly reach = V2_REACH;
  protected readonly skipBlankErase = true;
  private deferred = 0;

  constructor(port: ChipPort) {
    super(port);
  }

  protected flashBeginLengthOk(len: number): boolean {
    return len === 16 || len === 20;
  }

  protected dataPhaseError(code: number): void {
    if (!this.deferred) this.deferred = code;
  }

  protected preempt(op: number): boolean {
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
