/**
 * "Choose a file…": an `<input type="file">` in the browser (the bytes are uploaded), the shell's own
 * open dialog in Electron. Reports the upload (id, name, size) — never a path.
 */
import { useId, useRef, useState } from 'react';
import type { ErrorData, UploadInfo } from '../../main/workbench/api.js';
import { errorData, useApi } from '../api/context.js';
import { pickFile } from '../api/files.js';
import { bytes } from '../format.js';
import { ErrorPanel } from './ErrorPanel.js';

export function FilePicker({
  label,
  value,
  onPicked,
  accept = '.bin,.img,application/octet-stream',
}: {
  label: string;
  /** The file picked so far (shown by name). */
  value: UploadInfo | null;
  onPicked: (upload: UploadInfo) => void;
  accept?: string;
}) {
  const api = useApi();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const take = async (file?: File) => {
    setBusy(true);
    setError(null);
    try {
      const up = await pickFile(api, file);
      if (up) onPicked(up);
    } catch (e) {
      setError(errorData(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="field file-picker">
      <label htmlFor={id}>{label}</label>
      {api.nativeFileDialogs ? (
        <button id={id} type="button" className="secondary" disabled={busy} onClick={() => void take()}>
          Choose a file…
        </button>
      ) : (
        <input
          id={id}
          ref={input}
          type="file"
          accept={accept}
          disabled={busy}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void take(f);
          }}
        />
      )}
      {busy ? <span role="status">Uploading…</span> : null}
      {value && !busy ? (
        <span className="file-picked">
          {value.name} ({bytes(value.size)})
        </span>
      ) : null}
      {error ? (
        <ErrorPanel error={error} title="Could not use that file" onRetry={() => setError(null)} />
      ) : null}
    </div>
  );
}
