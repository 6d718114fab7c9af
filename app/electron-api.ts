/**
 * The slice of Electron's API the shell uses, typed here because `electron` is an optional dependency
 * (absent on machines that cannot download its runtime) and only app/ may import it (DESIGN.md).
 */
export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  spellcheck: boolean;
  /** Off in packaged builds: no inspector for whoever sits at the machine. */
  devTools: boolean;
}

export interface Frame {
  url: string;
}

export interface IpcMainInvokeEvent {
  senderFrame: Frame | null;
  sender: WebContents;
}

export interface WebContents {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (e: { preventDefault(): void }, url: string) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (e: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  isDestroyed(): boolean;
}

export interface BrowserWindow {
  webContents: WebContents;
  loadFile(file: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
}

export interface BrowserWindowConstructor {
  new (options: {
    width: number;
    height: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    backgroundColor?: string;
    webPreferences: WebPreferences;
  }): BrowserWindow;
}

export interface IpcMain {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface Session {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (r: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
}

export interface App {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): void;
  on(event: 'before-quit', listener: (e: { preventDefault(): void }) => void): void;
  on(event: 'web-contents-created', listener: (e: unknown, contents: WebContents) => void): void;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  setPath(name: 'userData', value: string): void;
  getVersion(): string;
  /** True when running from a packaged build (asar), false under `electron .`. */
  readonly isPackaged: boolean;
}

export interface Dialog {
  showOpenDialog(
    win: BrowserWindow,
    options: { properties: 'openFile'[]; filters?: { name: string; extensions: string[] }[]; title?: string },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    win: BrowserWindow,
    options: { defaultPath?: string; title?: string },
  ): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface ElectronApi {
  app: App;
  BrowserWindow: BrowserWindowConstructor;
  ipcMain: IpcMain;
  session: { defaultSession: Session };
  dialog: Dialog;
}
