/**
 * Preload (sandboxed, CommonJS): exposes exactly two functions as `window.flashback`, never
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

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS and may only require('electron')
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;

contextBridge.exposeInMainWorld('flashback', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke(INVOKE, method, params),
  onEvent: (listener: (e: unknown) => void) => {
    const h = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT, h);
    return () => ipcRenderer.removeListener(EVENT, h);
  },
});

module.exports = { INVOKE, EVENT };
