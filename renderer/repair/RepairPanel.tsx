/**
 * "Repair the factory data" without a donor board: plan (reads the chip's size and the firmware's
 * layout, says which sectors change and that stored WiFi settings are reset), confirm, repair (backup
 * first, verify), then the MQTT check. What the repair does follows the firmware: Arduino core → erase
 * RF calibration and the SDK parameter sectors; NONOS/NodeMCU → also write Espressif's init data.
 */
import type { JobParams, RepairPlanView } from '../../main/workbench/api.js';
import { useStartJob } from '../api/jobs.js';
import { JobProgress } from '../components/JobProgress.js';
import { PortSelect } from '../components/PortSelect.js';
import { bytes, duration, shortHash } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';
import { repairPlanOf } from '../store/repair.js';
import { jobResult } from '../store/wizard.js';
import { SectorActions } from '../components/SectorActions.js';
import { Warnings } from '../components/Warnings.js';

function RepairPlanTable({ plan }: { plan: RepairPlanView }) {
  const n = plan.writeSectors.length;
  const sizeWrong = plan.header.size !== null && plan.header.size !== plan.header.chipSize;
  return (
    <section className="plan" aria-label="Repair plan">
      <h3>The plan</h3>
      <p>
        {plan.target.chip} <span className="mono">{plan.target.mac}</span> on {plan.port}: flash{' '}
        {bytes(plan.header.chipSize)}, firmware <strong>{plan.family}</strong> (
        {plan.rule === 'arduino'
          ? 'Arduino core: PHY data lives in the firmware, the SDK recalibrates the radio'
          : 'NONOS SDK layout: init data at size − 0x4000, RF calibration at size − 0x5000'}
        ).
      </p>
      {sizeWrong ? (
        <p className="notice">
          The header at 0x0 says {bytes(plan.header.size!)} but the chip is {bytes(plan.header.chipSize)}
          {plan.header.fix ? ': the header will be fixed.' : '.'}
        </p>
      ) : null}
      <SectorActions caption="What changes" actions={plan.actions} />
      <dl>
        <dt>Auto-backup</dt>
        <dd>
          {plan.backupFirst ? 'Yes: the board is backed up into the library first.' : 'No (turned off).'}
        </dd>
        <dt>Will change</dt>
        <dd>
          <strong>
            {n} sector{n === 1 ? '' : 's'}
          </strong>
          {n === 0 ? ' — the factory data is already reset' : ''}
        </dd>
      </dl>
      {plan.resetsWifi ? (
        <p className="notice" role="note">
          Stored WiFi settings are reset: the firmware starts as on first boot and must be set up again
          (WiFiManager portal, or the SSID compiled into the sketch).
        </p>
      ) : null}
      <Warnings items={plan.warnings} />
    </section>
  );
}

export function RepairPanel({ onMqttCheck }: { onMqttCheck?: (port: string) => void }) {
  const store = useAppStore();
  const start = useStartJob();
  const r = useApp((s) => s.repair);
  const plan = useApp(repairPlanOf);
  const done = useApp((s) => jobResult(s, s.repair.repairJob, 'repair'));
  const busy = useApp((s) =>
    [s.repair.planJob, s.repair.repairJob].some((id) => id && s.jobs[id]?.state === 'running'),
  );
  const options: JobParams<'plan-repair'> | null = r.port
    ? { port: r.port, ...(r.fixHeader ? { fixHeader: true } : {}) }
    : null;
  const stale = plan !== null && JSON.stringify(options) !== JSON.stringify(r.planOptions);
  const makePlan = async () => {
    if (options) store.getState().setRepairPlan(await start('plan-repair', options), options);
  };
  const repair = async () => {
    if (plan && r.planOptions && !stale)
      store.getState().setRepairJob(await start('repair', { planId: plan.planId, options: r.planOptions }));
  };
  return (
    <section aria-labelledby="repair-h" className="repair">
      <h2 id="repair-h">Repair the factory data</h2>
      <p>
        No good board to copy? The RF calibration and the SDK’s parameter sectors at the end of the flash can
        be reset so the firmware rebuilds them — done the way this board’s firmware lays them out. The
        firmware itself is not touched.
      </p>
      <PortSelect
        label="Board to repair"
        value={r.port}
        onChange={(p) => store.getState().setRepairPort(p)}
      />
      <label className="field checkbox">
        <input
          type="checkbox"
          checked={r.fixHeader}
          onChange={(e) => store.getState().setRepairFixHeader(e.target.checked)}
        />{' '}
        Also fix a header flash size that disagrees with the chip (the ESP-01 1 MB case)
      </label>
      <div className="actions">
        <button type="button" disabled={!options || busy} onClick={() => void makePlan()}>
          Plan the repair
        </button>
      </div>
      <JobProgress jobId={r.planJob} label="Repair plan" onRetry={() => void makePlan()} />
      {plan && !stale ? <RepairPlanTable plan={plan} /> : null}
      {plan && !stale && !done ? (
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void repair()}>
            Repair: change {plan.writeSectors.length} sector{plan.writeSectors.length === 1 ? '' : 's'}
          </button>
        </div>
      ) : null}
      <JobProgress jobId={r.repairJob} label="Repair" onRetry={() => void makePlan()} />
      {done ? (
        <div className={`verdict ${done.verified ? 'ok' : 'bad'}`} role="status" aria-label="Repair result">
          <p>
            <strong>
              {done.verified ? 'Factory data reset and verified' : 'Repaired, but verification failed'}
            </strong>
            : {done.changedSectors.length} sector{done.changedSectors.length === 1 ? '' : 's'} changed in{' '}
            {duration(done.seconds)}.
          </p>
          {done.backupId ? (
            <p>
              The board’s previous flash is in the library as{' '}
              <span className="mono">{shortHash(done.backupId)}</span>.
            </p>
          ) : null}
          {onMqttCheck && r.port ? (
            <button type="button" onClick={() => onMqttCheck(r.port!)}>
              Run the MQTT check on this board
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
