/**
 * The write plan at the floor: one on-chip MD5 per 64 KiB block of the scope (the whole chip for every
 * product write, so the audit sees a write that went anywhere; 'blocks' = only the blocks around the
 * range, for measuring), compared with the image's own block MD5s; sectors are hashed only inside
 * blocks that differ, and once the board has differed everywhere for a while one page stands for its
 * block (see SAMPLE_AFTER). The hashes double as the "before" picture the audit compares against after
 * writing, and as the target's backup proof (no second pass).
 */
import { throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';
import { BLOCK, bufferPieceMd5s, hashRange, isBlankMd5, piecesOf, type Piece } from './block-hashes.js';
import { blankMd5, bufferSectorMd5s, md5Hex, SECTOR } from './sector-map.js';

export interface DiffPlanOptions extends OpOptions {
  /** Write every sector of the image without comparing. */
  full?: boolean;
  /** Image-relative sector indexes never to touch (preserved SDK config). */
  preserve?: Set<number>;
  /** 'chip': hash [0, reach) (restore); 'blocks': only the blocks the image range touches (raw write). */
  scope: 'chip' | 'blocks';
  /** Block MD5s of the scope already taken (none by default). */
  knownBlockMd5?: Array<string | undefined>;
  /**
   * Blocks the image does not reach are hashed up to COARSE bytes at a time (one MD5 before, one in
   * the audit): fewer round trips for a small write proven over the whole chip. Only for a plan whose
   * block hashes nothing else reuses (no backup follows it).
   */
  coarse?: boolean;
}

const COARSE = 0x40000;

/** The scope's pieces: 64 KiB blocks, merged up to COARSE where the image [start, end) does not reach. */
function scopePieces(from: number, to: number, start: number, end: number, coarse: boolean): Piece[] {
  const pieces = piecesOf(from, to - from);
  if (!coarse) return pieces;
  const out: Piece[] = [];
  const outside = (p: Piece) => p.offset + p.size <= start || p.offset >= end;
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (
      last &&
      outside(p) &&
      outside(last) &&
      last.offset + last.size === p.offset &&
      last.size + p.size <= COARSE
    )
      last.size += p.size;
    else out.push({ ...p });
  }
  return out;
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
  /**
   * On-chip MD5 of each piece before writing; undefined for a block the plan rewrites whole without
   * having needed its hash (the audit proves it against the image; a backup hashes it itself).
   */
  blockMd5: Array<string | undefined>;
  /** Flash sector index → on-chip MD5 before writing, where known. */
  sectorMd5: Map<number, string>;
  /** The scope is the whole reachable chip (so the audit sees a write that went anywhere). */
  wholeChip: boolean;
  /** Flash block indexes whose first sector the plan saw holding data (not blank) on the chip. */
  dirtyStart: Set<number>;
}

/**
 * When the first sectors of a block all differ, the whole block is rewritten (one 64 KiB erase costs
 * less than four sector erases) and its other sectors need no hash.
 */
const REWRITE_BLOCK_AFTER = 2;
/**
 * After this many blocks in a row were rewritten whole, the board differs everywhere so far: the next
 * block is judged by the hash of its first page (SAMPLE bytes) instead of its block hash (64 KiB) — if
 * that page differs, the block is rewritten whole; if it matches, the block is hashed as usual. A board
 * that differs everywhere then costs one round trip per block to plan, not a pass over the chip; the
 * audit's one pass still proves every block afterwards.
 */
const SAMPLE_AFTER = 2;
const SAMPLE = 256;

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
  const pieces = scopePieces(scopeStart, scopeEnd, offset, end, opts.coarse ?? false);
  const known = opts.knownBlockMd5?.length === pieces.length ? opts.knownBlockMd5 : undefined;
  const blockMd5: Array<string | undefined> = pieces.map((_, i) => known?.[i]);
  const sectorMd5 = new Map<number, string>();
  const rewrite = new Set<number>();
  const dirtyStart = new Set<number>();

  // Only sectors the plan may write need a sector hash here (preserved gaps are looked at only if a
  // neighbour in their block gets written, below).
  const wanted = (p: Piece) => {
    for (let at = p.offset; at < p.offset + p.size; at += SECTOR) {
      const i = (at - offset) / SECTOR;
      if (at >= offset && at < end && !preserve.has(i)) return true;
    }
    return false;
  };
  // A block the plan may rewrite whole: a full block inside the image with nothing preserved.
  const whole = (p: Piece) =>
    p.size === BLOCK &&
    p.offset >= offset &&
    p.offset + p.size <= end &&
    !Array.from({ length: BLOCK / SECTOR }, (_, k) => (p.offset - offset) / SECTOR + k).some((i) =>
      preserve.has(i),
    );
  const rewriteWhole = (p: Piece) => {
    for (let s = p.offset; s < p.offset + p.size; s += SECTOR) rewrite.add(s / SECTOR);
  };

  const total = pieces.reduce((n, p) => n + p.size, 0);
  const started = performance.now();
  let done = 0;
  let inARow = 0;
  for (let i = 0; i < pieces.length; i++) {
    throwIfAborted(opts.signal, 'Hashing flash');
    const p = pieces[i]!;
    const first = p.offset / SECTOR;
    const count = Math.ceil(p.size / SECTOR);
    if (blockMd5[i] === undefined) {
      if (opts.full && whole(p)) {
        // Written whole whatever it holds: its hash would prove nothing the audit does not.
        rewriteWhole(p);
      } else if (!opts.full && inARow >= SAMPLE_AFTER && whole(p)) {
        const sample = image.subarray(p.offset - offset, p.offset - offset + SAMPLE);
        const h = await hashRange(session, p.offset, SAMPLE, opts);
        if (h !== md5Hex(sample)) {
          if (h !== blankMd5(SAMPLE)) dirtyStart.add(p.offset / BLOCK);
          rewriteWhole(p);
          inARow++;
        } else blockMd5[i] = await hashRange(session, p.offset, p.size, opts);
      } else blockMd5[i] = await hashRange(session, p.offset, p.size, opts);
    }
    done += p.size;
    opts.onProgress?.({ phase: 'hash', done, total, bytesPerSec: bytesPerSecSince(started, done) });
    const h = blockMd5[i];
    if (h === undefined) continue;
    if (isBlankMd5(h, p.size)) {
      for (let s = first; s < first + count; s++) sectorMd5.set(s, blankMd5(SECTOR));
      inARow = 0;
    } else if (
      p.offset >= offset &&
      p.offset + p.size <= end &&
      bufferPieceMd5s(image, offset, [p])[0] === h
    ) {
      for (let s = first; s < first + count; s++) sectorMd5.set(s, imageMd5[s - offset / SECTOR]!);
      inARow = 0;
    } else if (!opts.full && wanted(p)) {
      const whole_ = await hashDifferingBlock(session, p, whole(p), offset, end, imageMd5, sectorMd5, opts);
      if (whole_) rewriteWhole(p);
      inARow = whole_ ? inARow + 1 : 0;
    } else inARow = 0;
  }

  for (const p of pieces) {
    const h = sectorMd5.get(p.offset / SECTOR);
    if (p.offset % BLOCK === 0 && h !== undefined && h !== blankMd5(SECTOR)) dirtyStart.add(p.offset / BLOCK);
  }

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
    dirtyStart,
  };
}

/**
 * Sector hashes inside a block that differs; true when the block is to be rewritten whole (its first
 * sectors all differ, so its other sectors need no hash: a board that differs everywhere costs an
 * eighth of a pass here, not a second one). A block with a few scattered changes keeps its per-sector
 * plan (the user sees exactly the sectors that differ).
 */
async function hashDifferingBlock(
  session: EspSession,
  p: Piece,
  whole: boolean,
  offset: number,
  end: number,
  imageMd5: string[],
  into: Map<number, string>,
  opts: OpOptions,
): Promise<boolean> {
  let differ = 0;
  for (let at = p.offset; at < p.offset + p.size; at += SECTOR) {
    throwIfAborted(opts.signal, 'Hashing flash');
    const h =
      into.get(at / SECTOR) ?? (await hashRange(session, at, Math.min(SECTOR, p.offset + p.size - at), opts));
    into.set(at / SECTOR, h);
    if (at >= offset && at < end && h !== imageMd5[(at - offset) / SECTOR]) differ++;
    if (whole && differ >= REWRITE_BLOCK_AFTER && differ === (at - p.offset) / SECTOR + 1) {
      for (let s = at + SECTOR; s < p.offset + p.size; s += SECTOR) into.delete(s / SECTOR);
      return true;
    }
  }
  return false;
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
