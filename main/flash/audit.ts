/**
 * The audit that ends every write: the plan's scope is hashed again on the chip, in one pass (runs of
 * blocks whose every byte the plan knows at once, the other blocks one by one), and compared with what
 * the plan expects: the image where it wrote, the old content everywhere else. A sector outside the
 * plan that changed (a FLASH_BEGIN or ERASE_REGION whose offset or size was damaged
 * on the line) is named at once; planned sectors that do not match yet are returned for a retry.
 */
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';
import { bufferPieceMd5s, hashRange, type Piece } from './block-hashes.js';
import type { DiffPlan } from './diff-plan.js';
import { blankMd5, md5Hex, SECTOR } from './sector-map.js';

/** The most one audit MD5 covers (a run of pieces whose content the plan knows), for progress. */
const AUDIT_SPAN = 0x40000;

export interface AuditResult {
  /** Flash offsets of sectors outside the plan whose content changed. */
  changedOutside: number[];
  /** Image-relative indexes of planned sectors that do not hold the image yet. */
  notWritten: number[];
}

/**
 * `written`: image-relative sectors the job meant to put on flash (the plan's, plus those a resumed job
 * had already written).
 */
export async function auditWrite(
  session: EspSession,
  plan: DiffPlan,
  image: Uint8Array,
  written: Set<number>,
  opts: OpOptions & {
    /** Check runs of known blocks with one MD5 (default). Off after a failed write: mismatches are
     * expected, and small commands fare better on a line that damages them. */
    spans?: boolean;
  } = {},
): Promise<AuditResult> {
  const base = plan.offset / SECTOR;
  const blank = blankMd5(SECTOR);
  const expectSector = (s: number): string | undefined =>
    written.has(s - base) ? plan.imageMd5[s - base] : plan.sectorMd5.get(s);
  const end = plan.offset + image.length;
  const sectorsOf = (p: Piece) =>
    Array.from({ length: Math.ceil(p.size / SECTOR) }, (_, k) => p.offset / SECTOR + k);
  const out: AuditResult = { changedOutside: [], notWritten: [] };
  const total = plan.pieces.reduce((n, p) => n + p.size, 0);
  const started = performance.now();
  let done = 0;
  const progress = (n: number) => {
    done += n;
    opts.onProgress?.({ phase: 'audit', done, total, bytesPerSec: bytesPerSecSince(started, done) });
  };

  // Pieces whose every byte the plan knows (the image where it wrote, 0xFF where it found blank) are
  // checked several at a time: one MD5 over a run of them, so a chip the plan rewrote costs one pass
  // in a few commands. A run that does not match is looked at piece by piece below.
  const known = plan.pieces.map((p) => expectedBytes(p, sectorsOf(p)));
  const settled = new Set<number>();
  for (let i = 0; opts.spans !== false && i < plan.pieces.length;) {
    let j = i;
    let size = 0;
    while (j < plan.pieces.length && known[j] && size + plan.pieces[j]!.size <= AUDIT_SPAN) {
      size += plan.pieces[j]!.size;
      j++;
    }
    if (j - i < 2) {
      i = Math.max(j, i + 1);
      continue;
    }
    const want = md5Hex(Buffer.concat(known.slice(i, j) as Uint8Array[]));
    if ((await hashRange(session, plan.pieces[i]!.offset, size, opts)) === want) {
      for (let k = i; k < j; k++) settled.add(k);
      progress(size);
    }
    i = j;
  }

  for (let i = 0; i < plan.pieces.length; i++) {
    if (settled.has(i)) continue;
    const p = plan.pieces[i]!;
    const sectors = sectorsOf(p);
    const touched = sectors.some((s) => written.has(s - base));
    // What the whole block must hash to, when that is known without looking at its sectors.
    let expected: string | undefined;
    if (!touched) expected = plan.blockMd5[i];
    else if (
      p.offset >= plan.offset &&
      p.offset + p.size <= end &&
      sectors.every((s) => expectSector(s) === plan.imageMd5[s - base])
    )
      expected = bufferPieceMd5s(image, plan.offset, [p])[0];
    else if (known[i]) expected = md5Hex(known[i]!);
    // A plan leaves a block unhashed only when it writes all of it.
    if (!touched && expected === undefined)
      throw new Error(`audit: no before-hash for 0x${p.offset.toString(16)}`);
    const now = await hashRange(session, p.offset, p.size, opts);
    progress(p.size);
    if (expected !== undefined && expected === now) continue;
    // A mismatch is looked at twice (the hash command itself may have been damaged on the line).
    if (expected !== undefined && (await hashRange(session, p.offset, p.size, opts)) === expected) continue;
    if (!touched && sectors.some((s) => expectSector(s) === undefined)) {
      out.changedOutside.push(p.offset);
      continue;
    }
    for (const s of sectors) {
      const want = expectSector(s);
      const at = s * SECTOR;
      const size = Math.min(SECTOR, p.offset + p.size - at);
      if (want === (await hashRange(session, at, size, opts))) continue;
      if (written.has(s - base)) out.notWritten.push(s - base);
      else if (want !== (await hashRange(session, at, size, opts))) out.changedOutside.push(at);
    }
  }
  out.notWritten.sort((a, b) => a - b);
  out.changedOutside.sort((a, b) => a - b);
  return out;

  /** The bytes a piece must hold after the write, when the plan knows all of them. */
  function expectedBytes(p: Piece, sectors: number[]): Uint8Array | null {
    if (p.size % SECTOR) return null;
    const bytes = new Uint8Array(p.size);
    for (const s of sectors) {
      const at = s * SECTOR - p.offset;
      if (written.has(s - base)) {
        const from = s * SECTOR - plan.offset;
        if (from + SECTOR > image.length) return null;
        bytes.set(image.subarray(from, from + SECTOR), at);
      } else if (expectSector(s) === blank) bytes.fill(0xff, at, at + SECTOR);
      else return null;
    }
    return bytes;
  }
}

/** The error for a write that changed flash outside its plan: said at once, with the way back. */
export function collateralError(changed: number[], undo: string): FlashbackError {
  const list = changed
    .slice(0, 8)
    .map((o) => `0x${o.toString(16)}`)
    .join(', ');
  return new FlashbackError(
    'OUTSIDE_PLAN_CHANGED',
    `${changed.length} sector(s) outside the plan changed while writing (${list}${changed.length > 8 ? ', …' : ''}): a command was damaged on the line; nothing more was written`,
    undo,
    { changedOutside: changed },
  );
}
