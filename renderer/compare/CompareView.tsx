/**
 * Compare two boards (or images) side by side: fields in two columns, the sector map and the region
 * table, with a one-line summary on top so the difference is obvious at a glance.
 */
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { CompareView as View } from '../../main/workbench/api.js';
import { useStartJob } from '../api/jobs.js';
import { JobProgress, useJob } from '../components/JobProgress.js';
import { createPaneStore } from '../store/compare-pane.js';
import { ComparePane } from './ComparePane.js';
import { FieldsTable } from './FieldsTable.js';
import { RegionTable, SectorMap } from './SectorMap.js';

export function CompareView({
  initialA = 'virtual:good',
  initialB = 'virtual:bad',
}: {
  initialA?: string;
  initialB?: string;
}) {
  const paneA = useMemo(() => createPaneStore({ side: 'a', value: initialA }), [initialA]);
  const paneB = useMemo(() => createPaneStore({ side: 'b', value: initialB }), [initialB]);
  const a = useStore(paneA, (s) => s.value.trim());
  const b = useStore(paneB, (s) => s.value.trim());
  const start = useStartJob();
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const view = job?.state === 'done' ? (job.result as View) : null;
  const run = async () => setJobId(await start('compare', { a, b }));
  return (
    <section aria-labelledby="compare-h" className="compare">
      <h2 id="compare-h">Compare</h2>
      <div className="two-col">
        <ComparePane store={paneA} />
        <ComparePane store={paneB} />
      </div>
      <div className="actions">
        <button type="button" disabled={!a || !b || job?.state === 'running'} onClick={() => void run()}>
          Compare A and B
        </button>
      </div>
      <JobProgress jobId={jobId} label="Compare" onRetry={() => void run()} />
      {view ? (
        <div className="compare-result">
          <p className="summary" role="status">
            {view.summary}
          </p>
          <FieldsTable view={view} />
          <SectorMap view={view} />
          <RegionTable view={view} />
        </div>
      ) : null}
    </section>
  );
}
