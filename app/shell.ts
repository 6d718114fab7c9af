/**
 * Electron main process: one instance, one window running the bundled renderer, the WorkbenchService
 * behind IPC, and a clean quit (jobs cancelled, serial ports closed) before the process exits.
 * Electron itself is passed in (app/main.ts loads it), so tests drive this with a mock.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataHome } from '../main/datadir.js';
import { packageRoot } from '../main/package-info.js';
import type { WorkbenchDeps } from '../main/workbench/deps.js';
import { WorkbenchService } from '../main/workbench/service.js';
import type { BrowserWindow, ElectronApi } from './electron-api.js';
import { openFileWithDialog, saveFileWithDialog, uploadFromPage } from './files.js';
import { forwardEvents, registerIpc, trustedFrame } from './ipc.js';
import { hardenSession, lockNavigation, webPreferences } from './security.js';

export interface AppPaths {
  /** Folder of the built renderer (index.html). */
  rendererDir: string;
  /** The compiled preload script (.cjs). */
  preload: string;
}

export function defaultPaths(): AppPaths {
  // Built layout (bin/build.mjs): dist/app/main.js and dist/app/preload.cjs, dist-renderer/ at the root.
  const root = packageRoot();
  return {
    rendererDir: path.join(root, 'dist-renderer'),
    preload: path.join(root, 'dist', 'app', 'preload.cjs'),
  };
}

export interface StartedApp {
  service: WorkbenchService;
  window: () => BrowserWindow | null;
}

/** Wires everything on the given Electron API; returns null when another instance already runs. */
export async function startApp(
  electron: ElectronApi,
  deps: WorkbenchDeps,
  paths: AppPaths = defaultPaths(),
): Promise<StartedApp | null> {
  const { app, BrowserWindow, ipcMain, session, dialog } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  // The desktop app and the CLI share one data folder (DESIGN.md "Data folder").
  app.setPath('userData', dataHome());
  const service = new WorkbenchService(deps, { shell: 'electron', version: app.getVersion() });
  let win: BrowserWindow | null = null;

  app.on('web-contents-created', (_e, contents) => lockNavigation(contents));
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  let closed = false;
  app.on('before-quit', (e) => {
    if (closed) return;
    // Hold the quit until jobs are cancelled and ports closed, so no board is left mid-write.
    e.preventDefault();
    void service.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();
  hardenSession(session.defaultSession);
  const indexHtml = path.join(paths.rendererDir, 'index.html');
  const noWindow = {
    ok: false as const,
    error: { code: 'INTERNAL' as const, message: 'No Flashback window', hint: 'Reopen the window.' },
  };
  registerIpc(ipcMain, service, trustedFrame(pathToFileURL(indexHtml).href), {
    open: async () => (win ? openFileWithDialog(dialog, win, service) : noWindow),
    save: async (params) => (win ? saveFileWithDialog(dialog, win, service, params) : noWindow),
    upload: (params) => uploadFromPage(service.transfers, params),
  });

  const open = () => {
    win = new BrowserWindow({
      width: 1280,
      height: 860,
      minWidth: 800,
      minHeight: 600,
      show: false,
      title: 'Flashback',
      webPreferences: webPreferences(paths.preload, app.isPackaged),
    });
    const off = forwardEvents(service, win.webContents);
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => {
      off();
      win = null;
    });
    return win.loadFile(indexHtml);
  };
  app.on('activate', () => {
    if (!win) void open();
  });
  await open();
  return { service, window: () => win };
}
