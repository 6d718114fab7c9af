/** A job's progress bar with phase, rate and ETA, a Cancel button, and its error panel when it fails. */
import type { JobSnapshot } from '../../main/workbench/api.js';
import { useCancelJob } from '../api/jobs.js';
import { bytes, duration, rate } from '../format.js';
import { useApp } from '../store/index.js';
import { ErrorPanel } from './ErrorPanel.js';
import { ResetPrompt } from './ResetPrompt.js';

export function useJob(jobId: string | null): JobSnapshot | null {
  return useApp((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
}

/** A write that stopped part-way: never just "cancelled" — the board is half written and needs a way out. */
export function HalfWritten({
  job,
  label,
  onResume,
  onUndo,
}: {
  job: JobSnapshot;
  label: string;
  onResume?: () => void;
  onUndo?: (backupId: string) => void;
}) {
  const half = job.interrupted!;
  return (
    <div className="error-panel half-written" role="alert" aria-label={`${label} interrupted`}>
      <p className="error-title">
        <strong>
          Half written: {half.written} of {half.planned} sectors
        </strong>{' '}
        {job.error ? <code className="error-code">{job.error.code}</code> : null}
      </p>
      <p className="error-message">
        {label} {job.state === 'cancelled' ? 'was cancelled' : 'stopped'} part-way
        {job.error ? ` (${job.error.message})` : ''}. The board may not boot until you finish it or put back
        what was there.
      </p>
      <div className="actions">
        {onResume ? (
          <button type="button" onClick={onResume}>
            Resume: write the remaining sectors
          </button>
        ) : null}
        {onUndo && half.backupId ? (
          <button type="button" className="secondary" onClick={() => onUndo(half.backupId!)}>
            Undo: restore the board's own backup
          </button>
        ) : null}
      </div>
      {!half.backupId ? (
        <p className="error-hint">
          No backup of this board was taken before writing, so only Resume is offered.
        </p>
      ) : null}
    </div>
  );
}

export function JobProgress({
  jobId,
  label,
  onRetry,
  onResume,
  onUndo,
  unit = 'bytes',
}: {
  jobId: string | null;
  label: string;
  onRetry?: () => void;
  /** For writes: shown with "half written" when the job stopped part-way. */
  onResume?: () => void;
  onUndo?: (backupId: string) => void;
  /** What `done`/`total` count: bytes (flash jobs) or milliseconds (the MQTT check's watch window). */
  unit?: 'bytes' | 'ms';
}) {
  const job = useJob(jobId);
  const cancel = useCancelJob();
  if (!job) return null;
  if (job.interrupted && job.state !== 'running')
    return <HalfWritten job={job} label={label} onResume={onResume} onUndo={onUndo} />;
  if (job.state === 'failed')
    return <ErrorPanel error={job.error!} title={`${label} failed`} onRetry={onRetry} />;
  if (job.state === 'cancelled') {
    return (
      <div className="notice" role="status">
        {label} cancelled.{' '}
        {onRetry ? (
          <button type="button" onClick={onRetry}>
            Start again
          </button>
        ) : null}
      </div>
    );
  }
  if (job.state === 'done') return null;
  const p = job.progress;
  const pct = p && p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : null;
  return (
    <div className="job-progress" aria-live="polite">
      {job.prompt ? <ResetPrompt prompt={job.prompt} /> : null}
      <div className="job-progress-head">
        <span>
          {label}: <strong>{p?.phase ?? 'starting'}</strong>
        </span>
        <button type="button" className="secondary" onClick={() => cancel(job.id)}>
          Cancel
        </button>
      </div>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${label} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
      >
        <div className="bar-fill" style={{ width: `${pct ?? 0}%` }} />
      </div>
      <div className="job-progress-stats">
        <span>{pct === null ? '…' : `${pct} %`}</span>
        {p && p.total > 1 && unit === 'bytes' ? <span>{`${bytes(p.done)} of ${bytes(p.total)}`}</span> : null}
        {p && unit === 'bytes' ? <span>Rate {rate(p.bytesPerSec)}</span> : null}
        {p && unit === 'ms' ? (
          <span>{`${Math.round(p.done / 1000)} s of ${Math.round(p.total / 1000)} s`}</span>
        ) : null}
        <span>ETA {duration(unit === 'ms' && p ? (p.total - p.done) / 1000 : (p?.etaSec ?? null))}</span>
      </div>
    </div>
  );
}
