import { describe, expect, it } from 'vitest';
import { planRomWrite, romErasedSectors, romEraseSize } from '../../main/esp/rom-erase.js';

const S = 0x1000;

/** Simulates the ROM bug for a plan and returns the set of sectors erased. */
function erasedBy(offset: number, sectors: number): Set<number> {
  const out = new Set<number>();
  for (const p of planRomWrite(offset, sectors)) {
    const start = p.offset / S;
    const n = p.nativeErase ? 1 : romErasedSectors(start, p.eraseSize);
    for (let i = 0; i < n; i++) out.add(start + i);
  }
  return out;
}

describe('ROM FLASH_BEGIN erase-size compensation (notes 1.7)', () => {
  it('reproduces the documented bug', () => {
    expect(romErasedSectors(0, S)).toBe(2); // 1 sector requested → 2 erased
    expect(romErasedSectors(0, 16 * S + 1.5 * S)).toBe(34); // 1 block + 1.5 sectors → 34
  });
  it('matches the Arduino FAQ worked example (0x37440 at 0 → 0x28000)', () => {
    expect(romEraseSize(0, Math.ceil(0x37440 / S))).toBe(0x28000);
  });
  it('never erases a sector outside the written range, for every start and length', () => {
    for (let start = 0; start < 34; start++) {
      for (let n = 1; n <= 40; n++) {
        const erased = erasedBy(start * S, n);
        const want = new Set(Array.from({ length: n }, (_, i) => start + i));
        expect([...erased].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
      }
    }
  });
  it('uses native erase only for the odd in-block tail', () => {
    expect(planRomWrite(0, 2).every((p) => !p.nativeErase)).toBe(true);
    expect(planRomWrite(0, 3).map((p) => p.nativeErase)).toEqual([false, true]);
    expect(planRomWrite(0x3fc000, 1)).toEqual([
      { offset: 0x3fc000, sectors: 1, eraseSize: 0, nativeErase: true },
    ]);
  });
});
