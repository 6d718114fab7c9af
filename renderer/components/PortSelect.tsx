/**
 * Port picker: hardware ports by path with their USB bridge, ports typed by hand (socket://,
 * rfc2217://, a device path), and the demo boards labelled "virtual" so a new user can walk the whole
 * wizard without hardware. Refresh re-lists; the service also re-lists on plug/unplug.
 */
import { useId, useState } from 'react';
import type { ErrorData, PortInfo } from '../../main/workbench/api.js';
import { portKindNote, useAddPort, useRefreshPorts } from '../api/ports.js';
import { useApp } from '../store/index.js';

/** Every entry starts with its path: two adapters of the same kind differ only there. */
export function portOptionText(p: PortInfo): string {
  if (p.label.startsWith(p.path)) return p.label;
  if (p.virtual) return `${p.path} — ${p.label || 'virtual board'}`;
  if (!p.vendorId) return `${p.path} — ${p.label || 'serial port (no USB id)'}`;
  return `${p.path} — ${p.label || p.bridge}`;
}

export function PortSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string | null;
  onChange: (port: string | null) => void;
}) {
  const ports = useApp((s) => s.ports);
  const refresh = useRefreshPorts();
  const add = useAddPort();
  const id = useId();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  // Network ports exist only when typed (ports.add); the service lists them after its own.
  const typed = ports.filter((p) => /^(socket|rfc2217):\/\//i.test(p.path));
  const usb = ports.filter((p) => !p.virtual && p.vendorId);
  const other = ports.filter((p) => !p.virtual && !p.vendorId && !typed.includes(p));
  const virtual = ports.filter((p) => p.virtual);
  const note = portKindNote(value);

  const onRefresh = async () => {
    setRefreshing(true);
    await refresh();
    setRefreshing(false);
  };
  const onUse = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!draft.trim()) return;
    const r = await add(draft.trim());
    if ('error' in r) return setError(r.error);
    setError(null);
    setDraft('');
    onChange(r.port);
  };

  return (
    <div className="field port-field">
      <label htmlFor={`${id}-select`}>{label}</label>
      <div className="port-row">
        <select id={`${id}-select`} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
          <option value="">Choose a port…</option>
          {usb.length > 0 ? (
            <optgroup label="USB serial ports">
              {usb.map((p) => (
                <option key={p.path} value={p.path}>
                  {portOptionText(p)}
                </option>
              ))}
            </optgroup>
          ) : null}
          {other.length > 0 ? (
            <optgroup label="Other serial ports (no USB id)">
              {other.map((p) => (
                <option key={p.path} value={p.path}>
                  {portOptionText(p)}
                </option>
              ))}
            </optgroup>
          ) : null}
          {typed.length > 0 ? (
            <optgroup label="Typed ports">
              {typed.map((p) => (
                <option key={p.path} value={p.path}>
                  {p.path}
                </option>
              ))}
            </optgroup>
          ) : null}
          {virtual.length > 0 ? (
            <optgroup label="Demo boards (virtual)">
              {virtual.map((p) => (
                <option key={p.path} value={p.path}>
                  {portOptionText(p)}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
        <button
          type="button"
          className="secondary"
          title="List the ports again"
          disabled={refreshing}
          onClick={() => void onRefresh()}
        >
          {refreshing ? 'Refreshing…' : 'Refresh ports'}
        </button>
      </div>
      {note ? <p className="muted port-note">{note}</p> : null}
      <form className="port-typed" onSubmit={(e) => void onUse(e)}>
        <label htmlFor={`${id}-typed`}>Or type a port</label>
        <input
          id={`${id}-typed`}
          value={draft}
          placeholder="rfc2217://192.168.1.20:2217, socket://HOST:PORT or /dev/ttyUSB0"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="secondary" disabled={!draft.trim()}>
          Use this port
        </button>
      </form>
      {error ? (
        <p className="field-error" role="alert">
          {error.message}. {error.hint}
        </p>
      ) : null}
    </div>
  );
}

export function NoHardwareNote({ onUseDemo }: { onUseDemo?: () => void } = {}) {
  const ports = useApp((s) => s.ports);
  const loaded = useApp((s) => s.portsLoaded);
  // Built-in UARTs (ttyS*) list without a USB id; only a USB adapter means a board may be plugged in.
  if (!loaded || ports.some((p) => !p.virtual && p.vendorId)) return null;
  return (
    <div className="notice" role="note">
      <p>
        No USB serial port found. The demo boards <strong>virtual:good</strong> and{' '}
        <strong>virtual:bad</strong> are simulated ESP8266 boards: use them to walk the whole wizard, then
        plug in a board (the list updates by itself). A remote adapter can be typed as{' '}
        <code>rfc2217://HOST:PORT</code> or <code>socket://HOST:PORT</code>.
      </p>
      {onUseDemo ? (
        <button type="button" onClick={onUseDemo}>
          Use the demo boards
        </button>
      ) : null}
    </div>
  );
}
