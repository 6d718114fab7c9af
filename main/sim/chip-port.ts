/**
 * What the loader engines (ROM loader, stubs) get from the board: the flash, the register space, a way
 * to send frames, and the transitions they can cause. Keeps the engines free of board wiring.
 */
import type { NorFlash } from './nor-flash.js';
import type { RomSpi } from './rom-spi.js';
import type { Uart } from './uart.js';

export type StubKind = 'v2' | 'legacy';

export interface ChipPort {
  readonly flash: NorFlash;
  /** The ROM's SPI routines and flash descriptor (the ROM loader and the v2 stub go through them). */
  readonly romSpi: RomSpi;
  readonly uart: Uart;
  readReg(addr: number): number;
  /** new = (old & ~mask) | (value & mask). */
  writeReg(addr: number, value: number, mask: number): void;
  /** SLIP-encodes `payload` and sends it at the UART's current rate (or `baud`). */
  sendFrame(payload: Uint8Array, baud?: number): void;
  /** The ROM jumped to uploaded code that is one of the known stubs. */
  startStub(kind: StubKind): void;
  /** The ROM jumped to uploaded code we cannot run: the chip goes silent. */
  runUnknownCode(entry: number): void;
  /** Leave the loader and boot the app from flash without a reset (ROM FLASH_END(1), legacy RUN_USER_CODE). */
  runApp(): void;
  /** Chip reset: samples GPIO0 again (ROM FLASH_END(0)). */
  reset(): void;
  /** Software reset after a serial-download boot: back into the ROM loader (legacy stub FLASH_END(0)). */
  softResetToRom(): void;
}

/** A protocol engine: takes the raw bytes the UART received and decodes them its own way (slip-rx.ts). */
export interface LoaderEngine {
  pushBytes(bytes: Uint8Array): void;
  /** The chip left this engine (reset, jump): drop pending work. */
  stop(): void;
}
