/* eslint-disable @typescript-eslint/no-explicit-any -- a loose stand-in for Electron's API, recorded for assertions */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENT, IPC_INVOKE } from '../../main/workbench/api.js';
import type { WorkbenchDeps } from '../../main/workbench/deps.js';

// A recording stand-in for the parts of Electron the shell uses (Electron is not installed here).
const rec = vi.hoisted(() => {
  const state = {
    lock: true,
    appHandlers: new Map<string, (...a: any[]) => void>(),
    ipc: new Map<string, (...a: any[]) => unknown>(),
    windows: [] as any[],
    quit: 0,
    userData: '',
    headersListener: null as null | ((d: any, cb: (r: any) => void) => void),
    permission: null as null | ((wc: unknown, p: string, cb: (g: boolean) => void) => void),
  };
  class BrowserWindow {
    options: any;
    loaded = '';
    sent: unknown[][] = [];
    webContents = {
      id: 1,
      send: (...a: unknown[]) => this.sent.push(a),
      on: vi.fn(),
      setWindowOpenHandler: vi.fn(),
      isDestroyed: () => false,
    };
    constructor(options: any) {
      this.options = options;
      state.windows.push(this);
    }
    loadFile = async (f: string) => void (this.loaded = f);
    once = vi.fn();
    on = vi.fn();
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    isMinimized = () => false;
  }
  const electron = {
    app: {
      requestSingleInstanceLock: () => state.lock,
      on: (ev: string, fn: (...a: any[]) => void) => state.appHandlers.set(ev, fn),
      whenReady: async () => undefined,
      quit: () => void state.quit++,
      exit: vi.fn(),
      setPath: (_n: string, v: string) => void (state.userData = v),
      getVersion: () => '9.9.9',
    },
    BrowserWindow,
    ipcMain: {
      handle: (ch: string, fn: (...a: any[]) => unknown) => state.ipc.set(ch, fn),
      removeHandler: (ch: string) => state.ipc.delete(ch),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (l: any) => void (state.headersListener = l) },
        setPermissionRequestHandler: (h: any) => void (state.permission = h),
      },
    },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...rec.electron, default: rec.electron }));

let closed = 0;
const nope = () => Promise.reject(new Error('unused'));
const deps: WorkbenchDeps = {
  listPorts: async () => [{ path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'good' }],
  detect: nope,
  backup: nope,
  planRestore: nope,
  executeRestore: nope,
  verify: nope,
  compare: nope,
  mqttCheck: nope,
  library: { list: async () => [], rename: nope, remove: nope, export: nope },
  openMonitor: nope,
  annotate: () => null,
  dataHome: '/tmp/fb',
  defaults: { broker: null },
  close: async () => void closed++,
};
vi.mock('../../main/workbench/real-deps.js', () => ({ createRealDeps: () => deps }));

const paths = {
  rendererDir: '/opt/flashback/dist-renderer',
  preload: '/opt/flashback/dist-app/app/preload.cjs',
};

describe('Electron shell (electron mocked)', () => {
  it('starts through the real entry with a locked-down window, one instance, and the UI from disk', async () => {
    process.env.FLASHBACK_HOME = '/tmp/fb-home-test';
    await import('../../app/main.js');
    const win = rec.state.windows[0];
    expect(win).toBeDefined();
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
    expect(win.options.webPreferences.preload).toMatch(/preload\.cjs$/);
    expect(win.loaded).toMatch(/dist-renderer[\\/]index\.html$/);
    // The desktop app keeps its data where the CLI does.
    expect(rec.state.userData).toBe(path.resolve('/tmp/fb-home-test'));
  });

  it('blocks navigation and new windows, sets a strict CSP and refuses permissions', async () => {
    const contents = { on: vi.fn(), setWindowOpenHandler: vi.fn() };
    rec.state.appHandlers.get('web-contents-created')!({}, contents);
    const navigate = contents.on.mock.calls.find((c) => c[0] === 'will-navigate')![1];
    const prevent = vi.fn();
    navigate({ preventDefault: prevent }, 'https://example.com');
    expect(prevent).toHaveBeenCalled();
    expect(contents.setWindowOpenHandler.mock.calls[0]![0]({ url: 'https://example.com' })).toEqual({
      action: 'deny',
    });
    let headers: any;
    rec.state.headersListener!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy'][0]).toMatch(/script-src 'self'/);
    expect(headers['Content-Security-Policy'][0]).not.toMatch(/unsafe/);
    let granted: boolean | undefined;
    rec.state.permission!({}, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
  });

  it('IPC: validates payloads, refuses untrusted frames, answers as data', async () => {
    const handle = rec.state.ipc.get(IPC_INVOKE)!;
    const rendererUrl = rec.state.windows[0].loaded.replace(/index\.html$/, '');
    const own = { senderFrame: { url: `file://${rendererUrl}index.html` }, sender: {} };
    const ok = (await handle(own, 'ports.list', {})) as any;
    expect(ok).toMatchObject({ ok: true, value: [{ path: 'virtual:good' }] });
    expect(await handle(own, 'jobs.start', { kind: 'backup', params: { port: 7 } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' },
    });
    expect(await handle(own, 'fs.readFile', { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' },
    });
    const foreign = { senderFrame: { url: 'https://evil.example/' }, sender: {} };
    expect(await handle(foreign, 'ports.list', {})).toMatchObject({
      ok: false,
      error: { message: /untrusted/ },
    });
    // Events reach the window on the event channel.
    const win = rec.state.windows[0];
    expect(win.sent.some((a: unknown[]) => a[0] === IPC_EVENT && (a[1] as any).type === 'ports')).toBe(true);
  });

  it('closes ports cleanly before quitting', async () => {
    const prevent = vi.fn();
    const quits = rec.state.quit;
    rec.state.appHandlers.get('before-quit')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    await vi.waitFor(() => expect(rec.state.quit).toBe(quits + 1));
    expect(closed).toBe(1);
    // The second before-quit (from app.quit) goes through.
    const again = vi.fn();
    rec.state.appHandlers.get('before-quit')!({ preventDefault: again });
    expect(again).not.toHaveBeenCalled();
  });

  it('a second instance quits at once', async () => {
    const { startApp } = await import('../../app/shell.js');
    rec.state.lock = false;
    const before = rec.state.quit;
    expect(await startApp(rec.electron as any, deps, paths)).toBeNull();
    expect(rec.state.quit).toBe(before + 1);
    rec.state.lock = true;
  });

  it('preload exposes only invoke/onEvent on the api.ts channels', () => {
    const src = readFileSync(path.resolve(__dirname, '../../app/preload.cts'), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const exposed: Record<string, any> = {};
    const invoked: unknown[][] = [];
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
      ipcRenderer: {
        invoke: async (...a: unknown[]) => invoked.push(a),
        on: vi.fn(),
        removeListener: vi.fn(),
      },
    };
    const module = { exports: {} as any };
    vm.runInNewContext(js, {
      require: (id: string) => (id === 'electron' ? fakeElectron : undefined),
      module,
      exports: module.exports,
    });
    expect(Object.keys(exposed)).toEqual(['flashback']);
    expect(Object.keys(exposed.flashback).sort()).toEqual(['invoke', 'onEvent']);
    expect(module.exports).toMatchObject({ INVOKE: IPC_INVOKE, EVENT: IPC_EVENT });
    void exposed.flashback.invoke('ports.list', {});
    expect(invoked[0]).toEqual([IPC_INVOKE, 'ports.list', {}]);
  });
});
