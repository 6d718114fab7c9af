/**
 * WorkbenchClient over Electron IPC: the preload (app/preload.cts) exposes `window.flashback` with
 * exactly two functions; the renderer never sees ipcRenderer (STYLE.md 9).
 */
import type { MethodName, Reply, WorkbenchClient, WorkbenchEvent } from '../../main/workbench/api.js';

export interface PreloadApi {
  invoke(method: MethodName, params: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (e: WorkbenchEvent) => void): () => void;
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
  };
}
