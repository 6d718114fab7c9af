/**
 * Port picker: hardware ports with their USB bridge, and the demo boards labelled "virtual" so a new
 * user can walk the whole wizard without hardware.
 */
import { useId } from 'react';
import { useApp } from '../store/index.js';

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
  const id = useId();
  const hardware = ports.filter((p) => !p.virtual);
  const virtual = ports.filter((p) => p.virtual);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">Choose a port…</option>
        {hardware.length > 0 ? (
          <optgroup label="USB serial ports">
            {hardware.map((p) => (
              <option key={p.path} value={p.path}>
                {p.label || p.path} — {p.bridge}
              </option>
            ))}
          </optgroup>
        ) : null}
        {virtual.length > 0 ? (
          <optgroup label="Demo boards (virtual)">
            {virtual.map((p) => (
              <option key={p.path} value={p.path}>
                {p.label || p.path} (virtual)
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
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
        plug in a board (the list updates by itself).
      </p>
      {onUseDemo ? (
        <button type="button" onClick={onUseDemo}>
          Use the demo boards
        </button>
      ) : null}
    </div>
  );
}
