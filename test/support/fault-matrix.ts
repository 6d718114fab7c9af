/**
 * The fault matrix (issue 11): jobs (backup, restore, raw write) on virtual boards whose line drops
 * bytes, corrupts whole frames (headers included) in either direction, is cut at 10/50/90 % of the job
 * (then resumed, as a user would), erases 20× slower, or sits behind a real pty whose board side stops
 * reading mid-job (the job must end loudly; then the board is unplugged and plugged back in and the job
 * resumed, as a user would). Every run's result is checked byte for byte
 * against the board: a job that reports success with wrong bytes, or that changed flash outside its plan
 * without saying so, is a silent corruption. Used small by `npm test` and in full by `npm run bench`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupBoard, executeRestore, writeRegion } from '../../main/flash/index.js';
import { FlashbackError } from '../../main/errors.js';
import {
  closeVirtualBoard,
  openVirtualBoard,
  VirtualBoard,
  type FaultOptions,
} from '../../main/sim/index.js';
import { registerVirtualBoards } from '../../main/sim/virtual-link.js';
import { boardBehindPty, socat } from './stalled-pty.js';

// Outside vitest (npm run bench) nothing else registers the virtual: ports.
registerVirtualBoards();

export type Job = 'backup' | 'restore' | 'write';
export type Outcome = 'completed' | 'completed after resume' | 'failed loudly' | 'silent corruption';

/** The matrix's stalled-pty family needs socat; without it that family is left out (and said so). */
export const canStallPty = !socat.missing;

export interface MatrixCase {
  job: Job;
  /** Label of the fault family for the table. */
  family: string;
  /** The faults, or a function of the clean job's byte count (disconnect at a fraction). */
  faults: FaultOptions | ((totalBytes: number) => FaultOptions);
  pace?: boolean;
  /** Behind a real pty whose board side stops reading after this fraction of a clean run's bytes. */
  stallAt?: number;
}

export interface Fixture {
  /** What the target holds before the job. */
  target: Uint8Array;
  /** Restore: the image; write: the data written at WRITE_AT. */
  image: Uint8Array;
}

export const WRITE_AT = 0x80000;

export interface RunResult {
  case: MatrixCase;
  outcome: Outcome;
  detail: string;
}

let seq = 0;
const baud = 921600;

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

function open(name: string, flash: Uint8Array, faults: FaultOptions, pace: boolean) {
  return openVirtualBoard(name, {
    pace,
    faults,
    create: { flash: Uint8Array.from(flash), flashSize: flash.length, mac: '18:fe:34:fa:01:7e' },
  });
}

/** What the flash must hold after the job succeeds. */
function expected(job: Job, fx: Fixture): Uint8Array {
  if (job === 'backup') return fx.target;
  if (job === 'restore') {
    const out = Uint8Array.from(fx.target);
    out.set(fx.image);
    return out;
  }
  const out = Uint8Array.from(fx.target);
  out.set(fx.image, WRITE_AT);
  return out;
}

/** The sectors a job may change (its plan): where target and result differ. */
function outsidePlanChanged(before: Uint8Array, want: Uint8Array, now: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at < before.length; at += 4096) {
    const b = before.subarray(at, at + 4096);
    const w = want.subarray(at, at + 4096);
    if (same(b, w) && !same(b, now.subarray(at, at + 4096))) out.push(at);
  }
  return out;
}

async function runJob(
  job: Job,
  port: string,
  fx: Fixture,
  dir: string,
  resume: boolean,
): Promise<Uint8Array | null> {
  // A pty has no DTR/RTS: its boards wait in the loader and are connected to without a reset.
  const before = port.startsWith('virtual:') ? undefined : ('no-reset' as const);
  const target = { port, baud, after: 'no-reset' as const, ...(before ? { before } : {}) };
  if (job === 'backup') {
    const out = path.join(dir, `backup-${seq++}.bin`);
    await backupBoard({ ...target, out, library: null });
    return new Uint8Array(fs.readFileSync(out));
  }
  if (job === 'restore') {
    const img = path.join(dir, 'image.bin');
    if (!fs.existsSync(img)) fs.writeFileSync(img, fx.image);
    await executeRestore(resume ? { ...target, resume: true } : { ...target, image: img });
    return null;
  }
  await writeRegion({ ...target, offset: WRITE_AT }, fx.image);
  return null;
}

const cleanBytes = new Map<string, number>();

/** Bytes that cross the line in a fault-free run of the job (to place a disconnect at a fraction). */
async function bytesOfCleanRun(job: Job, fx: Fixture, dir: string): Promise<number> {
  const key = `${job}:${fx.target.length}`;
  const known = cleanBytes.get(key);
  if (known) return known;
  const name = `mx-clean-${seq++}`;
  const b = open(name, fx.target, { disconnectAfter: Number.MAX_SAFE_INTEGER }, false);
  try {
    await runJob(job, `virtual:${name}`, fx, dir, false);
    const n = (b.board.uart as unknown as { totalBytes: number }).totalBytes;
    cleanBytes.set(key, n);
    return n;
  } finally {
    closeVirtualBoard(name);
  }
}

export async function runCase(c: MatrixCase, fx: Fixture, dir: string): Promise<RunResult> {
  if (c.stallAt !== undefined) return runStallCase(c, c.stallAt, fx, dir);
  const faults = typeof c.faults === 'function' ? c.faults(await bytesOfCleanRun(c.job, fx, dir)) : c.faults;
  const name = `mx-${seq++}`;
  const want = expected(c.job, fx);
  const board = open(name, fx.target, faults, c.pace ?? false);
  const port = `virtual:${name}`;
  const verdict = (outcome: Outcome, detail: string): RunResult => ({ case: c, outcome, detail });
  try {
    let got: Uint8Array | null;
    try {
      got = await runJob(c.job, port, fx, dir, false);
    } catch (e) {
      if (!(e instanceof FlashbackError))
        return verdict('silent corruption', `not a typed error: ${String(e)}`);
      const now = board.board.flash.snapshot();
      const stray = outsidePlanChanged(fx.target, want, now);
      if (stray.length && e.code !== 'OUTSIDE_PLAN_CHANGED')
        return verdict(
          'silent corruption',
          `${stray.length} sector(s) outside the plan changed; error said: ${e.message}`,
        );
      if (!faults.disconnectAfter) return verdict('failed loudly', `${e.code}: ${e.message}`);
      // The cable was pulled: plug it back in (same board, no fault) and resume as the hint says.
      closeVirtualBoard(name);
      const back = openVirtualBoard(name, { pace: false });
      try {
        got = await runJob(c.job, port, fx, dir, c.job === 'restore' && e.details?.journal === true);
      } catch (e2) {
        return verdict('failed loudly', `after resume: ${(e2 as Error).message}`);
      }
      const now2 = back.board.flash.snapshot();
      if (!same(got ?? now2, want))
        return verdict('silent corruption', 'resumed job reported success with wrong bytes');
      return verdict('completed after resume', `first run: ${e.code}`);
    }
    const now = board.board.flash.snapshot();
    if (!same(got ?? now, want)) return verdict('silent corruption', 'job reported success with wrong bytes');
    return verdict('completed', '');
  } finally {
    closeVirtualBoard(name);
  }
}

/** A powered-on board in download mode (a pty has no DTR/RTS to reset it into the loader). */
function ptyBoard(flash: Uint8Array): VirtualBoard {
  const board = new VirtualBoard({
    flash: Uint8Array.from(flash),
    flashSize: flash.length,
    jedecId: [0xef, 0x40, Math.log2(flash.length)],
    mac: '18:fe:34:fa:01:7f',
    bootMode: 'download',
    pace: false,
  });
  board.powerOn();
  return board;
}

const cleanPtyBytes = new Map<string, number>();

/** Bytes (both ways) of a fault-free run of the job over the pty, to stall at a fraction of it. */
async function ptyBytesOfCleanRun(job: Job, fx: Fixture, dir: string): Promise<number> {
  const key = `${job}:${fx.target.length}`;
  const known = cleanPtyBytes.get(key);
  if (known) return known;
  const board = ptyBoard(fx.target);
  const pty = await boardBehindPty(board);
  try {
    await runJob(job, pty.path, fx, dir, false);
    const n = pty.received + pty.sent;
    cleanPtyBytes.set(key, n);
    return n;
  } finally {
    await pty.close();
    board.close();
  }
}

/**
 * The board side of the pty stops reading and answering mid-job. The job must end loudly (PORT_STALLED
 * once a session runs, saying how far it got) with nothing outside its plan changed; then the user
 * does what the error says: unplugs and replugs the board (a new pty, the board powered up again with
 * the flash as the stall left it) and runs the job again, with `--resume` for a restore that left a
 * journal. Counted "completed after resume": the user had to act.
 */
async function runStallCase(c: MatrixCase, at: number, fx: Fixture, dir: string): Promise<RunResult> {
  const verdict = (outcome: Outcome, detail: string): RunResult => ({ case: c, outcome, detail });
  const want = expected(c.job, fx);
  const stallAfter = Math.round((await ptyBytesOfCleanRun(c.job, fx, dir)) * at);
  const board = ptyBoard(fx.target);
  const pty = await boardBehindPty(board);
  let first: FlashbackError;
  let left: Uint8Array;
  try {
    pty.deafenAfter(stallAfter);
    try {
      const got = await runJob(c.job, pty.path, fx, dir, false);
      const now = board.flash.snapshot();
      if (!same(got ?? now, want))
        return verdict('silent corruption', 'job reported success with wrong bytes');
      return verdict('completed', 'finished before the stall');
    } catch (e) {
      if (!(e instanceof FlashbackError))
        return verdict('silent corruption', `not a typed error: ${String(e)}`);
      first = e;
    }
    const stray = outsidePlanChanged(fx.target, want, board.flash.snapshot());
    if (stray.length && first.code !== 'OUTSIDE_PLAN_CHANGED')
      return verdict(
        'silent corruption',
        `${stray.length} sector(s) outside the plan changed; error said: ${first.message}`,
      );
  } finally {
    left = board.flash.snapshot();
    await pty.close();
    board.close();
  }
  const said = `first run: ${first.code}: ${first.message}`;
  // Unplugged and plugged back in: the board starts again from its flash, on a new port name.
  const back = ptyBoard(left);
  const pty2 = await boardBehindPty(back);
  try {
    const resume = c.job === 'restore' && first.details?.journal === true;
    let got: Uint8Array | null;
    try {
      got = await runJob(c.job, pty2.path, fx, dir, resume);
    } catch (e) {
      return verdict('failed loudly', `${said}; after replug: ${(e as Error).message}`);
    }
    if (!same(got ?? back.flash.snapshot(), want))
      return verdict('silent corruption', 'resumed job reported success with wrong bytes');
    return verdict('completed after resume', said);
  } finally {
    await pty2.close();
    back.close();
  }
}

/** The matrix, `n` runs per family (seeds vary the rates across the ranges). */
export function matrixCases(
  jobs: Job[],
  n: number,
  opts: { slowErase?: boolean; stallAt?: number[] } = {},
): MatrixCase[] {
  const out: MatrixCase[] = [];
  // Rates spread over the ranges; a single run takes the middle.
  const pick = (lo: number, hi: number, i: number) =>
    n === 1 ? Math.round((lo + hi) / 2) : Math.round(lo + ((hi - lo) * (i % n)) / (n - 1));
  for (const job of jobs) {
    for (let i = 0; i < n; i++) {
      out.push({ job, family: 'drop 1 byte per 20–100 kB', faults: { dropEvery: pick(20_000, 100_000, i) } });
      out.push({
        job,
        family: 'corrupt 1 frame per 50–300, host → board',
        faults: { corruptFrameEvery: pick(50, 300, i) + (i % 7), direction: 'to-board' },
      });
      out.push({
        job,
        family: 'corrupt 1 frame per 50–300, board → host',
        faults: { corruptFrameEvery: pick(50, 300, i) + (i % 5), direction: 'to-host' },
      });
    }
    for (const f of [0.1, 0.5, 0.9])
      out.push({
        job,
        family: 'disconnect at 10/50/90 %, then resume',
        faults: (total) => ({ disconnectAfter: Math.round(total * f) }),
      });
    if (opts.slowErase && job !== 'backup')
      out.push({ job, family: 'erase ×20 slower (paced)', faults: { slowErase: 20 }, pace: true });
    if (canStallPty)
      for (const at of opts.stallAt ?? [])
        out.push({
          job,
          family: 'stalled pty mid-job, then replug + resume',
          faults: {},
          stallAt: at,
        });
  }
  return out;
}

export interface MatrixRow {
  family: string;
  runs: number;
  completed: number;
  /** Of `completed`: runs the user had to finish (reconnect the board, run again / --resume). */
  afterResume: number;
  failedLoudly: number;
  silent: number;
}

export function summarize(results: RunResult[]): MatrixRow[] {
  const rows = new Map<string, MatrixRow>();
  for (const r of results) {
    const key = `${r.case.job}: ${r.case.family}`;
    const row = rows.get(key) ?? {
      family: key,
      runs: 0,
      completed: 0,
      afterResume: 0,
      failedLoudly: 0,
      silent: 0,
    };
    row.runs++;
    if (r.outcome === 'completed') row.completed++;
    else if (r.outcome === 'completed after resume') {
      row.completed++;
      row.afterResume++;
    } else if (r.outcome === 'failed loudly') row.failedLoudly++;
    else row.silent++;
    rows.set(key, row);
  }
  return [...rows.values()];
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'flashback-matrix-'));
}

/** Incompressible, repeatable bytes (MD5 of seed + offset): a dense board or a write no one can guess. */
export function pseudoRandom(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 16)
    out.set(
      createHash('md5')
        .update(`${seed}${i}`)
        .digest()
        .subarray(0, Math.min(16, size - i)),
      i,
    );
  return out;
}
