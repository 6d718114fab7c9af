/**
 * The Arduino ESP8266 core's flash map (ESP8266-NOTES 5.1): the same rule for every size. The end of
 * flash holds EEPROM (S−0x5000), RF_CAL (S−0x4000) and the SDK's system params (S−0x3000…S−1); the FS
 * ends at S−0x5000 rounded down to its block size (4 KiB below 512 KB of FS, else 8 KiB).
 */
const KB = 1024;
const MB = 1024 * KB;

import { SECTOR_SIZE as SECTOR } from '../flash-geometry.js';

export { SECTOR };
export const SKETCH_START = 0x1000;

export interface ArduinoFsOption {
  start: number;
  end: number;
  blockSize: number;
}

/**
 * FS placements from the core's boards.txt per flash size (notes 5.1 table), usual default first.
 * [start, end, blockSize]: FS sizes are nominal, so read the addresses from the table, not from the name.
 */
const FS_TABLE: ReadonlyMap<number, readonly (readonly [number, number, number])[]> = new Map([
  [
    512 * KB,
    [
      [0x6b000, 0x7b000, 0x1000],
      [0x73000, 0x7b000, 0x1000],
      [0x5b000, 0x7b000, 0x1000],
    ],
  ],
  [
    1 * MB,
    [
      [0xeb000, 0xfb000, 0x1000],
      [0xdb000, 0xfb000, 0x1000],
      [0xbb000, 0xfb000, 0x1000],
      [0x7b000, 0xfb000, 0x2000],
    ],
  ],
  [
    2 * MB,
    [
      [0x100000, 0x1fa000, 0x2000],
      [0x180000, 0x1fa000, 0x2000],
      [0x1f0000, 0x1fb000, 0x1000],
      [0x1e0000, 0x1fb000, 0x1000],
      [0x1c0000, 0x1fb000, 0x1000],
    ],
  ],
  [
    4 * MB,
    [
      [0x200000, 0x3fa000, 0x2000],
      [0x300000, 0x3fa000, 0x2000],
      [0x100000, 0x3fa000, 0x2000],
    ],
  ],
  [
    8 * MB,
    [
      [0x200000, 0x7fa000, 0x2000],
      [0x100000, 0x7fa000, 0x2000],
    ],
  ],
  [
    16 * MB,
    [
      [0x200000, 0xffa000, 0x2000],
      [0x100000, 0xffa000, 0x2000],
    ],
  ],
]);

/** Every FS placement the core can produce for this flash size (default first); [] for unknown sizes. */
export function arduinoFsOptions(flashSize: number): ArduinoFsOption[] {
  return (FS_TABLE.get(flashSize) ?? []).map(([start, end, blockSize]) => ({ start, end, blockSize }));
}

export interface ArduinoTail {
  eeprom: number;
  rfCal: number;
  sysParam: number;
}

/** The fixed regions at the end of flash (also the NONOS SDK ≥ 1.5.4 convention, notes 5.2). */
export function flashTail(flashSize: number): ArduinoTail {
  return { eeprom: flashSize - 0x5000, rfCal: flashSize - 0x4000, sysParam: flashSize - 0x3000 };
}

/** Largest sketch the core allows (notes 4.3/5.1). */
export function maxSketchSize(flashSize: number): number {
  return flashSize > 1 * MB ? 1_044_464 : (flashSize - 0x5000 - SKETCH_START) / 2;
}
