/**
 * The backup library: label, board, date, size, hash, credentials flag; details, rename, delete, scrubbed
 * export. A damaged entry is shown (never hidden) with a badge and the command that fixes it.
 */
import { useState } from 'react';
import type { CredentialFindingView, ErrorData, LibraryEntry } from '../../main/workbench/api.js';
import { call, errorData, useApi } from '../api/context.js';
import { saveDownload } from '../api/files.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { bytes, shortHash } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';

function Row({
  entry,
  onError,
  onNote,
}: {
  entry: LibraryEntry;
  onError: (e: ErrorData) => void;
  onNote: (s: string, findings?: CredentialFindingView[]) => void;
}) {
  const api = useApi();
  const store = useAppStore();
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const [label, setLabel] = useState(entry.label);
  const refresh = async () => store.getState().setLibrary(await call(api, 'library.list', {}));
  const act = (f: () => Promise<void>) => () => void f().catch((e: unknown) => onError(errorData(e)));
  const rename = act(async () => {
    await call(api, 'library.rename', { id: entry.id, label });
    setEditing(false);
    await refresh();
  });
  const remove = act(async () => {
    if (!window.confirm(`Delete the backup "${entry.label}"? This cannot be undone.`)) return;
    await call(api, 'library.remove', { id: entry.id });
    await refresh();
  });
  const repair = act(async () => {
    const fixed = await call(api, 'library.repair', { id: entry.id });
    await refresh();
    onNote(`Rebuilt the metadata of "${fixed.label}" (the image is intact).`);
  });
  const exportIt = act(async () => {
    const r = await call(api, 'library.export', { id: entry.id, scrub: true });
    const saved = await saveDownload(api, r.download);
    // The scrub's report goes with the download: what it blanked is said, what it left is listed.
    if (saved)
      onNote(
        `Exported ${r.download.name}${r.scrubbed ? ' with WiFi credentials removed' : ''}.`,
        r.report?.findings,
      );
  });
  return (
    <>
      <tr>
        <td>
          {editing ? (
            <input
              aria-label={`New label for ${entry.label}`}
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && rename()}
            />
          ) : (
            entry.label
          )}
          {entry.damaged ? (
            <p className="damaged">
              <span className="badge bad">
                {entry.damaged.kind === 'metadata-missing' ? 'metadata missing' : 'corrupt'}
              </span>{' '}
              {entry.damaged.problem}. Next: <code>{entry.damaged.next}</code>
            </p>
          ) : null}
        </td>
        <td>
          {entry.board.chip ?? '?'} <span className="mono">{entry.board.mac ?? ''}</span>
        </td>
        <td>{entry.created ? new Date(entry.created).toLocaleString() : 'unknown'}</td>
        <td>{bytes(entry.size)}</td>
        <td className="mono">{shortHash(entry.sha256)}</td>
        <td>
          {entry.credentials ? (
            <span className="badge warn">WiFi credentials{entry.ssid ? ` (${entry.ssid})` : ''}</span>
          ) : (
            'none found'
          )}
        </td>
        <td className="row-actions">
          <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
            Details
          </button>
          {entry.damaged?.fix === 'repair' ? (
            <button type="button" onClick={repair}>
              Repair
            </button>
          ) : null}
          {entry.damaged ? null : editing ? (
            <button type="button" onClick={rename}>
              Save
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => setEditing(true)}>
              Rename
            </button>
          )}
          {entry.damaged ? null : (
            <button type="button" className="secondary" onClick={exportIt}>
              Export (scrubbed)
            </button>
          )}
          <button type="button" className="danger" onClick={remove}>
            Delete
          </button>
        </td>
      </tr>
      {open ? (
        <tr className="details">
          <td colSpan={7}>
            <dl>
              <dt>Id</dt>
              <dd className="mono">{entry.id}</dd>
              <dt>sha256</dt>
              <dd className="mono">{entry.sha256}</dd>
              <dt>md5</dt>
              <dd className="mono">{entry.md5}</dd>
              <dt>Flash size</dt>
              <dd>{entry.board.flashSize ? bytes(entry.board.flashSize) : 'unknown'}</dd>
              <dt>Source port</dt>
              <dd>{entry.board.port ?? 'unknown'}</dd>
            </dl>
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function LibraryView() {
  const entries = useApp((s) => s.library);
  const [error, setError] = useState<ErrorData | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [left, setLeft] = useState<CredentialFindingView[]>([]);
  const onNote = (s: string, findings: CredentialFindingView[] = []) => {
    setNote(s);
    setLeft(findings);
  };
  return (
    <section aria-labelledby="library-h">
      <h2 id="library-h">Library</h2>
      {error ? <ErrorPanel error={error} onRetry={() => setError(null)} /> : null}
      {note ? (
        <p className="notice" role="status">
          {note}
        </p>
      ) : null}
      {left.length > 0 ? (
        <div className="notice warn" role="alert" aria-label="Not removed by the scrub">
          <p>
            The exported image still holds {left.length} place(s) that look like credentials — check them
            before sharing it:
          </p>
          <ul>
            {left.map((f) => (
              <li key={f.offset}>
                {f.hint}
                {f.masked ? <span className="mono"> [{f.masked}]</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {entries.length === 0 ? (
        <p>No backups yet. The wizard's backup step (and every restore's auto-backup) adds them here.</p>
      ) : (
        <table className="library-table">
          <caption>Backups</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Board</th>
              <th scope="col">Date</th>
              <th scope="col">Size</th>
              <th scope="col">sha256</th>
              <th scope="col">Credentials</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <Row key={e.id} entry={e} onError={setError} onNote={onNote} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
