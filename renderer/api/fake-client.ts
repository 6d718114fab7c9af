/**
 * A WorkbenchClient for component tests and demos: methods answer from a handler table, jobs complete
 * when the test says so, and `emit` pushes events as the host would.
 */
import type {
  JobKind,
  JobResults,
  JobSnapshot,
  MethodName,
  MethodParams,
  MethodResults,
  Reply,
  WorkbenchClient,
  WorkbenchEvent,
  ErrorData,
  DownloadInfo,
  UploadInfo,
} from '../../main/workbench/api.js';

type Handlers = { [M in MethodName]?: (p: MethodParams[M]) => MethodResults[M] | Promise<MethodResults[M]> };

export interface FakeClient extends WorkbenchClient {
  calls: { method: MethodName; params: unknown }[];
  emit(e: WorkbenchEvent): void;
  /** Jobs started so far, in order. */
  started: { jobId: string; kind: JobKind; params: unknown }[];
  finish<K extends JobKind>(jobId: string, kind: K, result: JobResults[K]): void;
  fail(jobId: string, kind: JobKind, error: ErrorData): void;
  progress(jobId: string, kind: JobKind, p: JobSnapshot['progress']): void;
  /** Files "uploaded" (their names) and downloads handed to the user, in order. */
  uploads: string[];
  downloads: DownloadInfo[];
}

export function createFakeClient(handlers: Handlers = {}): FakeClient {
  const listeners = new Set<(e: WorkbenchEvent) => void>();
  const calls: FakeClient['calls'] = [];
  const started: FakeClient['started'] = [];
  let seq = 0;
  const snap = (jobId: string, kind: JobKind, extra: Partial<JobSnapshot>): JobSnapshot => ({
    id: jobId,
    kind,
    port: null,
    state: 'running',
    progress: null,
    startedAt: 0,
    ...extra,
  });
  const emit = (e: WorkbenchEvent) => listeners.forEach((l) => l(e));
  const defaults: Handlers = {
    'ports.list': () => [],
    'jobs.list': () => [],
    'library.list': () => [],
    'jobs.start': (p) => {
      const jobId = `job-${++seq}`;
      started.push({ jobId, kind: p.kind, params: p.params });
      queueMicrotask(() => emit({ type: 'job', job: snap(jobId, p.kind, {}) }));
      return { jobId };
    },
    'jobs.cancel': () => ({ cancelled: true }),
  };
  const uploads: string[] = [];
  const downloads: DownloadInfo[] = [];
  return {
    calls,
    started,
    emit,
    uploads,
    downloads,
    nativeFileDialogs: false,
    async openFile(file) {
      if (!file) return { ok: true, value: null };
      uploads.push(file.name);
      const info: UploadInfo = {
        id: `upload:${String(uploads.length).padStart(16, '0')}`,
        name: file.name,
        size: file.size,
        sha256: '0'.repeat(64),
      };
      return { ok: true, value: info };
    },
    async saveFile(d) {
      downloads.push(d);
      return { ok: true, value: { saved: true } };
    },
    async call<M extends MethodName>(method: M, params: MethodParams[M]): Promise<Reply<MethodResults[M]>> {
      calls.push({ method, params });
      const h = handlers[method] ?? defaults[method];
      if (!h)
        return {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: `fake: no handler for ${method}`,
            hint: 'Add one in the test.',
          },
        };
      try {
        return { ok: true, value: await h(params) };
      } catch (e) {
        return {
          ok: false,
          error: (e as { data?: ErrorData }).data ?? { code: 'INTERNAL', message: String(e), hint: '' },
        };
      }
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    finish: (jobId, kind, result) => emit({ type: 'job', job: snap(jobId, kind, { state: 'done', result }) }),
    fail: (jobId, kind, error) => emit({ type: 'job', job: snap(jobId, kind, { state: 'failed', error }) }),
    progress: (jobId, kind, progress) => emit({ type: 'job', job: snap(jobId, kind, { progress }) }),
  };
}
