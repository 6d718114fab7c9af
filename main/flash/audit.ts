/**
 * The audit that ends every write: the plan's scope is hashed again on the chip, block by block, and
 * compared with what the plan expects — the image where it wrote, the old content everywhere else. A
 * sector outside the plan that changed (a FLASH_BEGIN or ERASE_REGION whose offset or size was damaged
 * on the line) is named at once; planned sectors that do not match yet are returned for a retry.
 */
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { bufferPieceMd5s, hashPieces, hashRange } from './block-hashes.js';
import type { DiffPlan } from './diff-plan.js';
import { SECTOR } from './sector-map.js';

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
  opts: OpOptions = {},
): Promise<AuditResult> {
  const base = plan.offset / SECTOR;
  const expectSector = (s: number): string | undefined =>
    written.has(s - base) ? plan.imageMd5[s - base] : plan.sectorMd5.get(s);
  const now = await hashPieces(session, plan.pieces, {
    ...opts,
    onProgress: (p) => opts.onProgress?.({ ...p, phase: 'audit' }),
  });
  const out: AuditResult = { changedOutside: [], notWritten: [] };
  const end = plan.offset + image.length;
  for (let i = 0; i < plan.pieces.length; i++) {
    const p = plan.pieces[i]!;
    const sectors = Array.from({ length: Math.ceil(p.size / SECTOR) }, (_, k) => p.offset / SECTOR + k);
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
    if (expected !== undefined && expected === now[i]) continue;
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
  return out;
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
