/**
 * WorkbenchClient over Electron IPC: the preload (app/preload.cts) exposes `window.flashback` with
 * five functions (API call, events, open and save dialogs, a dropped file's bytes); the renderer never
 * sees ipcRenderer (STYLE.md 9).
 */
import type {
  MethodName,
  Reply,
  UploadInfo,
  WorkbenchClient,
  WorkbenchEvent,
} from '../../main/workbench/api.js';
import { oversized, readBytes } from './upload.js';

export interface PreloadApi {
  invoke(method: MethodName, params: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (e: WorkbenchEvent) => void): () => void;
  /** The shell's open dialog; the main process reads the file and returns its upload id. */
  openFile(): Promise<Reply<UploadInfo | null>>;
  /** The shell's save dialog for a prepared download. */
  saveFile(id: string): Promise<Reply<{ saved: boolean }>>;
  /** A file the page holds (dropped on it): its bytes, checked and stored by the main process. */
  uploadFile(name: string, bytes: Uint8Array): Promise<Reply<UploadInfo>>;
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
    // No file: the shell's dialog. A file (dropped or chosen): its own bytes, never a dialog instead.
    openFile: async (file) => {
      if (!file) return bridge.openFile();
      return oversized(file) ?? bridge.uploadFile(file.name, await readBytes(file));
    },
    saveFile: (download) => bridge.saveFile(download.id),
  };
}
