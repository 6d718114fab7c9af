/**
 * The single entry both bridges use: parse the method name and payload with the zod schemas of
 * api.ts, call the service, and wrap the outcome as `Reply` data. Nothing unvalidated reaches the
 * service, and no exception crosses a bridge (STYLE.md 5, 9).
 */
import { FlashbackError, toErrorData } from '../errors.js';
import { type MethodName, type MethodResults, methodSchemas, type Reply } from './api.js';
import type { WorkbenchService } from './service.js';

function isMethod(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodSchemas, name);
}

async function call(svc: WorkbenchService, method: MethodName, p: any): Promise<unknown> {
  switch (method) {
    case 'app.info':
      return svc.appInfo();
    case 'ports.list':
      return svc.listPorts();
    case 'jobs.start':
      return svc.startJob(p);
    case 'jobs.cancel':
      return svc.cancelJob(p.jobId);
    case 'jobs.list':
      return svc.listJobs();
    case 'library.list':
      return svc.library().list();
    case 'library.rename':
      return svc.library().rename(p.id, p.label);
    case 'library.remove':
      return { removed: await svc.library().remove(p.id) };
    case 'library.export':
      return svc.library().export(p.id, p.scrub, p.dest);
    case 'monitor.open':
      return svc.openMonitor(p.port, p.baud);
    case 'monitor.close':
      return svc.closeMonitor(p.port);
  }
}

export async function dispatch(svc: WorkbenchService, method: unknown, params: unknown): Promise<Reply<unknown>> {
  if (!isMethod(method)) {
    return { ok: false, error: toErrorData(new FlashbackError('BAD_ARGUMENT', `Unknown method ${String(method).slice(0, 64)}`, 'Update the app: the UI and the service disagree.')) };
  }
  const parsed = methodSchemas[method].safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return {
      ok: false,
      error: toErrorData(
        new FlashbackError('BAD_ARGUMENT', `Invalid ${method} request${where}: ${issue?.message ?? 'bad payload'}`, 'Check the values you entered and try again.'),
      ),
    };
  }
  try {
    return { ok: true, value: (await call(svc, method, parsed.data)) as MethodResults[typeof method] };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}
