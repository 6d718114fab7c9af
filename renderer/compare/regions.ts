/** Which region a sector falls in, and a stable colour index per region name for the bands. */
import type { CompareView } from '../../main/workbench/api.js';

export type Region = CompareView['regions'][number];

export function regionIndexBySector(regions: Region[], sectorSize: number, count: number): Int16Array {
  const idx = new Int16Array(count).fill(-1);
  regions.forEach((r, i) => {
    const first = Math.floor(r.start / sectorSize);
    const last = Math.min(count, Math.ceil((r.start + r.size) / sectorSize));
    for (let s = Math.max(0, first); s < last; s++) idx[s] = i;
  });
  return idx;
}

export const STATE_TEXT: Record<string, string> = {
  same: 'same on both',
  diff: 'differs',
  blank: 'blank on both',
  'a-blank': 'blank on A only',
  'b-blank': 'blank on B only',
};
