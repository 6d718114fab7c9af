/** Step 3: plan the restore onto the bad board, show the plan, write only after the user confirms. */
import { useStartJob } from '../api/jobs.js';
import { JobProgress } from '../components/JobProgress.js';
import { PlanView } from './PlanView.js';
import { bytes, shortHash } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';
import { backupOf, boardOf, planOf, restoreRequest, restoredOf, sameRequest } from '../store/wizard.js';
import { FLASH_MODES, type FlashModeChoice } from './flash-modes.js';

export function RestoreStep() {
  const store = useAppStore();
  const start = useStartJob();
  const port = useApp((s) => s.wizard.port.bad);
  // The bad board as detected: with one adapter for both boards, the other one may be plugged in now.
  const mac = useApp((s) => boardOf(s, 'bad')?.mac ?? null);
  // A damaged backup is never offered as the image to restore (the library view says how to fix it).
  const library = useApp((s) => s.library).filter((e) => !e.damaged);
  const backup = useApp(backupOf);
  const chosen = useApp((s) => s.wizard.image);
  const planJob = useApp((s) => s.wizard.planJob);
  const restoreJob = useApp((s) => s.wizard.restoreJob);
  const plan = useApp(planOf);
  const restored = useApp(restoredOf);
  const busy = useApp((s) => [planJob, restoreJob].some((id) => id && s.jobs[id]?.state === 'running'));
  const choices = useApp((s) => s.wizard.options);
  const image = chosen ?? backup?.libraryId ?? library[0]?.id ?? null;
  const request = restoreRequest(port, image, choices, mac);
  const planOptions = useApp((s) => s.wizard.planOptions);
  // A plan is a contract: once any choice differs from what it was made with, it cannot be confirmed.
  const stale = plan !== null && !sameRequest(request, planOptions);
  const choose = store.getState().setRestoreChoice;

  const makePlan = async (req = request) => {
    if (!req) return;
    store.getState().setPlanJob(await start('plan-restore', req), req);
  };
  // Half written: Resume plans the rest from the journal; Undo plans putting the board's own backup
  // back. Either way the user sees and confirms the plan, as for any write.
  const resume = () => {
    store.getState().setRestoreChoice('resume', true);
    void makePlan(restoreRequest(port, image, { ...choices, resume: true }, mac));
  };
  const undo = (backupId: string) => {
    const s = store.getState();
    s.chooseImage(backupId);
    s.setRestoreChoice('keepOwn', false);
    s.setRestoreChoice('backup', false);
    s.setRestoreChoice('flashMode', 'keep');
    void makePlan(restoreRequest(port, backupId, { flashMode: 'keep', backup: false, keepOwn: false }, mac));
  };
  const execute = async () => {
    if (!plan || !request || stale) return;
    // The server checks these are the plan's options too (PLAN_STALE otherwise).
    store
      .getState()
      .setWizardJob('restoreJob', await start('restore', { planId: plan.planId, options: request }));
  };

  return (
    <section aria-labelledby="restore-h">
      <h2 id="restore-h">Restore to the bad board</h2>
      <div className="field">
        <label htmlFor="restore-image">Image</label>
        <select
          id="restore-image"
          value={image ?? ''}
          onChange={(e) => store.getState().chooseImage(e.target.value || null)}
        >
          {library.map((e) => (
            <option key={e.id} value={e.id}>
              {e.label} — {e.board.mac ?? 'unknown board'} — {bytes(e.size)} — {shortHash(e.sha256)}
            </option>
          ))}
          {image && !library.some((e) => e.id === image) ? <option value={image}>{image}</option> : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor="restore-mode">Flash mode</label>
        <select
          id="restore-mode"
          value={choices.flashMode}
          onChange={(e) => choose('flashMode', e.target.value as FlashModeChoice)}
        >
          {FLASH_MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field checkbox">
        <input
          id="restore-backup"
          type="checkbox"
          checked={choices.backup}
          onChange={(e) => choose('backup', e.target.checked)}
        />
        <label htmlFor="restore-backup">Back up the bad board first (recommended)</label>
      </div>
      <fieldset className="field clone-mode">
        <legend>What to copy from the good board</legend>
        <label className="radio">
          <input
            type="radio"
            name="clone-mode"
            checked={!choices.resetFactoryData}
            onChange={() => choose('resetFactoryData', false)}
          />{' '}
          <strong>Exact clone</strong> — the whole flash, the good board’s RF calibration and WiFi settings
          included. This is what cured the original report.
        </label>
        <label className="radio">
          <input
            type="radio"
            name="clone-mode"
            checked={choices.resetFactoryData === true}
            onChange={() => {
              choose('resetFactoryData', true);
              choose('keepOwn', false);
            }}
          />{' '}
          <strong>Clone the firmware and reset the factory data</strong> — the firmware and its files are
          copied; the good board’s chip-specific RF calibration and stored WiFi settings are not: they are
          reset so this board rebuilds its own (WiFi must be set up again).
        </label>
      </fieldset>
      <div className="field checkbox">
        <input
          disabled={choices.resetFactoryData === true}
          id="restore-keep"
          type="checkbox"
          checked={choices.keepOwn}
          onChange={(e) => choose('keepOwn', e.target.checked)}
        />
        <label htmlFor="restore-keep">
          Keep the bad board's own WiFi settings and RF data (last four sectors). Leave off to cure bad
          factory data.
        </label>
      </div>
      <div className="actions">
        <button
          type="button"
          disabled={!request || busy}
          onClick={() => {
            store.getState().setRestoreChoice('resume', false);
            void makePlan(restoreRequest(port, image, { ...choices, resume: false }, mac));
          }}
        >
          Plan restore
        </button>
      </div>
      <JobProgress jobId={planJob} label="Planning" onRetry={() => void makePlan()} />
      {plan && stale && !restored ? (
        <p className="notice" role="status">
          You changed an option after this plan was made. Press <strong>Plan restore</strong> again to see
          what will be written with the new choices.
        </p>
      ) : null}
      {plan && !stale ? (
        <>
          <PlanView plan={plan} />
          {planOptions?.resetFactoryData ? (
            <p className="notice" role="note" aria-label="Factory data">
              Firmware clone with the factory data reset: the good board’s RF calibration and stored WiFi
              settings are not copied; those sectors are reset so this board recalibrates its own radio and
              starts without WiFi settings. Choose <strong>Exact clone</strong> to copy them too.
            </p>
          ) : null}
          {!restored ? (
            <div className="actions">
              <button type="button" className="danger" disabled={busy} onClick={() => void execute()}>
                Confirm and write {plan.writeSectors.length} sectors to {plan.port}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
      <JobProgress
        jobId={restoreJob}
        label="Restore"
        onRetry={() => void makePlan()}
        onResume={resume}
        onUndo={undo}
      />
      {restored ? (
        <div
          className={`result ${restored.verified ? 'ok' : 'warn'}`}
          role="status"
          aria-label="Restore result"
        >
          <p>
            <strong>{restored.verified ? 'Restored and verified.' : 'Written, but not verified.'}</strong>{' '}
            {restored.written.sectors} sectors ({bytes(restored.written.bytes)}) written,{' '}
            {restored.skippedSectors} skipped, in {restored.seconds.toFixed(1)} s.
          </p>
          {restored.backupId ? (
            <p>The bad board's previous flash is in the library ({shortHash(restored.backupId)}).</p>
          ) : null}
          <button type="button" onClick={() => store.getState().goTo('mqtt')}>
            Next: MQTT check
          </button>
        </div>
      ) : null}
    </section>
  );
}
