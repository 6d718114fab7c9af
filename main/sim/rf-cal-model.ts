/**
 * The virtual boards' model of the SDK's RF calibration sector (RF_CAL; ESP8266-NOTES 5.1, 5.5). An
 * Arduino-core build points RF_CAL at S−0x4000 and its PHY settings (init byte 114 = 1) make the SDK
 * reuse the stored calibration at boot. The real record format is Espressif's and undocumented; the
 * model only needs what matters physically: an erased sector makes the SDK run a full calibration, a
 * complete record works, and a record cut short while being saved (power lost mid-write) is reused as
 * it is and leaves the radio miscalibrated — the demo's bad board. Flashback itself never judges this
 * content (any calibration is legitimate); only the simulated firmware does.
 */
import { SIZE_BY_CODE } from '../image/flash-params.js';

/** Bytes the simulated SDK programs when it saves a calibration. */
export const RF_CAL_RECORD_LENGTH = 0x400;

export type RfCalState = 'blank' | 'complete' | 'cut-short';

export function rfCalState(sector: Uint8Array): RfCalState {
  if (sector.every((b) => b === 0xff)) return 'blank';
  const tail = sector.subarray(RF_CAL_RECORD_LENGTH - 4, RF_CAL_RECORD_LENGTH);
  return tail.length === 4 && !tail.every((b) => b === 0xff) ? 'complete' : 'cut-short';
}

/** Where the SDK finds the end of flash: the header's size at 0x0 when it is smaller (notes 4.2). */
export function sdkFlashSize(readFlash: (o: number, n: number) => Uint8Array, chipSize: number): number {
  const head = readFlash(0, 4);
  const declared = head[0] === 0xe9 ? SIZE_BY_CODE.get((head[3] ?? 0) >> 4) : undefined;
  return declared !== undefined && declared < chipSize ? declared : chipSize;
}
