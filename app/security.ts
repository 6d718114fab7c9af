/**
 * The window's security settings (Electron's security checklist): isolated, sandboxed, no Node in the
 * page, a strict CSP, and no navigation or new windows away from the bundled UI.
 */
import { contentSecurityPolicy } from '../main/csp.js';
import type { Session, WebContents, WebPreferences } from './electron-api.js';

export const CSP = contentSecurityPolicy();

export function webPreferences(preload: string, packaged = false): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    devTools: !packaged,
  };
}

/** Every page gets the CSP header; every permission prompt (camera, USB, notifications…) is refused. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...(details.responseHeaders ?? {}), 'Content-Security-Policy': [CSP] } });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

/** The UI never navigates: links, drags of files onto the window and window.open all stay put. */
export function lockNavigation(contents: WebContents): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
