/**
 * The single entry both bridges use: parse the method name and payload with the zod schemas of
 * api.ts, call the service, and wrap the outcome as `Reply` data. Nothing unvalidated reaches the
 * service, and no exception crosses a bridge (STYLE.md 5, 9).
 */
import { FlashbackError, toErrorData } from '../errors.js';
import { type MethodName, type MethodParams, type MethodResults, methodSchemas, type Reply } from './api.js';
import type { WorkbenchService } from './service.js';

function isMethod(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodSchemas, name);
}

type Handlers = {
  [M in MethodName]: (
    svc: WorkbenchService,
    p: MethodParams[M],
  ) => MethodResults[M] | Promise<MethodResults[M]>;
};

const handlers: Handlers = {
  'app.info': (svc) => svc.appInfo(),
  'ports.list': (svc) => svc.listPorts(),
  'ports.add': (svc, p) => svc.addPort(p.port),
  'jobs.start': (svc, p) => svc.startJob(p),
  'jobs.cancel': (svc, p) => svc.cancelJob(p.jobId),
  'jobs.list': (svc) => svc.listJobs(),
  'library.list': (svc) => svc.library().list(),
  'library.rename': (svc, p) => svc.library().rename(p.id, p.label),
  'library.remove': async (svc, p) => ({ removed: await svc.library().remove(p.id) }),
  'library.repair': (svc, p) => {
    const lib = svc.library();
    if (!lib.repair)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'This host cannot repair library entries',
        'Run `flashback library repair ID`.',
      );
    return lib.repair(p.id);
  },
  'library.import': (svc, p) => svc.importFile(p.file, p.label),
  'files.identify': (svc, p) => svc.identifyFile(p.file),
  'library.export': (svc, p) => svc.exportLibrary(p.id, p.scrub ?? true),
  'monitor.open': (svc, p) => svc.openMonitor(p.port, p.baud),
  'monitor.close': (svc, p) => svc.closeMonitor(p.port),
  'monitor.reset': (svc, p) => svc.resetMonitor(p.port),
  'monitor.send': (svc, p) => svc.sendMonitor(p.port, p.text),
};

export async function dispatch(
  svc: WorkbenchService,
  method: unknown,
  params: unknown,
): Promise<Reply<unknown>> {
  if (!isMethod(method)) {
    return {
      ok: false,
      error: toErrorData(
        new FlashbackError(
          'BAD_ARGUMENT',
          `Unknown method ${String(method).slice(0, 64)}`,
          'Update the app: the UI and the service disagree.',
        ),
      ),
    };
  }
  const parsed = methodSchemas[method].safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return {
      ok: false,
      error: toErrorData(
        new FlashbackError(
          'BAD_ARGUMENT',
          `Invalid ${method} request${where}: ${issue?.message ?? 'bad payload'}`,
          'Check the values you entered and try again.',
        ),
      ),
    };
  }
  try {
    // The schema for `method` just parsed the payload, so it has that method's params shape.
    const handler = handlers[method] as (svc: WorkbenchService, p: unknown) => unknown;
    return { ok: true, value: await handler(svc, parsed.data) };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}
