/**
 * Proves how big the flash array really is, without trusting its JEDEC label (notes 8.1: reads past the
 * array wrap, because the upper address bits are not decoded). A relabelled 1 MB chip that says 4 MB
 * reads as four copies of itself; a 4 MB chip that says 1 MB has distinct data above 1 MB.
 *
 * For each power-of-two boundary P, the on-chip MD5 of the sector at P is compared with sector 0. Equal
 * is not yet a mirror (both may be blank, or an app copy may repeat): a second sector c < P whose MD5
 * differs from sector 0's must also repeat at P + c. The first P that passes both is the size. If no
 * boundary below the reachable space mirrors and at least one was decided, the array fills the reach.
 * A chip that is blank (or uniform) wherever we look cannot be measured this way: that is said, and the
 * caller keeps the label.
 */
import { hexAddr, humanSize } from '../units.js';
import { FLASH_ADDRESS_SPACE, SECTOR_SIZE } from './chips/esp8266.js';

export interface SizeProof {
  /** The array's size, when the wrap-around was seen (or shown absent up to the reach). */
  proven: number | null;
  /** The array is at least this big (0 when nothing could be decided). */
  atLeast: number;
  /** Why proven is null, or how it was shown. */
  note: string;
}

const SMALLEST = 256 * 1024;

export async function proveFlashSize(
  md5: (offset: number, length: number) => Promise<string>,
  reach: number,
): Promise<SizeProof> {
  const cache = new Map<number, string>();
  const at = async (o: number) => {
    let h = cache.get(o);
    if (h === undefined) {
      h = await md5(o, SECTOR_SIZE);
      cache.set(o, h);
    }
    return h;
  };
  const ref = await at(0);
  let atLeast = 0;
  let decided = false;
  for (let p = SMALLEST; p * 2 <= Math.min(reach, FLASH_ADDRESS_SPACE); p *= 2) {
    if ((await at(p)) !== ref) {
      atLeast = p * 2;
      decided = true;
      continue;
    }
    const witness = await findWitness(at, ref, p);
    if (witness === null) continue; // blank or uniform below p: cannot tell here
    decided = true;
    if ((await at(p + witness)) === (await at(witness))) {
      return {
        proven: p,
        atLeast: p,
        note: `addresses wrap at ${hexAddr(p)}: ${hexAddr(p)} and ${hexAddr(p + witness)} read as 0x0 and ${hexAddr(witness)}`,
      };
    }
    atLeast = p * 2;
  }
  if (!decided)
    return {
      proven: null,
      atLeast,
      note: 'the flash looks blank or uniform, so its size cannot be measured',
    };
  if (atLeast >= Math.min(reach, FLASH_ADDRESS_SPACE) && reach >= FLASH_ADDRESS_SPACE) {
    return { proven: FLASH_ADDRESS_SPACE, atLeast, note: 'no wrap-around in the whole address space' };
  }
  return {
    proven: null,
    atLeast,
    note: `no wrap-around below ${hexAddr(atLeast)} (${humanSize(atLeast)}; the rest is out of reach)`,
  };
}

/** A sector below `p` whose MD5 differs from sector 0's, or null. */
async function findWitness(
  at: (o: number) => Promise<string>,
  ref: string,
  p: number,
): Promise<number | null> {
  const candidates = [
    SECTOR_SIZE,
    2 * SECTOR_SIZE,
    0x10000,
    p / 2,
    p / 4,
    p / 8,
    p - SECTOR_SIZE,
    p / 2 + SECTOR_SIZE,
  ];
  for (const c of new Set(candidates)) {
    if (c <= 0 || c >= p || c % SECTOR_SIZE) continue;
    if ((await at(c)) !== ref) return c;
  }
  return null;
}
