/**
 * Writes an image onto a board sector-wise: compares per-sector MD5s and writes only the sectors that
 * differ (compressed), erases instead of writing where the image is blank, reports each finished run
 * (the restore journal records them), then verifies the whole range by MD5.
 */
import { throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { blankMd5, boardSectorMd5s, bufferSectorMd5s, runsOf, SECTOR } from './sector-map.js';
import { verifyOnBoard } from './verify.js';

export interface SectorWriteOptions extends OpOptions {
  /** Write every sector, without comparing first. */
  full?: boolean;
  /** Sector indexes (relative to offset) never to touch (e.g. preserved SDK config). */
  preserve?: Set<number>;
  /** Target's sector MD5s if already known (skips the hashing pass). */
  targetMd5?: string[];
  /** Called after each run is on flash: sector indexes relative to offset. */
  onRunWritten?: (sectors: number[]) => void | Promise<void>;
  /** Skip sectors already written (resume). */
  alreadyWritten?: Set<number>;
}

export interface SectorWritePlan {
  imageMd5: string[];
  targetMd5: string[] | null;
  write: number[];
  skip: number;
}

/** Which sectors differ; `image` length must be a multiple of 4096 (pad with 0xFF first). */
export async function planSectorWrite(
  session: EspSession,
  offset: number,
  image: Uint8Array,
  opts: SectorWriteOptions,
): Promise<SectorWritePlan> {
  const imageMd5 = bufferSectorMd5s(image);
  const targetMd5 = opts.full
    ? null
    : (opts.targetMd5 ?? (await boardSectorMd5s(session, offset, imageMd5.length * SECTOR, opts)));
  const write: number[] = [];
  imageMd5.forEach((h, i) => {
    if (opts.preserve?.has(i)) return;
    if (opts.alreadyWritten?.has(i)) return;
    if (!targetMd5 || targetMd5[i] !== h) write.push(i);
  });
  return { imageMd5, targetMd5, write, skip: imageMd5.length - write.length };
}

export async function writeSectors(
  session: EspSession,
  offset: number,
  image: Uint8Array,
  sectors: number[],
  imageMd5: string[],
  opts: SectorWriteOptions,
): Promise<{ sectors: number; bytes: number }> {
  const total = sectors.length * SECTOR;
  let done = 0;
  const started = performance.now();
  const blank = blankMd5(SECTOR);
  // Split runs where the image turns blank: blank stretches are erased, not programmed.
  const runs: Array<{ start: number; count: number; blank: boolean }> = [];
  for (const [start, count] of runsOf(sectors)) {
    for (let i = start; i < start + count; i++) {
      const isBlank = imageMd5[i] === blank;
      const last = runs[runs.length - 1];
      if (last && last.blank === isBlank && last.start + last.count === i) last.count++;
      else runs.push({ start: i, count: 1, blank: isBlank });
    }
  }
  for (const run of runs) {
    throwIfAborted(opts.signal, 'Writing flash');
    const at = offset + run.start * SECTOR;
    const base = done;
    const progress = (n: number) =>
      opts.onProgress?.({
        phase: 'write',
        done: base + n,
        total,
        bytesPerSec: (base + n) / Math.max(0.001, (performance.now() - started) / 1000),
      });
    if (run.blank && session.stub) {
      await session.eraseRegion(at, run.count * SECTOR);
    } else {
      await session.writeFlash(at, image.subarray(run.start * SECTOR, (run.start + run.count) * SECTOR), {
        onProgress: (p) => progress(Math.round((p.done / Math.max(1, p.total)) * run.count * SECTOR)),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    }
    done += run.count * SECTOR;
    progress(0);
    await opts.onRunWritten?.(Array.from({ length: run.count }, (_, k) => run.start + k));
  }
  return { sectors: sectors.length, bytes: total };
}

export { verifyOnBoard };
