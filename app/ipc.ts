/**
 * The IPC bridge: one `handle()` that checks the sender is our own page, then hands the raw payload to
 * dispatch() (which validates it with zod) and returns the `{ ok, value | error }` data. Events go to
 * the window with webContents.send (STYLE.md 9).
 */
import { IPC_EVENT, IPC_INVOKE, type Reply } from '../main/workbench/api.js';
import { dispatch } from '../main/workbench/dispatch.js';
import type { WorkbenchService } from '../main/workbench/service.js';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from './electron-api.js';

/** True when the frame shows the bundled UI (a file:// URL inside `rendererDir`). */
export function trustedFrame(rendererDirUrl: string) {
  return (event: IpcMainInvokeEvent): boolean => {
    const url = event.senderFrame?.url;
    return typeof url === 'string' && url.startsWith(rendererDirUrl);
  };
}

export function registerIpc(
  ipcMain: IpcMain,
  service: WorkbenchService,
  isTrusted: (e: IpcMainInvokeEvent) => boolean,
): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, method, params): Promise<Reply<unknown>> => {
    if (!isTrusted(event)) {
      return {
        ok: false,
        error: {
          code: 'BAD_ARGUMENT',
          message: 'Request from an untrusted page refused',
          hint: 'Only the Flashback window may use the API.',
        },
      };
    }
    return dispatch(service, method, params);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

/** Forwards service events to one window until it is destroyed. */
export function forwardEvents(service: WorkbenchService, contents: WebContents): () => void {
  const off = service.subscribe((e) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT, e);
  });
  return off;
}
