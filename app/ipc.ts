/**
 * The IPC bridge: one `handle()` that checks the sender is our own page, then hands the raw payload to
 * dispatch() (which validates it with zod) and returns the `{ ok, value | error }` data. Events go to
 * the window with webContents.send (STYLE.md 9).
 */
import {
  IPC_EVENT,
  IPC_INVOKE,
  IPC_OPEN_FILE,
  IPC_SAVE_FILE,
  IPC_UPLOAD_FILE,
  type Reply,
} from '../main/workbench/api.js';
import { dispatch } from '../main/workbench/dispatch.js';
import type { WorkbenchService } from '../main/workbench/service.js';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from './electron-api.js';

/**
 * True when the frame shows exactly the bundled page: the whole file URL (path and all) must equal
 * `indexUrl`, so a sibling folder that merely starts the same (`…/dist-renderer-evil/x.html`) or
 * another page in the folder is refused. Only the fragment may differ (in-page anchors).
 */
export function trustedFrame(indexUrl: string) {
  const want = new URL(indexUrl);
  return (event: IpcMainInvokeEvent): boolean => {
    const url = event.senderFrame?.url;
    if (typeof url !== 'string') return false;
    let got: URL;
    try {
      got = new URL(url);
    } catch {
      return false;
    }
    return (
      got.protocol === want.protocol &&
      got.host === want.host &&
      got.pathname === want.pathname &&
      got.search === want.search &&
      got.username === '' &&
      got.password === ''
    );
  };
}

const untrusted: Reply<never> = {
  ok: false,
  error: {
    code: 'BAD_ARGUMENT',
    message: 'Request from an untrusted page refused',
    hint: 'Only the Flashback window may use the API.',
  },
};

/** The shell's file dialogs and the page's dropped files, behind the same sender check as the API. */
export interface FileDialogs {
  open(): Promise<Reply<unknown>>;
  save(params: unknown): Promise<Reply<unknown>>;
  /** `{ name, bytes }` of a file the page holds; validated (app/files.ts) before it is stored. */
  upload(params: unknown): Promise<Reply<unknown>>;
}

export function registerIpc(
  ipcMain: IpcMain,
  service: WorkbenchService,
  isTrusted: (e: IpcMainInvokeEvent) => boolean,
  files?: FileDialogs,
): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, method, params): Promise<Reply<unknown>> => {
    if (!isTrusted(event)) return untrusted;
    return dispatch(service, method, params);
  });
  if (files) {
    ipcMain.handle(IPC_OPEN_FILE, (event) => (isTrusted(event) ? files.open() : untrusted));
    ipcMain.handle(IPC_SAVE_FILE, (event, params) => (isTrusted(event) ? files.save(params) : untrusted));
    ipcMain.handle(IPC_UPLOAD_FILE, (event, params) => (isTrusted(event) ? files.upload(params) : untrusted));
  }
  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    if (files) {
      ipcMain.removeHandler(IPC_OPEN_FILE);
      ipcMain.removeHandler(IPC_SAVE_FILE);
      ipcMain.removeHandler(IPC_UPLOAD_FILE);
    }
  };
}

/** Forwards service events to one window until it is destroyed. */
export function forwardEvents(service: WorkbenchService, contents: WebContents): () => void {
  const off = service.subscribe((e) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT, e);
  });
  return off;
}
