/* eslint-disable @typescript-eslint/no-explicit-any -- a loose stand-in for Electron's API, recorded for assertions */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { fakeDeps, nope } from '../support/fake-deps.js';
import {
  IPC_EVENT,
  IPC_INVOKE,
  IPC_OPEN_FILE,
  IPC_SAVE_FILE,
  IPC_UPLOAD_FILE,
  MAX_UPLOAD_BYTES,
} from '../../main/workbench/api.js';
import type { WorkbenchDeps } from '../../main/workbench/deps.js';
import { pageContentSecurityPolicy } from '../../main/csp.js';

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
    openResult: { canceled: true, filePaths: [] as string[] },
    saveResult: { canceled: true } as { canceled: boolean; filePath?: string },
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
      isPackaged: false,
    },
    dialog: {
      showOpenDialog: async () => state.openResult,
      showSaveDialog: async () => state.saveResult,
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
const deps: WorkbenchDeps = fakeDeps({
  library: {
    list: async () => [],
    rename: nope,
    remove: nope,
    export: async (_id, scrub, dir) => {
      const file = path.join(dir, 'export-1.bin');
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, 'exported');
      return { file, name: 'good.bin', scrubbed: scrub };
    },
  },
  dataHome: mkdtempSync(path.join(os.tmpdir(), 'fb-shell-')),
  close: async () => void closed++,
});
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

  it('IPC sender check compares the whole page URL, not a prefix', async () => {
    const handle = rec.state.ipc.get(IPC_INVOKE)!;
    const index = rec.state.windows[0].loaded as string;
    const dir = index.replace(/index\.html$/, '');
    const from = (url: string) => ({ senderFrame: { url }, sender: {} });
    expect(await handle(from(`file://${index}#step`), 'ports.list', {})).toMatchObject({ ok: true });
    for (const url of [
      `file://${dir.replace(/\/$/, '')}-evil/x.html`,
      `file://${dir.replace(/\/$/, '')}-evil/index.html`,
      `file://${dir}other.html`,
      `file://${dir}index.html/../../x.html`,
      `file://${dir}`,
      `file://evil.host${index}`,
      'not a url',
    ]) {
      expect(await handle(from(url), 'ports.list', {}), url).toMatchObject({
        ok: false,
        error: { message: /untrusted/ },
      });
    }
    for (const ch of [IPC_OPEN_FILE, IPC_SAVE_FILE, IPC_UPLOAD_FILE]) {
      expect(await rec.state.ipc.get(ch)!(from(`file://${dir}-evil/index.html`), {})).toMatchObject({
        ok: false,
      });
    }
  });

  it('files come in through the open dialog as an upload id and go out through the save dialog', async () => {
    const own = { senderFrame: { url: `file://${rec.state.windows[0].loaded}` }, sender: {} };
    const open = rec.state.ipc.get(IPC_OPEN_FILE)!;
    const save = rec.state.ipc.get(IPC_SAVE_FILE)!;
    expect(await open(own)).toEqual({ ok: true, value: null });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'fb-dialog-'));
    const src = path.join(tmp, 'donor.bin');
    writeFileSync(src, new Uint8Array(8192).fill(0xa5));
    rec.state.openResult = { canceled: false, filePaths: [src] };
    const up = (await open(own)) as any;
    expect(up).toMatchObject({ ok: true, value: { name: 'donor.bin', size: 8192 } });
    expect(up.value.id).toMatch(/^upload:/);
    expect(JSON.stringify(up)).not.toContain(tmp);
    // An export is written inside the data folder and leaves only through the save dialog.
    const handle = rec.state.ipc.get(IPC_INVOKE)!;
    expect(await handle(own, 'library.export', { id: 'abcdef', dest: path.join(tmp, 'x') })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' },
    });
    const exported = (await handle(own, 'library.export', { id: 'abcdef' })) as any;
    expect(exported).toMatchObject({ ok: true, value: { download: { name: 'good.bin' }, scrubbed: true } });
    const d = exported.value.download;
    const dest = path.join(tmp, 'saved.bin');
    rec.state.saveResult = { canceled: false, filePath: dest };
    expect(await save(own, { id: d.id })).toEqual({ ok: true, value: { saved: true } });
    expect(readFileSync(dest, 'utf8')).toBe('exported');
    expect(await save(own, { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
    expect(await save(own, { id: d.id, path: '/etc/x' })).toMatchObject({ ok: false });
  });

  it('a file dropped on the page comes in as its own bytes over IPC, checked (type, size) before it is stored', async () => {
    const own = { senderFrame: { url: `file://${rec.state.windows[0].loaded}` }, sender: {} };
    const upload = rec.state.ipc.get(IPC_UPLOAD_FILE)!;
    const opened = rec.state.openResult;
    rec.state.openResult = { canceled: false, filePaths: ['/nonexistent/dialog-was-used.bin'] };
    const bytes = new Uint8Array(4096).map((_, i) => i ^ 0x3c);
    const up = (await upload(own, { name: 'esp_init_data_default.bin', bytes })) as any;
    expect(up).toMatchObject({ ok: true, value: { name: 'esp_init_data_default.bin', size: 4096 } });
    // The stored upload holds exactly the dropped bytes (no dialog was involved: its path does not exist).
    const stored = path.join(deps.dataHome, 'uploads', `${up.value.id.slice('upload:'.length)}.bin`);
    expect(readFileSync(stored)).toEqual(Buffer.from(bytes));
    for (const bad of [{ name: 'a.bin', bytes: 'AAAA' }, { name: 'a.bin', bytes, path: '/etc/passwd' }, null])
      expect(await upload(own, bad)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    expect(await upload(own, { name: 'big.bin', bytes: new Uint8Array(MAX_UPLOAD_BYTES + 1) })).toMatchObject(
      { ok: false, error: { code: 'IMAGE_TOO_BIG' } },
    );
    rec.state.openResult = opened;
  });

  it('devtools are off in a packaged build and on in development', async () => {
    expect(rec.state.windows[0].options.webPreferences.devTools).toBe(true);
    const { startApp } = await import('../../app/shell.js');
    const packaged = { ...rec.electron, app: { ...rec.electron.app, isPackaged: true } };
    await startApp(packaged, deps, paths);
    expect(rec.state.windows.at(-1).options.webPreferences.devTools).toBe(false);
  });

  it("the page's CSP (the build writes it into a <meta>: file:// pages get no headers) is as strict as the header", () => {
    let headers: any;
    rec.state.headersListener!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    const header = (headers['Content-Security-Policy'][0] as string).split('; ');
    // Everything the header says except frame-ancestors, which a meta tag cannot carry.
    expect(pageContentSecurityPolicy().split('; ')).toEqual(
      header.filter((d) => !d.startsWith('frame-ancestors')),
    );
    // The source page holds no copy that could drift (the packaging smoke test reads the built one).
    const html = readFileSync(path.resolve(__dirname, '../../renderer/index.html'), 'utf8');
    expect(html).not.toMatch(/http-equiv="Content-Security-Policy"/i);
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

  it('preload exposes only invoke/onEvent and the two file dialogs, on the api.ts channels', () => {
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
    expect(Object.keys(exposed.flashback).sort()).toEqual([
      'invoke',
      'onEvent',
      'openFile',
      'saveFile',
      'uploadFile',
    ]);
    expect(module.exports).toMatchObject({
      INVOKE: IPC_INVOKE,
      EVENT: IPC_EVENT,
      OPEN_FILE: IPC_OPEN_FILE,
      SAVE_FILE: IPC_SAVE_FILE,
      UPLOAD_FILE: IPC_UPLOAD_FILE,
    });
    void exposed.flashback.invoke('ports.list', {});
    expect(invoked[0]).toEqual([IPC_INVOKE, 'ports.list', {}]);
    // No path parameter exists: the page cannot name a file to open.
    void exposed.flashback.openFile('/etc/passwd');
    expect(invoked[1]).toEqual([IPC_OPEN_FILE]);
    void exposed.flashback.saveFile('dl-1');
    expect(invoked[2]).toEqual([IPC_SAVE_FILE, { id: 'dl-1' }]);
    const bytes = new Uint8Array([1, 2, 3]);
    void exposed.flashback.uploadFile('drop.bin', bytes);
    expect(invoked[3]).toEqual([IPC_UPLOAD_FILE, { name: 'drop.bin', bytes }]);
  });
});
