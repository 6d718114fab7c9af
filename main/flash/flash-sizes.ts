/**
 * The three sizes a board claims, side by side (issue 10 "trust no label"): the image header's size
 * field at 0x0, the JEDEC id's capacity code, and the size proven by the array's own wrap-around
 * (main/esp/flash-size.ts). Flashback uses the proven size when there is one.
 */
import type { EspSession } from '../esp/types.js';
import { SIZE_BY_CODE } from '../image/flash-params.js';
import { humanSize } from '../units.js';

export interface FlashSizes {
  /** From the image header at 0x0 (byte 3, high nibble); null without an image or without a stub. */
  header: number | null;
  /** From the JEDEC capacity code; 0 when the code is unknown. */
  jedec: number;
  /** From the wrap-around of addresses; null when it could not be measured. */
  proven: number | null;
  /** What backups, writes and checks use. */
  used: number;
  /** False when two of the known sizes differ. */
  agree: boolean;
  /** How the proven size was found, or why not. */
  note: string;
}

export async function flashSizes(session: EspSession): Promise<FlashSizes> {
  const f = session.info.flash;
  let header: number | null = null;
  if (session.stub) {
    const head = await session.readFlash(0, 16);
    if (head[0] === 0xe9 || head[0] === 0xea) header = SIZE_BY_CODE.get((head[3] ?? 0) >> 4) ?? null;
  }
  const known = [header, f.jedecSize || null, f.provenSize].filter((n): n is number => n !== null);
  return {
    header,
    jedec: f.jedecSize,
    proven: f.provenSize,
    used: f.size,
    agree: known.every((n) => n === known[0]),
    note: f.sizeNote,
  };
}

/** "header 4 MB · JEDEC 4 MB · proven 1 MB" */
export function sizesLine(s: FlashSizes): string {
  const part = (n: number | null | undefined, none: string) => (n ? humanSize(n) : none);
  return `header ${part(s.header, 'none')} · JEDEC ${part(s.jedec, 'unknown')} · proven ${part(s.proven, 'not measured')}`;
}

/** A warning when the sizes disagree, saying which one is used and why. */
export function sizesWarning(s: FlashSizes): string | null {
  if (s.agree) return null;
  const proven = s.proven
    ? `The array itself is ${humanSize(s.proven)} (${s.note}); Flashback uses that.`
    : `Flashback uses ${humanSize(s.used)}.`;
  return `The flash sizes disagree (${sizesLine(s)}). ${proven}`;
}
