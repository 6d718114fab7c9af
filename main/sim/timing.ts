/**
 * The virtual board's timing model, in one place (ESP8266-NOTES preamble "Virtual board timing model",
 * section 8). The same figures drive real-time pacing (when on) and the deterministic modeled-time
 * account that benchmarks read, so a paced run and its modeled time agree.
 */

/** A UART frame is start + 8 data + stop bits: 10 bit times per byte. */
export const BITS_PER_BYTE = 10;

/** USB round-trip latency per request/response exchange (ms). FTDI's default latency timer is 16 ms. */
export const DEFAULT_LATENCY_MS = 2;

/** W25Q32-class typical times (notes 8.1). */
import { BLOCK_SIZE, PAGE_SIZE, SECTOR_SIZE } from '../flash-geometry.js';

export { BLOCK_SIZE, PAGE_SIZE, SECTOR_SIZE };
export const SECTOR_ERASE_MS = 45;
export const BLOCK_ERASE_MS = 150;
export const PAGE_PROGRAM_MS = 0.7;
/** Chip erase: W25Q32 typical 10 s (notes 8.1). */
export const CHIP_ERASE_MS = 10_000;

/** On-chip flash read + MD5 throughput: 2 MB/s, i.e. bytes per ms (conservative, no measurement). */
export const READ_BYTES_PER_MS = 2_000;

/** App UART rate after the SDK calibrates the PLL. */
export const APP_BAUD = 115_200;
/** esptool's sync rate (ESP_ROM_BAUD). */
export const ROM_SYNC_BAUD = 115_200;

/** Time to move `bytes` over a UART at `baud` (ms). */
export function wireMs(bytes: number, baud: number): number {
  return (bytes * BITS_PER_BYTE * 1000) / baud;
}

/** Programming time for `bytes` written page by page (a partial page costs a whole page). */
export function programMs(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_PROGRAM_MS;
}

/** On-chip read/hash time for `bytes`. */
export function readMs(bytes: number): number {
  return bytes / READ_BYTES_PER_MS;
}
