/**
 * Plan → confirm → write: the write plan in full (each file, what it is, header notes, the fit
 * warnings, sectors to write, the automatic backup), the Write button bound to that plan, progress,
 * and the verdict.
 */
import { SECTOR_SIZE } from '../../main/flash-geometry.js';
import type { JobParams, WritePlanView } from '../../main/workbench/api.js';
import { useStartJob } from '../api/jobs.js';
import { JobProgress } from '../components/JobProgress.js';
import { bytes, duration, hex, shortHash } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';
import { flashPlanOf } from '../store/flash.js';
import { jobResult } from '../store/wizard.js';

export function PlanTable({ plan }: { plan: WritePlanView }) {
  const n = plan.writeSectors.length;
  return (
    <section className="plan" aria-label="Write plan">
      <h3>The plan</h3>
      <table className="region-table">
        <caption>
          Files for {plan.target.chip} <span className="mono">{plan.target.mac}</span> on {plan.port} (flash{' '}
          {bytes(plan.target.flash.size)})
        </caption>
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">File</th>
            <th scope="col">Size</th>
            <th scope="col">What it is</th>
          </tr>
        </thead>
        <tbody>
          {plan.files.map((f) => (
            <tr key={f.address}>
              <td className="mono">{hex(f.address)}</td>
              <td>{f.name}</td>
              <td>{bytes(f.size)}</td>
              <td>
                {f.identity.description}
                {f.headerNote ? <span className="muted"> — {f.headerNote}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl>
        <dt>Auto-backup</dt>
        <dd>
          {plan.backupFirst
            ? 'Yes: the board is backed up into the library before anything is written.'
            : 'No (turned off).'}
        </dd>
        <dt>Will write</dt>
        <dd>
          <strong>
            {n} sector{n === 1 ? '' : 's'} ({bytes(n * SECTOR_SIZE)})
          </strong>
          ; {plan.skipSectors} already equal and skipped; then every file is checked by MD5
        </dd>
      </dl>
      {plan.warnings.length > 0 ? (
        <ul className="warnings" aria-label="Warnings">
          {plan.warnings.map((w) => (
            <li key={`${w.code}-${w.address}`}>
              <span className="mono">{hex(w.address)}</span> {w.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="ok-note">No warnings: each file fits where it goes.</p>
      )}
    </section>
  );
}

export function WritePlan({ options }: { options: JobParams<'plan-write'> | null }) {
  const store = useAppStore();
  const start = useStartJob();
  const planJob = useApp((s) => s.flash.planJob);
  const writeJob = useApp((s) => s.flash.writeJob);
  const plan = useApp(flashPlanOf);
  const written = useApp((s) => jobResult(s, s.flash.writeJob, 'write'));
  const writing = useApp((s) => (writeJob ? s.jobs[writeJob]?.state === 'running' : false));
  const planning = useApp((s) => (planJob ? s.jobs[planJob]?.state === 'running' : false));
  const makePlan = async () => {
    if (options) store.getState().setFlashJob('planJob', await start('plan-write', options));
  };
  const write = async () => {
    if (plan && options)
      store.getState().setFlashJob('writeJob', await start('write', { planId: plan.planId, options }));
  };
  const n = plan?.writeSectors.length ?? 0;
  return (
    <>
      <div className="actions">
        <button type="button" disabled={!options || planning || writing} onClick={() => void makePlan()}>
          Plan the write
        </button>
        {!options ? <span className="muted">Choose a port and add files with their addresses.</span> : null}
      </div>
      <JobProgress jobId={planJob} label="Plan" onRetry={() => void makePlan()} />
      {plan ? <PlanTable plan={plan} /> : null}
      {plan && !written ? (
        <div className="actions">
          <button type="button" className="danger" disabled={writing} onClick={() => void write()}>
            {n === 0 ? 'Nothing differs — verify only' : `Write ${n} sector${n === 1 ? '' : 's'}`}
          </button>
        </div>
      ) : null}
      <JobProgress jobId={writeJob} label="Write" onRetry={() => void makePlan()} />
      {written ? (
        <div className={`verdict ${written.verified ? 'ok' : 'bad'}`} role="status" aria-label="Write result">
          <p>
            <strong>{written.verified ? 'Written and verified' : 'Written, but verification failed'}</strong>:{' '}
            {written.written.sectors} sector{written.written.sectors === 1 ? '' : 's'} (
            {bytes(written.written.bytes)}), {written.skippedSectors} skipped, in {duration(written.seconds)}.
          </p>
          {written.backupId ? (
            <p>
              The board’s previous flash is in the library as{' '}
              <span className="mono">{shortHash(written.backupId)}</span> (Restore it from the Library to
              undo).
            </p>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
