/**
 * The write plan at the floor: one on-chip MD5 per 64 KiB block of the scope (the whole chip for every
 * product write, so the audit sees a write that went anywhere; 'blocks' = only the blocks around the
 * range, for measuring), compared with the image's own block MD5s;
 * sectors are hashed only inside blocks that differ. The hashes double as the "before" picture the
 * audit compares against after writing, and as the target's backup proof (no second pass).
 */
import { throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import {
  BLOCK,
  bufferPieceMd5s,
  hashPieces,
  hashRange,
  isBlankMd5,
  piecesOf,
  type Piece,
} from './block-hashes.js';
import { blankMd5, bufferSectorMd5s, SECTOR } from './sector-map.js';

export interface DiffPlanOptions extends OpOptions {
  /** Write every sector of the image without comparing. */
  full?: boolean;
  /** Image-relative sector indexes never to touch (preserved SDK config). */
  preserve?: Set<number>;
  /** 'chip': hash [0, reach) (restore); 'blocks': only the blocks the image range touches (raw write). */
  scope: 'chip' | 'blocks';
  /** Block MD5s of the scope already taken (none by default). */
  knownBlockMd5?: string[];
}

export interface DiffPlan {
  /** Flash offset of image byte 0 (sector aligned). */
  offset: number;
  /** Per-sector MD5 of the image. */
  imageMd5: string[];
  /** Image-relative sector indexes to write, ascending. */
  write: number[];
  skip: number;
  preserve: Set<number>;
  /** The target before writing: the scope's blocks and their on-chip MD5s. */
  pieces: Piece[];
  blockMd5: string[];
  /** Flash sector index → on-chip MD5 before writing, where known. */
  sectorMd5: Map<number, string>;
  /** The scope is the whole reachable chip (so the audit sees a write that went anywhere). */
  wholeChip: boolean;
}

export async function planDiff(
  session: EspSession,
  offset: number,
  image: Uint8Array,
  opts: DiffPlanOptions,
): Promise<DiffPlan> {
  const imageMd5 = bufferSectorMd5s(image);
  const preserve = opts.preserve ?? new Set<number>();
  const end = offset + imageMd5.length * SECTOR;
  const reach = Math.min(session.reach, session.info.flash.size || session.reach);
  const scopeStart = opts.scope === 'chip' ? 0 : Math.floor(offset / BLOCK) * BLOCK;
  const scopeEnd =
    opts.scope === 'chip'
      ? Math.max(reach, end)
      : Math.min(Math.max(reach, end), Math.ceil(end / BLOCK) * BLOCK);
  const pieces = piecesOf(scopeStart, scopeEnd - scopeStart);
  const blockMd5 =
    opts.knownBlockMd5?.length === pieces.length
      ? opts.knownBlockMd5
      : await hashPieces(session, pieces, opts);
  const sectorMd5 = new Map<number, string>();

  // Blocks that match the image, or are blank, give their sectors' hashes for free.
  const imagePieceMd5 = pieces.map((p) =>
    p.offset >= offset && p.offset + p.size <= end ? bufferPieceMd5s(image, offset, [p])[0]! : null,
  );
  const differing: Piece[] = [];
  // Only sectors the plan may write need a sector hash here (preserved gaps are looked at only if a
  // neighbour in their block gets written, below).
  const wanted = (p: Piece) => {
    for (let at = p.offset; at < p.offset + p.size; at += SECTOR) {
      const i = (at - offset) / SECTOR;
      if (at >= offset && at < end && !preserve.has(i)) return true;
    }
    return false;
  };
  pieces.forEach((p, i) => {
    const first = p.offset / SECTOR;
    const count = Math.ceil(p.size / SECTOR);
    if (isBlankMd5(blockMd5[i]!, p.size)) {
      for (let s = first; s < first + count; s++) sectorMd5.set(s, blankMd5(SECTOR));
    } else if (imagePieceMd5[i] === blockMd5[i]) {
      for (let s = first; s < first + count; s++) sectorMd5.set(s, imageMd5[s - offset / SECTOR]!);
    } else if (!opts.full && wanted(p)) {
      differing.push(p);
    }
  });
  const rewrite = await hashDifferingBlocks(
    session,
    differing,
    offset,
    end,
    imageMd5,
    preserve,
    sectorMd5,
    opts,
  );

  const write: number[] = [];
  imageMd5.forEach((h, i) => {
    if (preserve.has(i)) return;
    const s = offset / SECTOR + i;
    if (opts.full || rewrite.has(s) || sectorMd5.get(s) !== h) write.push(i);
  });

  // The audit needs the before-hash of every unwritten sector in a block that gets written.
  const planned = new Set(write.map((i) => offset / SECTOR + i));
  const mixed = pieces.filter((p) => {
    const sectors = Array.from({ length: Math.ceil(p.size / SECTOR) }, (_, k) => p.offset / SECTOR + k);
    return sectors.some((s) => planned.has(s)) && sectors.some((s) => !planned.has(s) && !sectorMd5.has(s));
  });
  await hashSectorsOf(session, mixed, sectorMd5, opts, (s) => !planned.has(s) && !sectorMd5.has(s));
  return {
    offset,
    imageMd5,
    write,
    skip: imageMd5.length - write.length,
    preserve,
    pieces,
    blockMd5,
    sectorMd5,
    wholeChip: scopeStart === 0 && scopeEnd >= reach,
  };
}

/**
 * When the first sectors of a block all differ, the whole block is rewritten (one 64 KiB erase costs
 * less than four sector erases) and its other sectors need no hash: a board that differs everywhere
 * costs an eighth of a pass, not a second one.
 */
const REWRITE_BLOCK_AFTER = 2;

/** Sector hashes inside differing blocks; returns the flash sectors of blocks to rewrite whole. */
async function hashDifferingBlocks(
  session: EspSession,
  pieces: Piece[],
  offset: number,
  end: number,
  imageMd5: string[],
  preserve: Set<number>,
  into: Map<number, string>,
  opts: OpOptions,
): Promise<Set<number>> {
  const rewrite = new Set<number>();
  for (const p of pieces) {
    const whole =
      p.size === BLOCK &&
      p.offset >= offset &&
      p.offset + p.size <= end &&
      !Array.from({ length: BLOCK / SECTOR }, (_, k) => (p.offset - offset) / SECTOR + k).some((i) =>
        preserve.has(i),
      );
    let differ = 0;
    for (let at = p.offset; at < p.offset + p.size; at += SECTOR) {
      throwIfAborted(opts.signal, 'Hashing flash');
      const h = await hashRange(session, at, Math.min(SECTOR, p.offset + p.size - at), opts);
      into.set(at / SECTOR, h);
      if (at >= offset && at < end && h !== imageMd5[(at - offset) / SECTOR]) differ++;
      // Only when every sector looked at so far differs: a block with a few scattered changes keeps
      // its per-sector plan (the user sees exactly the sectors that differ).
      if (whole && differ >= REWRITE_BLOCK_AFTER && differ === (at - p.offset) / SECTOR + 1) {
        for (let s = p.offset; s < p.offset + p.size; s += SECTOR) {
          rewrite.add(s / SECTOR);
          if (s > at) into.delete(s / SECTOR);
        }
        break;
      }
    }
  }
  return rewrite;
}

async function hashSectorsOf(
  session: EspSession,
  pieces: Piece[],
  into: Map<number, string>,
  opts: OpOptions,
  want: (sector: number) => boolean = () => true,
): Promise<void> {
  for (const p of pieces) {
    for (let at = p.offset; at < p.offset + p.size; at += SECTOR) {
      throwIfAborted(opts.signal, 'Hashing flash');
      if (!want(at / SECTOR)) continue;
      into.set(at / SECTOR, await hashRange(session, at, Math.min(SECTOR, p.offset + p.size - at), opts));
    }
  }
}

/**
 * Several sector-aligned spans as one image from the first to the last; the sectors between them (and
 * each span's `keep` sectors) are preserved, so one plan — and one audit — covers the whole job.
 */
export function combineSpans(spans: Array<{ start: number; bytes: Uint8Array; keep?: Set<number> }>): {
  start: number;
  bytes: Uint8Array;
  gaps: Set<number>;
} {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const start = sorted[0]!.start;
  const end = Math.max(...sorted.map((s) => s.start + s.bytes.length));
  const bytes = new Uint8Array(end - start).fill(0xff);
  const covered = new Set<number>();
  for (const s of sorted) {
    bytes.set(s.bytes, s.start - start);
    for (let k = 0; k < Math.ceil(s.bytes.length / SECTOR); k++)
      if (!s.keep?.has(k)) covered.add((s.start - start) / SECTOR + k);
  }
  const gaps = new Set<number>();
  for (let k = 0; k < Math.ceil(bytes.length / SECTOR); k++) if (!covered.has(k)) gaps.add(k);
  return { start, bytes, gaps };
}
