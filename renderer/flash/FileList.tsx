/**
 * The files to flash: a picker and a drop zone (one or more .bin files), and per file what it is, its
 * address (typed, from a layout preset, or suggested from what the file is), "Add to the library" (for
 * a whole-flash dump) and Remove. Files are uploaded as soon as they are chosen; only upload ids travel to the service.
 */
import { useEffect, useId, useState } from 'react';
import type { ErrorData } from '../../main/workbench/api.js';
import { call, errorData, useApi } from '../api/context.js';
import { pickFile } from '../api/files.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { bytes } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';
import { type FlashFile, hexAddress } from '../store/flash.js';
import { PRESETS, suggestAddress } from './presets.js';

export interface FileAdder {
  /** null: the Electron dialog; otherwise these Files' own bytes. */
  add: (files: File[] | null) => Promise<void>;
  busy: boolean;
  error: ErrorData | null;
}

export function useAddFiles(): FileAdder {
  const api = useApi();
  const store = useAppStore();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const add = async (files: File[] | null) => {
    setBusy(true);
    setError(null);
    // null: the Electron dialog (one file); otherwise each dropped or chosen File's own bytes. One
    // refused file (too big) does not stop the others.
    for (const f of files ?? [undefined]) {
      try {
        const up = await pickFile(api, f);
        if (!up) continue;
        store.getState().addFlashFile(up);
        call(api, 'files.identify', { file: up.id }).then(
          (info) => store.getState().setFileInfo(up.id, info),
          (e: unknown) => store.getState().setFileInfo(up.id, null, errorData(e)),
        );
      } catch (e) {
        setError(errorData(e));
      }
    }
    setBusy(false);
  };
  return { add, busy, error };
}

/**
 * Drop handlers for the whole Flash firmware view (a file dropped anywhere on it counts, not only on
 * the zone): in both shells a drop uploads the dropped files' own bytes, never a dialog instead.
 */
export function dropHandlers(adder: FileAdder, setOver: (over: boolean) => void) {
  return {
    onDragOver: (e: React.DragEvent) => {
      e.preventDefault();
      setOver(true);
    },
    onDragLeave: () => setOver(false),
    onDrop: (e: React.DragEvent) => {
      e.preventDefault();
      setOver(false);
      const files = Array.from(e.dataTransfer.files);
      if (files.length > 0) void adder.add(files);
    },
  };
}

/** The drop zone's face: what to drop, the picker (or the shell's dialog), upload state and errors. */
export function FileDrop({ adder, over }: { adder: FileAdder; over: boolean }) {
  const api = useApi();
  const id = useId();
  const { add, busy, error } = adder;
  return (
    <div className={`drop-zone${over ? ' over' : ''}`} aria-label="Firmware files" role="group">
      <p>
        <strong>Drop .bin files here</strong> — a sketch or firmware release, boot + user1,
        esp_init_data_default.bin, blank.bin…
      </p>
      {api.nativeFileDialogs ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void add(null)}>
          Choose files…
        </button>
      ) : (
        <>
          <label htmlFor={id}>Or choose files</label>{' '}
          <input
            id={id}
            type="file"
            multiple
            accept=".bin,.img,application/octet-stream"
            disabled={busy}
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              e.target.value = '';
              if (files.length > 0) void add(files);
            }}
          />
        </>
      )}
      {busy ? <span role="status"> Uploading…</span> : null}
      {error ? <ErrorPanel error={error} title="Could not use that file" /> : null}
    </div>
  );
}

function FileRow({ f, flashSize }: { f: FlashFile; flashSize: number }) {
  const api = useApi();
  const store = useAppStore();
  const id = useId();
  const [importError, setImportError] = useState<ErrorData | null>(null);
  const name = f.upload.name;
  const bad = f.addressText.trim() !== '' && f.address === null;
  const importIt = async () => {
    setImportError(null);
    try {
      const e = await call(api, 'library.import', { file: f.upload.id, label: name });
      store.getState().setFileImported(f.upload.id, e.label);
    } catch (e) {
      setImportError(errorData(e));
    }
  };
  return (
    <li className="flash-file" aria-label={name}>
      <div className="flash-file-head">
        <strong>{name}</strong> <span className="muted">{bytes(f.upload.size)}</span>
        {f.info ? (
          <span className="badge kind" title={f.info.evidence.join('; ')}>
            {f.info.description}
          </span>
        ) : f.infoError ? (
          <span className="badge warn">not recognised: {f.infoError.message}</span>
        ) : (
          <span className="muted"> recognising…</span>
        )}
      </div>
      <div className="flash-file-where">
        <label htmlFor={`${id}-addr`}>Address</label>
        <input
          id={`${id}-addr`}
          className="mono address"
          value={f.addressText}
          placeholder="0x0"
          aria-invalid={bad}
          onChange={(e) => store.getState().setFileAddress(f.upload.id, e.target.value)}
        />
        <label htmlFor={`${id}-preset`} className="visually-hidden">
          Layout preset for {name}
        </label>
        <select
          id={`${id}-preset`}
          value=""
          onChange={(e) => {
            const p = PRESETS.find((x) => x.id === e.target.value);
            const at = p?.at(flashSize);
            if (at !== null && at !== undefined) store.getState().setFileAddress(f.upload.id, hexAddress(at));
          }}
        >
          <option value="">Layout presets…</option>
          {PRESETS.map((p) => {
            const at = p.at(flashSize);
            return (
              <option key={p.id} value={p.id} disabled={at === null}>
                {p.label}
                {at === null ? ' (detect the board first)' : ` → ${hexAddress(at)}`}
              </option>
            );
          })}
        </select>
        {f.info?.kind === 'full-dump' ? (
          // Only a whole-flash dump (an old read_flash) belongs in the library of backups.
          <button
            type="button"
            className="secondary"
            disabled={f.imported !== null}
            onClick={() => void importIt()}
          >
            {f.imported ? 'In the library' : 'Add to the library'}
          </button>
        ) : null}
        <button
          type="button"
          className="secondary"
          aria-label={`Remove ${name}`}
          onClick={() => store.getState().removeFlashFile(f.upload.id)}
        >
          Remove
        </button>
      </div>
      {bad ? (
        <p className="field-error" role="alert">
          The address must be a multiple of 4, e.g. 0x0, 0x1000 or 0x3FC000.
        </p>
      ) : null}
      {f.imported ? <p className="muted">Added to the library as “{f.imported}”.</p> : null}
      {importError ? <ErrorPanel error={importError} title="Could not add it to the library" /> : null}
    </li>
  );
}

export function FileList({ flashSize }: { flashSize: number }) {
  const files = useApp((s) => s.flash.files);
  const store = useAppStore();
  // Files the user has not placed follow what they are (and the chip size once it is known).
  useEffect(() => {
    for (const f of files) {
      if (f.addressChosen || !f.info) continue;
      const at = suggestAddress(f.info, flashSize);
      const text = at === null ? '' : hexAddress(at);
      if (text !== f.addressText) store.getState().setFileAddress(f.upload.id, text, false);
    }
  }, [files, flashSize, store]);
  if (files.length === 0) return null;
  return (
    <ul className="flash-files" aria-label="Files to write">
      {files.map((f) => (
        <FileRow key={f.upload.id} f={f} flashSize={flashSize} />
      ))}
    </ul>
  );
}
