/**
 * Verify the files against the board (per-file MD5, differing sectors named), and erase the whole chip
 * or a sector-aligned region. Erasing asks for an explicit tick first: it cannot be undone without a backup.
 */
import { useId, useState } from 'react';
import { SECTOR_SIZE } from '../../main/flash-geometry.js';
import type { JobParams } from '../../main/workbench/api.js';
import { useStartJob } from '../api/jobs.js';
import { JobProgress } from '../components/JobProgress.js';
import { bytes, duration, hex } from '../format.js';
import { useApp, useAppStore } from '../store/index.js';
import { parseAddress } from '../store/flash.js';
import { jobResult } from '../store/wizard.js';

/** `request`: the files and the write's header options (a patched header at 0x0 is compared as written). */
export function VerifyFiles({ request }: { request: JobParams<'verify-files'> | null }) {
  const store = useAppStore();
  const start = useStartJob();
  const jobId = useApp((s) => s.flash.verifyJob);
  const result = useApp((s) => jobResult(s, s.flash.verifyJob, 'verify-files'));
  const verify = async () => {
    if (request) store.getState().setFlashJob('verifyJob', await start('verify-files', request));
  };
  return (
    <div className="verify-files">
      <button type="button" className="secondary" disabled={!request} onClick={() => void verify()}>
        Verify the files on the board
      </button>
      <JobProgress jobId={jobId} label="Verify" onRetry={() => void verify()} />
      {result ? (
        <div className={`verdict ${result.verified ? 'ok' : 'bad'}`} role="status" aria-label="Verify result">
          <p>
            <strong>{result.verified ? 'The board holds every file' : 'The board differs'}</strong> (
            {duration(result.seconds)})
          </p>
          <ul>
            {result.files.map((f) => (
              <li key={f.address}>
                <span className="mono">{hex(f.address)}</span> {f.name}:{' '}
                {f.verified
                  ? 'matches'
                  : `differs in ${f.diffSectors.length} sector${f.diffSectors.length === 1 ? '' : 's'}${
                      f.diffSectors.length ? ` from ${hex(f.diffSectors[0]!)}` : ''
                    }`}
                {f.headerNote ? <span className="muted"> — {f.headerNote}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

export function EraseBoard() {
  const store = useAppStore();
  const start = useStartJob();
  const id = useId();
  const port = useApp((s) => s.flash.port);
  const jobId = useApp((s) => s.flash.eraseJob);
  const result = useApp((s) => jobResult(s, s.flash.eraseJob, 'erase'));
  const [whole, setWhole] = useState(false);
  const [offset, setOffset] = useState('');
  const [size, setSize] = useState('0x1000');
  const [sure, setSure] = useState(false);
  const off = parseAddress(offset);
  const len = parseAddress(size);
  const aligned =
    off !== null && len !== null && len > 0 && off % SECTOR_SIZE === 0 && len % SECTOR_SIZE === 0;
  const ok = port !== null && sure && (whole || aligned);
  const erase = async () => {
    if (!ok || !port) return;
    const params: JobParams<'erase'> = whole ? { port } : { port, offset: off!, size: len! };
    store.getState().setFlashJob('eraseJob', await start('erase', params));
    setSure(false);
  };
  return (
    <fieldset className="erase">
      <legend>Erase</legend>
      <div className="radio-row" role="radiogroup" aria-label="What to erase">
        <label>
          <input type="radio" name={`${id}-what`} checked={!whole} onChange={() => setWhole(false)} /> A
          region
        </label>
        <label>
          <input type="radio" name={`${id}-what`} checked={whole} onChange={() => setWhole(true)} /> The whole
          chip
        </label>
      </div>
      {!whole ? (
        <div className="port-row">
          <label htmlFor={`${id}-off`}>Start</label>
          <input
            id={`${id}-off`}
            className="mono address"
            value={offset}
            placeholder="0x3FC000"
            onChange={(e) => setOffset(e.target.value)}
          />
          <label htmlFor={`${id}-len`}>Length</label>
          <input
            id={`${id}-len`}
            className="mono address"
            value={size}
            onChange={(e) => setSize(e.target.value)}
          />
          {offset && !aligned ? (
            <span className="field-error">Start and length are multiples of 0x1000 (one sector).</span>
          ) : null}
        </div>
      ) : null}
      <label className="field checkbox">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} /> I have a backup
        of this board (erased data is gone)
      </label>
      <button type="button" className="danger" disabled={!ok} onClick={() => void erase()}>
        {whole ? 'Erase the whole chip' : 'Erase the region'}
      </button>
      <JobProgress jobId={jobId} label="Erase" />
      {result ? (
        <p className="verdict ok" role="status" aria-label="Erase result">
          Erased {bytes(result.erased.size)} from {hex(result.erased.offset)} in {duration(result.seconds)}.
        </p>
      ) : null}
    </fieldset>
  );
}
