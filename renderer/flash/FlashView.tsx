/**
 * "Flash firmware": pick the board, add .bin files (picker or drag-and-drop) with their addresses,
 * see what each file is and what will be written, then write — with the same safety as a restore
 * (automatic backup, only differing sectors, MD5 verify). Verify and erase sit beside it.
 */
import { useMemo, useState } from 'react';
import type { JobParams } from '../../main/workbench/api.js';
import { useStartJob } from '../api/jobs.js';
import { BoardCard } from '../components/BoardCard.js';
import { JobProgress } from '../components/JobProgress.js';
import { PortSelect } from '../components/PortSelect.js';
import { useApp, useAppStore } from '../store/index.js';
import type { AppState } from '../store/slices.js';
import { type FlashOptions, flashPlanOf } from '../store/flash.js';
import { jobResult } from '../store/wizard.js';
import { EraseBoard, VerifyFiles } from './EraseVerify.js';
import { FileDrop, FileList, dropHandlers, useAddFiles } from './FileList.js';
import { WritePlan } from './WritePlan.js';

/** The files with valid addresses, or null while any is missing one. */
function filesOf(fs: AppState['flash']['files']): JobParams<'verify-files'>['files'] | null {
  if (fs.length === 0 || fs.some((f) => f.address === null)) return null;
  return fs.map((f) => ({ address: f.address!, file: f.upload.id }));
}

function Options() {
  const store = useAppStore();
  const o = useApp((s) => s.flash.options);
  const set = (p: Partial<FlashOptions>) => store.getState().setFlashOptions(p);
  return (
    <fieldset className="flash-options">
      <legend>Options</legend>
      <div className="port-row">
        <label htmlFor="flash-mode">Flash mode in the header at 0x0</label>
        <select
          id="flash-mode"
          value={o.flashMode}
          onChange={(e) => set({ flashMode: e.target.value as FlashOptions['flashMode'] })}
        >
          <option value="keep">keep (as in the file)</option>
          <option value="dio">dio</option>
          <option value="dout">dout (ESP-01/ESP8285 safe)</option>
          <option value="qio">qio</option>
          <option value="qout">qout</option>
        </select>
        <label htmlFor="flash-size">Flash size in the header</label>
        <select
          id="flash-size"
          value={o.flashSize}
          onChange={(e) => set({ flashSize: e.target.value as FlashOptions['flashSize'] })}
        >
          <option value="keep">keep (as in the file)</option>
          <option value="detect">the chip’s real size</option>
        </select>
      </div>
      <label className="field checkbox">
        <input type="checkbox" checked={o.backup} onChange={(e) => set({ backup: e.target.checked })} /> Back
        up the board into the library first (recommended)
      </label>
    </fieldset>
  );
}

export function FlashView() {
  const store = useAppStore();
  const start = useStartJob();
  const port = useApp((s) => s.flash.port);
  const detectJob = useApp((s) => s.flash.detectJob);
  const detected = useApp((s) => jobResult(s, s.flash.detectJob, 'detect'));
  const planned = useApp(flashPlanOf);
  const flashFiles = useApp((s) => s.flash.files);
  // Derived outside the selector: a new array per render would make zustand re-render forever.
  const files = useMemo(() => filesOf(flashFiles), [flashFiles]);
  const options = useApp((s) => s.flash.options);
  const isVirtual = useApp((s) => s.ports.find((p) => p.path === s.flash.port)?.virtual ?? false);
  const flashSize = detected?.flash.size ?? planned?.target.flash.size ?? 0;
  const detect = async () => {
    if (port) store.getState().setFlashJob('detectJob', await start('detect', { port }));
  };
  // Verify patches the header at 0x0 as the write does, so a patched file is compared as written.
  const verifyOptions: JobParams<'verify-files'> | null =
    port && files
      ? {
          port,
          files,
          ...(options.flashMode !== 'keep' ? { flashMode: options.flashMode } : {}),
          ...(options.flashSize !== 'keep' ? { flashSize: options.flashSize } : {}),
        }
      : null;
  const writeOptions: JobParams<'plan-write'> | null = verifyOptions && {
    ...verifyOptions,
    ...(!options.backup ? { backup: false } : {}),
  };
  const adder = useAddFiles();
  const [over, setOver] = useState(false);
  return (
    <section aria-labelledby="flash-h" className="flash-view" {...dropHandlers(adder, setOver)}>
      <h2 id="flash-h">Flash firmware</h2>
      <p>
        Write one or more .bin files at their addresses. Flashback backs the board up first, writes only the
        sectors that differ and checks every file by MD5 afterwards.
      </p>
      <div className="two-col">
        <div className="role-panel">
          <PortSelect label="Board port" value={port} onChange={(p) => store.getState().setFlashPort(p)} />
          <button type="button" className="secondary" disabled={!port} onClick={() => void detect()}>
            Detect the board
          </button>
          <JobProgress jobId={detectJob} label="Detect" onRetry={() => void detect()} />
          {detected ? <BoardCard role="Target" board={detected} virtual={isVirtual} /> : null}
        </div>
        <FileDrop adder={adder} over={over} />
      </div>
      <FileList flashSize={flashSize} />
      <Options />
      <WritePlan options={writeOptions} />
      <h3>Verify and erase</h3>
      <VerifyFiles request={verifyOptions} />
      <EraseBoard />
    </section>
  );
}
