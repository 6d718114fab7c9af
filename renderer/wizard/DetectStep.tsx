/** Step 1: choose the good and the bad board's ports and identify both chips. */
import { useApi } from '../api/context.js';
import { useStartJob } from '../api/jobs.js';
import { BoardCard } from '../components/BoardCard.js';
import { JobProgress } from '../components/JobProgress.js';
import { NoHardwareNote, PortSelect } from '../components/PortSelect.js';
import { useApp, useAppStore } from '../store/index.js';
import { type Role, boardOf } from '../store/wizard.js';

function RolePanel({ role, title }: { role: Role; title: string }) {
  const store = useAppStore();
  const start = useStartJob();
  const port = useApp((s) => s.wizard.port[role]);
  const jobId = useApp((s) => s.wizard.detectJob[role]);
  const board = useApp((s) => boardOf(s, role));
  const running = useApp((s) => (jobId ? s.jobs[jobId]?.state === 'running' : false));
  const isVirtual = useApp((s) => s.ports.find((p) => p.path === port)?.virtual ?? false);
  const detect = async () => {
    if (!port) return;
    store.getState().setDetectJob(role, await start('detect', { port }));
  };
  return (
    <div className="role-panel">
      <PortSelect
        label={`${title} port`}
        value={port}
        onChange={(p) => store.getState().choosePort(role, p)}
      />
      <button type="button" disabled={!port || running} onClick={() => void detect()}>
        Detect {title.toLowerCase()}
      </button>
      <JobProgress jobId={jobId} label={`Detect ${title.toLowerCase()}`} onRetry={() => void detect()} />
      {board ? <BoardCard role={title} board={board} virtual={isVirtual} /> : null}
    </div>
  );
}

export function DetectStep() {
  useApi();
  const store = useAppStore();
  const goTo = useApp((s) => s.goTo);
  const useDemo = () => {
    store.getState().choosePort('good', 'virtual:good');
    store.getState().choosePort('bad', 'virtual:bad');
  };
  // One adapter for both boards: detecting twice without swapping finds the same chip twice.
  const same = useApp((s) => {
    const good = boardOf(s, 'good');
    return good && good.mac === boardOf(s, 'bad')?.mac ? good.mac : null;
  });
  const ready = useApp((s) => boardOf(s, 'good') !== null && boardOf(s, 'bad') !== null) && !same;
  return (
    <section aria-labelledby="detect-h">
      <h2 id="detect-h">Detect boards</h2>
      <p>
        Pick the board that works (good) and the one that does not (bad). Flashback reads each chip's
        identity.
      </p>
      <NoHardwareNote onUseDemo={useDemo} />
      <div className="two-col">
        <RolePanel role="good" title="Good board" />
        <RolePanel role="bad" title="Bad board" />
      </div>
      {same ? (
        <p className="notice" role="alert" aria-label="Same board twice">
          Both detections found the same board ({same}). Plug the other board in and detect it again.
        </p>
      ) : null}
      <div className="actions">
        <button type="button" disabled={!ready} onClick={() => goTo('backup')}>
          Next: back up the good board
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => store.getState().openRepair(store.getState().wizard.port.bad)}
        >
          No good board? Repair the factory data
        </button>
      </div>
    </section>
  );
}
