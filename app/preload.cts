/**
 * Preload (sandboxed, CommonJS): exposes five functions as `window.flashback`, never
 * ipcRenderer itself (STYLE.md 9). A sandboxed preload can require only 'electron', so the channel
 * names are repeated here; test/unit/app-shell.test.ts checks they match main/workbench/api.ts.
 */
interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (e: unknown, payload: unknown) => void): void;
    removeListener(channel: string, listener: (e: unknown, payload: unknown) => void): void;
  };
}

const INVOKE = 'flashback:invoke';
const EVENT = 'flashback:event';
const OPEN_FILE = 'flashback:open-file';
const SAVE_FILE = 'flashback:save-file';
const UPLOAD_FILE = 'flashback:upload-file';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS and may only require('electron')
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;

contextBridge.exposeInMainWorld('flashback', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke(INVOKE, method, params),
  // The main process shows the dialog and keeps the path; the page gets an upload id / "saved".
  openFile: () => ipcRenderer.invoke(OPEN_FILE),
  saveFile: (id: string) => ipcRenderer.invoke(SAVE_FILE, { id }),
  // A dropped file's bytes; the main process checks name, type and size before storing them.
  uploadFile: (name: string, bytes: Uint8Array) => ipcRenderer.invoke(UPLOAD_FILE, { name, bytes }),
  onEvent: (listener: (e: unknown) => void) => {
    const h = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT, h);
    return () => ipcRenderer.removeListener(EVENT, h);
  },
});

module.exports = { INVOKE, EVENT, OPEN_FILE, SAVE_FILE, UPLOAD_FILE };
