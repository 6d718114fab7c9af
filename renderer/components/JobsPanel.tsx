/**
 * Every job the workbench runs or ran, whichever tab or window started it (events reach all of them),
 * so a reload or a second tab can see and cancel a running write (issue 11: reattach). Running jobs
 * first, then the most recent; a write that stopped part-way says so.
 */
import type { JobSnapshot } from '../../main/workbench/api.js';
import { useCancelJob } from '../api/jobs.js';
import { useApp } from '../store/index.js';

const LABELS: Record<string, string> = {
  detect: 'Detect',
  backup: 'Back up',
  'plan-restore': 'Plan restore',
  restore: 'Restore',
  verify: 'Verify',
  compare: 'Compare',
  'mqtt-check': 'MQTT check',
  'plan-write': 'Plan write',
  write: 'Write',
  'verify-files': 'Verify files',
  erase: 'Erase',
  'plan-repair': 'Plan repair',
  repair: 'Repair',
};

/** Finished jobs shown besides the running ones. */
const RECENT = 4;

function status(j: JobSnapshot): string {
  if (j.interrupted && j.state !== 'running')
    return `half written: ${j.interrupted.written} of ${j.interrupted.planned} sectors`;
  if (j.state === 'running') {
    const p = j.progress;
    const pct = p && p.total > 0 ? ` ${Math.min(100, Math.round((p.done / p.total) * 100))} %` : '';
    return `${p?.phase ?? 'starting'}${pct}`;
  }
  return j.state === 'failed' ? `failed: ${j.error?.message ?? ''}` : j.state;
}

export function JobsPanel() {
  const jobs = useApp((s) => s.jobs);
  const cancel = useCancelJob();
  const all = Object.values(jobs).filter((j) => !j.id.startsWith('local-'));
  const running = all.filter((j) => j.state === 'running').sort((a, b) => a.startedAt - b.startedAt);
  const ended = all
    .filter((j) => j.state !== 'running')
    .sort((a, b) => (b.endedAt ?? b.startedAt) - (a.endedAt ?? a.startedAt))
    .slice(0, RECENT);
  if (running.length + ended.length === 0) return null;
  return (
    <section className="jobs-panel" aria-labelledby="jobs-h">
      <h2 id="jobs-h" className="jobs-title">
        Jobs{running.length > 0 ? ` — ${running.length} running` : ''}
      </h2>
      <table aria-label="Jobs">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Port</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...running, ...ended].map((j) => (
            <tr key={j.id} className={j.interrupted && j.state !== 'running' ? 'row-diff' : undefined}>
              <td>{LABELS[j.kind] ?? j.kind}</td>
              <td className="mono">{j.port ?? '—'}</td>
              <td>{status(j)}</td>
              <td>
                {j.state === 'running' ? (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Cancel ${LABELS[j.kind] ?? j.kind} on ${j.port ?? 'files'}`}
                    onClick={() => cancel(j.id)}
                  >
                    Cancel
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
