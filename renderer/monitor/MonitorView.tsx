/**
 * Serial monitor. It shares the port with the flasher through the app's port owner: a job pauses it
 * and it resumes by itself, so "port busy" between the two cannot happen.
 */
import { useState } from 'react';
import { noteText } from '../format.js';
import type { ErrorData } from '../../main/workbench/api.js';
import { call, errorData, useApi } from '../api/context.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { PortSelect } from '../components/PortSelect.js';
import { useApp, useAppStore } from '../store/index.js';

export function MonitorView() {
  const api = useApi();
  const store = useAppStore();
  const mon = useApp((s) => s.monitor);
  const [port, setPort] = useState<string | null>(mon.port);
  const [baud, setBaud] = useState(115200);
  const [error, setError] = useState<ErrorData | null>(null);
  const open = async () => {
    if (!port) return;
    setError(null);
    if (mon.port && mon.port !== port)
      await call(api, 'monitor.close', { port: mon.port }).catch(() => undefined);
    store.getState().setMonitorPort(port);
    store.getState().clearMonitor();
    try {
      await call(api, 'monitor.open', { port, baud });
    } catch (e) {
      setError(errorData(e));
    }
  };
  const close = async () => {
    if (mon.port) await call(api, 'monitor.close', { port: mon.port }).catch(() => undefined);
  };
  const [line, setLine] = useState('');
  const reset = async () => {
    if (!mon.port) return;
    setError(null);
    await call(api, 'monitor.reset', { port: mon.port }).catch((e: unknown) => setError(errorData(e)));
  };
  const send = async () => {
    if (!mon.port) return;
    setError(null);
    await call(api, 'monitor.send', { port: mon.port, text: line }).then(
      () => setLine(''),
      (e: unknown) => setError(errorData(e)),
    );
  };
  /** The log as text (annotations after «), saved through the browser's download. */
  const save = () => {
    const text = mon.lines.map((l) => (l.meaning ? `${l.text}   « ${l.meaning}` : l.text)).join('\n');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    a.download = `flashback-monitor-${(mon.port ?? 'port').replace(/[^\w.-]+/g, '_')}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <section aria-labelledby="monitor-h">
      <h2 id="monitor-h">Serial monitor</h2>
      <div className="row">
        <PortSelect label="Port" value={port} onChange={setPort} />
        <div className="field">
          <label htmlFor="monitor-baud">Baud</label>
          <select id="monitor-baud" value={baud} onChange={(e) => setBaud(Number(e.target.value))}>
            {[74880, 115200, 230400, 460800, 921600].map((b) => (
              <option key={b} value={b}>
                {b}
                {b === 74880 ? ' (boot ROM only)' : ' + 74880 for the boot ROM'}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="button" disabled={!port} onClick={() => void open()}>
            Open
          </button>
          <button
            type="button"
            className="secondary"
            disabled={mon.state === 'closed'}
            onClick={() => void close()}
          >
            Close
          </button>
          <button
            type="button"
            className="secondary"
            disabled={mon.state !== 'open'}
            onClick={() => void reset()}
          >
            Reset board
          </button>
          <button type="button" className="secondary" onClick={() => store.getState().clearMonitor()}>
            Clear
          </button>
          <button type="button" className="secondary" disabled={mon.lines.length === 0} onClick={save}>
            Save log
          </button>
        </div>
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <div className="field">
          <label htmlFor="monitor-send">Send a line</label>
          <input id="monitor-send" value={line} onChange={(e) => setLine(e.target.value)} maxLength={512} />
        </div>
        <div className="actions">
          <button type="submit" disabled={mon.state !== 'open'}>
            Send
          </button>
        </div>
      </form>
      <p role="status">
        Monitor {mon.state}
        {mon.reason ? `: ${mon.reason}` : ''}
        {mon.state === 'open' && mon.rates ? ` — reading ${mon.rates}` : ''}
      </p>
      {error ? <ErrorPanel error={error} onRetry={() => void open()} /> : null}
      <ol className="log monitor-log" aria-label="Serial output">
        {mon.lines.map((l, i) => (
          <li key={i} className={l.rc !== undefined && l.rc !== 0 ? 'log-line bad' : 'log-line'}>
            <span className="mono">{l.text}</span>
            {l.meaning ? <span className="rc-meaning"> « {noteText(l)}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
