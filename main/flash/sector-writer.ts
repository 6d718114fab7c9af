/**
 * Writes a planned set of sectors and proves it: wholly rewritten 64 KiB blocks are erased with one block
 * erase; blank stretches are erased rather than programmed; each finished run is reported (the restore
 * journal records it). Then the audit: planned sectors that do not hold the image are written again —
 * never before the audit has shown that nothing outside the plan changed — in smaller pieces if the same
 * ones keep failing.
 */
import { FlashbackError, throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';
import { auditWrite, collateralError } from './audit.js';
import { BLOCK } from './block-hashes.js';

const STUB_BLOCK = 0x4000;
import type { DiffPlan } from './diff-plan.js';
import { isRetryable, PieceSize, resync } from './recovery.js';
import { blankMd5, runsOf, SECTOR } from './sector-map.js';

export interface ProvenWriteOptions extends OpOptions {
  /** Called after each run is on flash: image-relative sector indexes. */
  onRunWritten?: (sectors: number[]) => void | Promise<void>;
  /** Use ERASE_REGION for blank stretches (restore: the audit covers the whole chip). A plan whose
   * audit covers only the blocks around it writes 0xFF instead, so a damaged size cannot reach far. */
  eraseBlank: boolean;
  /** How to get back what was there (the backup), for the error that says something outside changed. */
  undoHint: string;
  /** Image-relative sectors already on flash from an earlier, interrupted run (resume). */
  alreadyWritten?: Set<number>;
}

/** Write + audit rounds while every round still makes progress, and at most this many without. */
const MAX_ROUNDS = 40;
const MAX_STUCK_ROUNDS = 4;
const MAX_RUN = 0x100000;
const ERASE_SPAN = 2 * BLOCK;

interface Run {
  start: number;
  count: number;
  kind: 'data' | 'blank' | 'block-erase';
  /** A data run over whole blocks that the stub's own write erases (see planRuns). */
  selfErasing?: boolean;
}

/**
 * Cuts the planned sectors into runs: block erases for whole blocks, blank runs, data runs ≤ `max`.
 *
 * `trustPlan` (the plan's picture of the chip is still current): a wholly rewritten block full of data
 * whose first sector the plan saw not blank is left to the stub's write to erase. The v2 stub reads each
 * sector before erasing it while they are blank and erases everything without looking from the first
 * one that is not (notes 1.11), with one 64 KiB erase per aligned block. Erasing such a block first with
 * ERASE_REGION would cost a read of every sector it then writes (they are all blank by then), and a
 * stub without that check would erase them twice. The stream covers whole blocks only, so the stub
 * never falls back to sector erases, and it starts on a dirty sector, so it never reads.
 */
export function planRuns(
  plan: DiffPlan,
  sectors: number[],
  eraseBlank: boolean,
  max: number,
  trustPlan = false,
): Run[] {
  const blank = blankMd5(SECTOR);
  const per = BLOCK / SECTOR;
  const base = plan.offset / SECTOR;
  const set = new Set(sectors);
  const runs: Run[] = [];
  const firstOf = (block: number) => block * per - base;
  const wholeBlock = (i: number) => {
    const first = i - ((base + i) % per);
    for (let k = first; k < first + per; k++) if (!set.has(k)) return false;
    return true;
  };
  // Blocks the stub's stream erases, and the blocks each such stream starts at.
  const streamed = new Set<number>();
  const streamStart = new Set<number>();
  if (eraseBlank && trustPlan && max >= BLOCK) {
    const fullOfData = (b: number) => {
      for (let k = firstOf(b); k < firstOf(b) + per; k++)
        if (!set.has(k) || plan.imageMd5[k] === undefined || plan.imageMd5[k] === blank) return false;
      return true;
    };
    const blocks = [...new Set(sectors.map((i) => Math.floor((base + i) / per)))].sort((a, b) => a - b);
    let length = 0;
    for (const b of blocks) {
      if (!fullOfData(b)) continue;
      if (streamed.has(b - 1) && (length + per) * SECTOR <= max) {
        streamed.add(b);
        length += per;
      } else if (plan.dirtyStart.has(b)) {
        streamed.add(b);
        streamStart.add(b);
        length = per;
      }
    }
  }
  const blankOnChip = (b: number) => {
    if (!trustPlan) return false;
    for (let s = b * per; s < (b + 1) * per; s++) if (plan.sectorMd5.get(s) !== blank) return false;
    return true;
  };
  const erasedBlocks = new Set<number>();
  for (const [start, count] of runsOf(sectors)) {
    for (let i = start; i < start + count; i++) {
      const block = Math.floor((base + i) / per);
      if (streamed.has(block)) {
        const last = runs[runs.length - 1];
        if (streamStart.has(block) && i === firstOf(block))
          runs.push({ start: i, count: 1, kind: 'data', selfErasing: true });
        else last!.count++;
        continue;
      }
      if (eraseBlank && wholeBlock(i) && !erasedBlocks.has(block) && blankOnChip(block)) {
        // Nothing to erase: the plan saw the whole block blank (a new board).
        erasedBlocks.add(block);
      } else if (eraseBlank && wholeBlock(i) && !erasedBlocks.has(block)) {
        // One erase command for up to two wholly rewritten blocks in a row: each exchange saved is a
        // round trip, and the chip erases them block by block either way. Not more: the wait for the
        // reply scales with the size, and a board that stops answering must be noticed in seconds.
        let count = 0;
        const span = Math.min(max, ERASE_SPAN);
        while (
          (count + per) * SECTOR <= Math.max(span, BLOCK) &&
          !streamed.has(block + count / per) &&
          (count === 0 || !blankOnChip(block + count / per)) &&
          wholeBlock(firstOf(block) + count)
        ) {
          erasedBlocks.add(block + count / per);
          count += per;
        }
        runs.push({ start: firstOf(block), count, kind: 'block-erase' });
      }
      const isBlank = plan.imageMd5[i] === blank;
      // Inside an erased block, blank sectors are done already.
      if (isBlank && eraseBlank && erasedBlocks.has(block)) continue;
      const kind = isBlank && eraseBlank ? 'blank' : 'data';
      const last = runs[runs.length - 1];
      if (
        last &&
        last.kind === kind &&
        !last.selfErasing &&
        last.start + last.count === i &&
        (last.count + 1) * SECTOR <= max
      )
        last.count++;
      else runs.push({ start: i, count: 1, kind });
    }
  }
  return runs;
}

export interface ProvenWriteResult {
  sectors: number;
  bytes: number;
  /** Write rounds needed (1 = no retry). */
  rounds: number;
}

export async function writeProven(
  session: EspSession,
  plan: DiffPlan,
  image: Uint8Array,
  opts: ProvenWriteOptions,
): Promise<ProvenWriteResult> {
  const written = new Set<number>([...(opts.alreadyWritten ?? []), ...plan.write]);
  const size = new PieceSize(MAX_RUN, SECTOR);
  const block = new PieceSize(STUB_BLOCK, 0x400);
  let pending = plan.write;
  let lastError: unknown = null;
  let stuck = 0;
  for (let round = 1; round <= MAX_ROUNDS && stuck < MAX_STUCK_ROUNDS; round++) {
    lastError = null;
    let clean = false;
    if (pending.length) {
      try {
        // Only the first round may trust the plan's picture of the chip: a failed round changed it.
        const runs = planRuns(plan, pending, opts.eraseBlank, size.size, round === 1);
        await writeRuns(session, plan, image, runs, {
          ...opts,
          blockSize: block.size,
        });
        size.succeeded();
        block.succeeded();
        clean = true;
      } catch (e) {
        if (!isRetryable(e)) throw e;
        lastError = e;
        size.failed();
        block.failed();
        opts.log?.(`Writing failed (${(e as Error).message}); checking the whole plan before trying again.`);
        await resync(session);
      }
    }
    // The audit: never retry (or report success) before it.
    const audit = await auditWrite(session, plan, image, written, { ...opts, spans: clean });
    if (audit.changedOutside.length) throw collateralError(audit.changedOutside, opts.undoHint);
    if (clean && audit.notWritten.length && !plan.wholeChip) {
      // Every command was acknowledged, yet the data is not where it was sent: a begin command's offset
      // was damaged on the line and the data went elsewhere, outside what this plan hashed.
      throw new FlashbackError(
        'OUTSIDE_PLAN_CHANGED',
        `The data written for 0x${(plan.offset + audit.notWritten[0]! * SECTOR).toString(16)} did not arrive there although the chip acknowledged it: a command was damaged on the line and the data may have landed elsewhere on the chip; nothing more was written`,
        `${opts.undoHint} Then lower the baud rate (--baud 115200) and write again.`,
        { notWritten: audit.notWritten.map((i) => plan.offset + i * SECTOR) },
      );
    }
    if (!audit.notWritten.length) {
      return { sectors: plan.write.length, bytes: plan.write.length * SECTOR, rounds: round };
    }
    stuck = audit.notWritten.length >= pending.length ? stuck + 1 : 0;
    pending = audit.notWritten;
    if (round < MAX_ROUNDS && stuck < MAX_STUCK_ROUNDS)
      opts.log?.(
        `${pending.length} planned sector(s) do not hold the image yet (first at 0x${(plan.offset + pending[0]! * SECTOR).toString(16)}); nothing else changed; writing them again.`,
      );
  }
  if (lastError instanceof FlashbackError) throw lastError;
  throw new FlashbackError(
    'MD5_MISMATCH',
    `${pending.length} sector(s) still differ from the image after repeated tries (first at 0x${(plan.offset + pending[0]! * SECTOR).toString(16)}); nothing outside the plan changed`,
    'Lower the baud rate (--baud 115200); if it repeats the flash may be write-protected or failing.',
    { notWritten: pending.map((i) => plan.offset + i * SECTOR) },
  );
}

async function writeRuns(
  session: EspSession,
  plan: DiffPlan,
  image: Uint8Array,
  runs: Run[],
  opts: ProvenWriteOptions & { blockSize: number },
): Promise<void> {
  const total = runs.reduce((n, r) => n + (r.kind === 'data' ? r.count * SECTOR : 0), 0);
  let done = 0;
  const started = performance.now();
  const progress = (n: number) =>
    opts.onProgress?.({
      phase: 'write',
      done: n,
      total,
      bytesPerSec: bytesPerSecSince(started, n),
    });
  for (const run of runs) {
    throwIfAborted(opts.signal, 'Writing flash');
    const at = plan.offset + run.start * SECTOR;
    if (run.kind !== 'data') {
      await session.eraseRegion(at, run.count * SECTOR, opts.signal ? { signal: opts.signal } : {});
      if (run.kind === 'block-erase') continue; // its sectors are reported by their own runs
    } else {
      const base = done;
      await session.writeFlash(at, image.subarray(run.start * SECTOR, (run.start + run.count) * SECTOR), {
        blockSize: opts.blockSize,
        onProgress: (p) => progress(base + Math.round((p.done / Math.max(1, p.total)) * run.count * SECTOR)),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      done += run.count * SECTOR;
      progress(done);
    }
    await opts.onRunWritten?.(Array.from({ length: run.count }, (_, k) => run.start + k));
  }
}
