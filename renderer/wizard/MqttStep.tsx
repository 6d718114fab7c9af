/**
 * Step 4: the MQTT health check joining the board's serial log and the broker's view (USERS.md
 * opening 3). Live log with PubSubClient rc meanings inline, the broker side, then the verdict with
 * its ranked diagnosis. Earlier checks stay listed (before / after the restore).
 */
import { useState } from 'react';
import { noteText } from '../format.js';
import type { MqttEvent, MqttReport } from '../../main/workbench/api.js';
import { useStartJob } from '../api/jobs.js';
import { JobProgress } from '../components/JobProgress.js';
import { useApp, useAppStore } from '../store/index.js';
import type { Role } from '../store/wizard.js';

const EMPTY: MqttEvent[] = [];

function LiveLog({ events }: { events: MqttEvent[] }) {
  const serial = events.filter((e) => e.source !== 'broker');
  const broker = events.filter((e) => e.source === 'broker');
  return (
    <div className="two-col">
      <section aria-label="Board log">
        <h3>Board and host log</h3>
        <ol className="log" aria-live="polite">
          {serial.map((e, i) => (
            <li
              key={i}
              className={`log-line src-${e.source}${e.rc !== undefined && e.rc !== 0 ? ' bad' : ''}`}
            >
              <span className="log-t">{(e.t / 1000).toFixed(1)} s</span>{' '}
              <span className="log-src">{e.source}</span> <span className="mono">{e.text}</span>
              {e.meaning ? <span className="rc-meaning"> « {noteText(e)}</span> : null}
            </li>
          ))}
        </ol>
      </section>
      <section aria-label="Broker view">
        <h3>Broker's view</h3>
        <ol className="log">
          {broker.length === 0 ? <li className="muted">Nothing from this board at the broker yet.</li> : null}
          {broker.map((e, i) => (
            <li key={i} className="log-line src-broker">
              <span className="log-t">{(e.t / 1000).toFixed(1)} s</span>{' '}
              <span className="mono">{e.text}</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

export function Verdict({
  report,
  afterRestore,
  onRepair,
}: {
  report: MqttReport;
  afterRestore: boolean;
  /** Offered when the evidence points at the board's factory data (RF calibration, SDK sectors). */
  onRepair?: () => void;
}) {
  const cls = report.verdict === 'pass' ? 'ok' : report.verdict === 'fail' ? 'bad' : 'warn';
  return (
    <section className={`verdict ${cls}`} aria-label="MQTT verdict" role="status">
      <h3>
        Verdict: <span className="verdict-word">{report.verdict.toUpperCase()}</span>{' '}
        <span className="muted">({afterRestore ? 'after the restore' : 'before the restore'})</span>
      </h3>
      <p>
        Broker {report.broker}: host probe{' '}
        {report.hostProbe.ok
          ? `OK (CONNACK ${report.hostProbe.connack ?? '?'}, ${report.hostProbe.ms ?? '?'} ms)`
          : 'failed'}
        ; board {report.board.connected ? 'connected' : 'never connected'}
        {report.board.rcCodes.length > 0 ? ` (rc ${[...new Set(report.board.rcCodes)].join(', ')})` : ''};
        clients at the broker:{' '}
        {report.brokerView.clientIds.length > 0 ? report.brokerView.clientIds.join(', ') : 'none'},{' '}
        {report.brokerView.messages} message{report.brokerView.messages === 1 ? '' : 's'} published.
      </p>
      {report.diagnosis.length > 0 ? (
        <ol className="diagnosis" aria-label="Diagnosis">
          {report.diagnosis.map((d) => (
            <li key={d.cause}>
              <strong>{d.cause}</strong>
              {d.confidence ? <span className="muted"> ({d.confidence} confidence)</span> : null}
              <div>Evidence: {d.evidence}</div>
              <div>Fix: {d.fix}</div>
              {d.confirm ? <div>To confirm: {d.confirm}</div> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {onRepair && report.verdict !== 'pass' && report.diagnosis.some((d) => d.factoryData) ? (
        <div className="actions">
          <button type="button" onClick={onRepair}>
            Repair factory data
          </button>
          <span className="muted">
            Resets the RF calibration and SDK sectors the way this firmware lays them out (backup first).
          </span>
        </div>
      ) : null}
    </section>
  );
}

export function MqttStep() {
  const store = useAppStore();
  const start = useStartJob();
  const ports = useApp((s) => s.wizard.port);
  const [role, setRole] = useState<Role>('bad');
  const [broker, setBroker] = useState('');
  const [topic, setTopic] = useState('');
  const [clientId, setClientId] = useState('');
  const [before, setBefore] = useState<'default-reset' | 'no-reset' | 'manual'>('default-reset');
  const checks = useApp((s) => s.wizard.mqttJobs);
  const last = checks[checks.length - 1] ?? null;
  const events = useApp((s) => (last ? (s.mqttEvents[last.jobId] ?? EMPTY) : EMPTY));
  const running = useApp((s) => (last ? s.jobs[last.jobId]?.state === 'running' : false));
  const jobs = useApp((s) => s.jobs);
  const reports = checks.map((c) => {
    const j = jobs[c.jobId];
    return {
      ...c,
      report:
        j?.kind === 'mqtt-check' && j.state === 'done'
          ? ((j.result as MqttReport | undefined) ?? null)
          : null,
    };
  });
  const port = ports[role];

  const run = async () => {
    if (!port) return;
    const id = await start('mqtt-check', {
      port,
      before,
      ...(broker.trim() ? { broker: broker.trim() } : {}),
      ...(topic.trim() ? { topic: topic.trim() } : {}),
      ...(clientId.trim() ? { clientId: clientId.trim() } : {}),
    });
    store.getState().addMqttJob(id);
  };

  return (
    <section aria-labelledby="mqtt-h">
      <h2 id="mqtt-h">MQTT check</h2>
      <p>Resets the board into its firmware, reads its log and watches the broker at the same time.</p>
      <fieldset className="field">
        <legend>Board</legend>
        {(['bad', 'good'] as const).map((r) => (
          <label key={r} className="radio">
            <input
              type="radio"
              name="mqtt-role"
              value={r}
              checked={role === r}
              disabled={!ports[r]}
              onChange={() => setRole(r)}
            />
            {r === 'bad' ? 'Bad board' : 'Good board'} {ports[r] ? `(${ports[r]})` : ''}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="mqtt-broker">
          Broker URL (empty: the board's own broker setting / embedded broker)
        </label>
        <input
          id="mqtt-broker"
          placeholder="mqtt://192.168.1.10:1883"
          value={broker}
          onChange={(e) => setBroker(e.target.value)}
        />
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="mqtt-topic">Topic to watch at your broker (empty: all, "#")</label>
          <input id="mqtt-topic" value={topic} onChange={(e) => setTopic(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="mqtt-client-id">The board's client id (optional)</label>
          <input id="mqtt-client-id" value={clientId} onChange={(e) => setClientId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="mqtt-before">Start the board</label>
          <select
            id="mqtt-before"
            value={before}
            onChange={(e) => setBefore(e.target.value as typeof before)}
          >
            <option value="default-reset">Reset it through DTR/RTS</option>
            <option value="no-reset">Just listen (no reset; raw TCP bridges)</option>
            <option value="manual">I will press RESET</option>
          </select>
        </div>
      </div>
      {before === 'manual' && running ? (
        <p role="alert">Press RESET on the board now; the check waits for its boot banner.</p>
      ) : null}
      <div className="actions">
        <button type="button" disabled={!port || running} onClick={() => void run()}>
          Run MQTT check
        </button>
      </div>
      {last ? (
        <JobProgress jobId={last.jobId} label="MQTT check" unit="ms" onRetry={() => void run()} />
      ) : null}
      {last ? <LiveLog events={events} /> : null}
      {[...reports]
        .reverse()
        .map((c) =>
          c.report ? (
            <Verdict
              key={c.jobId}
              report={c.report}
              afterRestore={c.afterRestore}
              onRepair={() => store.getState().openRepair(jobs[c.jobId]?.port ?? port)}
            />
          ) : null,
        )}
    </section>
  );
}
