/** One side of the compare view: a board port, a library backup or an image file, in its own store. */
import { useId } from 'react';
import { useStore } from 'zustand';
import { FilePicker } from '../components/FilePicker.js';
import { portOptionText } from '../components/PortSelect.js';
import { bytes, shortHash } from '../format.js';
import type { PaneStore } from '../store/compare-pane.js';
import { useApp } from '../store/index.js';

export function ComparePane({ store }: { store: PaneStore }) {
  const side = useStore(store, (s) => s.side);
  const kind = useStore(store, (s) => s.kind);
  const value = useStore(store, (s) => s.value);
  const upload = useStore(store, (s) => s.upload);
  const ports = useApp((s) => s.ports);
  const library = useApp((s) => s.library);
  const id = useId();
  const title = side.toUpperCase();
  return (
    <fieldset className="compare-pane">
      <legend>Side {title}</legend>
      <div className="kind-choice" role="radiogroup" aria-label={`Side ${title} source`}>
        {(['port', 'library', 'file'] as const).map((k) => (
          <label key={k} className="radio">
            <input
              type="radio"
              name={`${id}-kind`}
              checked={kind === k}
              onChange={() => store.getState().setKind(k)}
            />
            {k === 'port' ? 'Board' : k === 'library' ? 'Library backup' : 'Image file'}
          </label>
        ))}
      </div>
      {kind === 'file' ? (
        <FilePicker
          label={`Side ${title} image file`}
          value={upload}
          onPicked={(u) => store.getState().setUpload(u)}
        />
      ) : (
        <div className="field">
          <label htmlFor={`${id}-value`}>
            Side {title} {kind === 'port' ? 'port' : 'backup'}
          </label>
          <select
            id={`${id}-value`}
            value={value}
            onChange={(e) => store.getState().setValue(e.target.value)}
          >
            <option value="">Choose…</option>
            {kind === 'port'
              ? ports.map((p) => (
                  <option key={p.path} value={p.path}>
                    {portOptionText(p)}
                  </option>
                ))
              : library.map((e) => (
                  <option key={e.id} value={e.id}>
                    {e.label} — {bytes(e.size)} — {shortHash(e.sha256)}
                  </option>
                ))}
          </select>
        </div>
      )}
    </fieldset>
  );
}
