/** Step 2: back up the good board's whole flash into the library. */
import { useState } from 'react';
import { useStartJob } from '../api/jobs.js';
import { JobProgress } from '../components/JobProgress.js';
import { bytes, shortHash } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';
import { backupOf, boardOf } from '../store/wizard.js';

export function BackupStep() {
  const store = useAppStore();
  const start = useStartJob();
  const port = useApp((s) => s.wizard.port.good);
  // The good board as detected: with one adapter for both boards, the bad one may be plugged in now.
  const good = useApp((s) => boardOf(s, 'good'));
  const jobId = useApp((s) => s.wizard.backupJob);
  const result = useApp(backupOf);
  const running = useApp((s) => (jobId ? s.jobs[jobId]?.state === 'running' : false));
  const [label, setLabel] = useState('good board');
  const backup = async () => {
    if (!port) return;
    const id = await start('backup', { port, label, ...(good ? { mac: good.mac } : {}) });
    store.getState().setWizardJob('backupJob', id);
    store.getState().chooseImage(null);
  };
  return (
    <section aria-labelledby="backup-h">
      <h2 id="backup-h">Back up the good board</h2>
      <p>
        Reads the whole flash of <strong>{port}</strong> (blank sectors are skipped) and stores it in the
        library, checked by MD5 on the chip.
        {good ? (
          <> Only the good board ({good.mac}) is read: if another board is on the port, nothing is.</>
        ) : null}
      </p>
      <div className="field">
        <label htmlFor="backup-label">Label</label>
        <input id="backup-label" value={label} onChange={(e) => setLabel(e.target.value)} />
      </div>
      <div className="actions">
        <button type="button" disabled={!port || running} onClick={() => void backup()}>
          Back up good board
        </button>
      </div>
      <JobProgress jobId={jobId} label="Backup" onRetry={() => void backup()} />
      {result ? (
        <div className="result ok" role="status" aria-label="Backup result">
          <p>
            <strong>Backup stored.</strong> {bytes(result.size)} in {result.seconds.toFixed(1)} s (
            {bytes(result.bytesRead)} read over the wire).
          </p>
          <p className="mono">
            sha256 {shortHash(result.sha256)} · md5 {result.md5}{' '}
            {result.libraryId ? `· library id ${shortHash(result.libraryId)}` : ''}
          </p>
          <button type="button" onClick={() => store.getState().goTo('restore')}>
            Next: restore to the bad board
          </button>
        </div>
      ) : null}
    </section>
  );
}
