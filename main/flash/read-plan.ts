/**
 * Decides what a backup must read. A 16-sector sample tells dense flash (read everything, no hashing
 * pass: hashing costs on-chip time and the stub's per-chunk MD5 covers every byte anyway) from sparse
 * flash (hash 64 KiB blocks, then sectors inside non-blank blocks, and read only non-blank sectors).
 */
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { blankMd5, boardSectorMd5s, SECTOR } from './sector-map.js';

const BLOCK = 0x10000;
const SAMPLES = 16;

export interface ReadPlan {
  dense: boolean;
  /** Per-sector MD5 (hex) where known (sparse plan); empty for a dense plan. */
  sectorMd5: string[];
  /** Sector indexes (relative to the range start) that must be read. */
  readSectors: number[];
}

export async function planRead(
  session: EspSession,
  offset: number,
  size: number,
  opts: OpOptions,
  /** Sector MD5s of this range already known (restore hashed the target to plan its diff). */
  known?: string[],
): Promise<ReadPlan> {
  const sectors = Math.ceil(size / SECTOR);
  const all = Array.from({ length: sectors }, (_, i) => i);
  const aligned = offset % SECTOR === 0 && size % SECTOR === 0;
  if (!aligned) return { dense: true, sectorMd5: [], readSectors: all };
  if (known && known.length === sectors) {
    return { dense: false, sectorMd5: known, readSectors: all.filter((i) => known[i] !== blankMd5(SECTOR)) };
  }
  if (size >= SAMPLES * BLOCK * 2) {
    // One sector from the middle of each sixteenth: cheap (4 KiB of on-chip hashing each).
    let nonBlank = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const s = Math.floor(((i + 0.5) * sectors) / SAMPLES);
      const h = Buffer.from(await session.flashMd5(offset + s * SECTOR, SECTOR)).toString('hex');
      if (h !== blankMd5(SECTOR)) nonBlank++;
    }
    if (nonBlank === SAMPLES) {
      opts.log?.('Flash looks dense (every sampled sector holds data): reading it all.');
      return { dense: true, sectorMd5: [], readSectors: all };
    }
  }
  const sectorMd5 = await boardSectorMd5s(session, offset, size, opts);
  const blank = blankMd5(SECTOR);
  return { dense: false, sectorMd5, readSectors: all.filter((i) => sectorMd5[i] !== blank) };
}
