/** Starting and cancelling jobs from components; a refused start becomes a failed snapshot in the store. */
import { useCallback } from 'react';
import type { JobKind, JobParams, JobSnapshot, JobStartRequest } from '../../main/workbench/api.js';
import { useAppStore } from '../store/index.js';
import { call, errorData, useApi } from './context.js';

let localSeq = 0;

export function useStartJob(): <K extends JobKind>(kind: K, params: JobParams<K>) => Promise<string> {
  const api = useApi();
  const store = useAppStore();
  return useCallback(
    async (kind, params) => {
      try {
        const { jobId } = await call(api, 'jobs.start', { kind, params } as JobStartRequest);
        return jobId;
      } catch (e) {
        // Show the refusal where the job's progress would have been.
        const id = `local-${++localSeq}`;
        const snap: JobSnapshot = {
          id,
          kind,
          port: null,
          state: 'failed',
          progress: null,
          error: errorData(e),
          startedAt: Date.now(),
          endedAt: Date.now(),
        };
        store.getState().upsertJob(snap);
        return id;
      }
    },
    [api, store],
  );
}

export function useCancelJob(): (jobId: string) => void {
  const api = useApi();
  return useCallback((jobId) => void api.call('jobs.cancel', { jobId }), [api]);
}
