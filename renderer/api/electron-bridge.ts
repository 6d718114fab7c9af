/**
 * WorkbenchClient over Electron IPC: the preload (app/preload.cts) exposes `window.flashback` with
 * four functions (API call, events, open and save dialogs); the renderer never sees ipcRenderer (STYLE.md 9).
 */
import type {
  MethodName,
  Reply,
  UploadInfo,
  WorkbenchClient,
  WorkbenchEvent,
} from '../../main/workbench/api.js';

export interface PreloadApi {
  invoke(method: MethodName, params: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (e: WorkbenchEvent) => void): () => void;
  /** The shell's open dialog; the main process reads the file and returns its upload id. */
  openFile(): Promise<Reply<UploadInfo | null>>;
  /** The shell's save dialog for a prepared download. */
  saveFile(id: string): Promise<Reply<{ saved: boolean }>>;
}

declare global {
  interface Window {
    flashback?: PreloadApi;
  }
}

export function createElectronClient(bridge: PreloadApi): WorkbenchClient {
  return {
    call: (method, params) => bridge.invoke(method, params) as never,
    subscribe: (listener) => bridge.onEvent(listener),
    nativeFileDialogs: true,
    openFile: () => bridge.openFile(),
    saveFile: (download) => bridge.saveFile(download.id),
  };
}
