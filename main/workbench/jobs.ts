/**
 * Long operations as jobs: each gets an id, an AbortController (cancel) and a snapshot that is pushed
 * as `job` events. Progress is throttled (at most one event per `throttleMs` per job, plus the last)
 * because a 4 MB backup reports thousands of blocks and IPC should not carry them all (STYLE.md 6).
 */
import { randomUUID } from 'node:crypto';
import { abortedError, type ErrorData, toErrorData } from '../errors.js';
import type { OpOptions, Progress, UserPrompt } from '../progress.js';
import type { JobKind, JobResults, JobSnapshot, ProgressInfo } from './api.js';

export type JobBody<K extends JobKind> = (opts: OpOptions, jobId: string) => Promise<JobResults[K]>;

export function toProgressInfo(p: Progress): ProgressInfo {
  const left = p.total - p.done;
  return {
    phase: p.phase,
    done: p.done,
    total: p.total,
    bytesPerSec: p.bytesPerSec,
    etaSec: p.bytesPerSec > 0 && left > 0 ? left / p.bytesPerSec : left <= 0 ? 0 : null,
  };
}

/** The "half written" facts a restore's error carries (see main/flash/restore.ts `interrupted`). */
export function interruptedOf(e: ErrorData): JobSnapshot['interrupted'] {
  const d = e.details;
  if (!d?.journal || typeof d.written !== 'number' || typeof d.planned !== 'number') return undefined;
  return {
    written: d.written,
    planned: d.planned,
    backupId: typeof d.backupId === 'string' ? d.backupId : null,
  };
}

/** Finished jobs remembered for `jobs.list` (a reloaded page or a second tab sees them). */
const KEEP_ENDED = 100;

export class JobRunner {
  private readonly jobs = new Map<
    string,
    { snap: JobSnapshot; ctrl: AbortController; done: Promise<void> }
  >();

  constructor(
    private readonly emit: (job: JobSnapshot) => void,
    private readonly log: (jobId: string, line: string) => void,
    private readonly throttleMs = 100,
  ) {}

  start<K extends JobKind>(kind: K, port: string | null, body: JobBody<K>): JobSnapshot<K> {
    const id = randomUUID().slice(0, 8);
    const ctrl = new AbortController();
    const snap: JobSnapshot<K> = { id, kind, port, state: 'running', progress: null, startedAt: Date.now() };
    let lastSent = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const send = () => {
      pending = undefined;
      lastSent = Date.now();
      this.emit({ ...snap });
    };
    const onProgress = (p: Progress) => {
      if (snap.state !== 'running') return;
      const phaseChanged = snap.progress?.phase !== p.phase;
      snap.progress = toProgressInfo(p);
      if (phaseChanged || Date.now() - lastSent >= this.throttleMs) {
        if (pending) clearTimeout(pending);
        send();
      } else if (!pending) pending = setTimeout(send, this.throttleMs);
    };
    const done = (async () => {
      try {
        const onPrompt = (p: UserPrompt | null) => {
          snap.prompt = p;
          send();
        };
        const result = await body(
          { onProgress, signal: ctrl.signal, log: (line) => this.log(id, line), onPrompt },
          id,
        );
        // An operation that finished despite a late cancel still reports its real result.
        snap.result = result;
        snap.state = 'done';
      } catch (e) {
        const error =
          ctrl.signal.aborted && !(e as { code?: string }).code
            ? toErrorData(abortedError())
            : toErrorData(e);
        snap.error = error;
        snap.state = error.code === 'ABORTED' ? 'cancelled' : 'failed';
        const half = interruptedOf(error);
        if (half) snap.interrupted = half;
      } finally {
        if (pending) clearTimeout(pending);
        snap.prompt = null;
        snap.endedAt = Date.now();
        this.emit({ ...snap });
      }
    })();
    this.jobs.set(id, { snap: snap, ctrl, done });
    this.forgetOld();
    this.emit({ ...snap });
    return snap;
  }

  /** A host that runs for weeks keeps the last KEEP_ENDED finished jobs (running ones always). */
  private forgetOld(): void {
    const ended = [...this.jobs.entries()].filter(([, j]) => j.snap.state !== 'running');
    for (const [id] of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.jobs.delete(id);
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.snap.state !== 'running') return false;
    job.ctrl.abort();
    return true;
  }

  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((j) => ({ ...j.snap }));
  }

  get(id: string): JobSnapshot | undefined {
    const j = this.jobs.get(id);
    return j ? { ...j.snap } : undefined;
  }

  /** Resolves when the job has ended (whatever its outcome). */
  async wait(id: string): Promise<JobSnapshot | undefined> {
    await this.jobs.get(id)?.done;
    return this.get(id);
  }

  /** Cancels every running job and waits for them to stop (app quit: ports must close cleanly). */
  async cancelAll(): Promise<void> {
    for (const j of this.jobs.values()) if (j.snap.state === 'running') j.ctrl.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}
