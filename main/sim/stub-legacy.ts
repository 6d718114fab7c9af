/**
 * The legacy flasher stub as esptool v4.8.1 uploads it (stub_flasher/1, entry 0x4010D004; notes 1.9–1.12):
 * - READ_FLASH compares bytes in flight with max_in_flight (meant as packets), so with 4 KiB packets it
 *   is stop-and-wait; packets > 4096 → OK reply, then silence (no data, no MD5);
 * - FLASH_BEGIN takes exactly 16 bytes;
 * - write/inflate errors are kept and reported by FLASH_END / FLASH_DEFL_END (derived);
 * - FLASH_END(0) soft-resets back into the ROM loader (esptool's `--after no_reset`), RUN_USER_CODE
 *   returns into the ROM boot path and the app starts;
 * - CHANGE_BAUDRATE scales the current divider by old/new, so a wrong old rate gives a wrong result;
 * - SPIParamCfg is preset to 16 MiB, so it reaches the whole of a 16 MB chip.
 */
import type { ChipPort } from './chip-port.js';
import { StubBase } from './stub-common.js';

export const LEGACY_REACH = 16 * 1024 * 1024;

export class StubLegacy extends StubBase {
  readonly kind = 'legacy' as const;
  protected readonly reach = LEGACY_REACH;
  protected readonly skipBlankErase = false;
  private writeError = 0;

  constructor(port: ChipPort) {
    super(port);
  }

  protected flashBeginLengthOk(len: number): boolean {
    return len === 16;
  }

  protected dataPhaseError(code: number): void {
    if (!this.writeError) this.writeError = code;
  }

  protected preempt(): boolean {
    return false;
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
