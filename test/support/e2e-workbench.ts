/**
 * The browser end of the e2e tests: one Chromium (Debian's, through playwright-core) per file, and per
 * test its own `flashback serve` (own data folder, factory-fresh demo boards) and browser context,
 * opened on the host's tokenised URL. Waits are sized for a loaded 2-core machine. Call
 * `useWorkbenchPage()` inside a `describe.skipIf(chromiumTool.missing)`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ensureBuilt } from '../../bin/build.mjs';
import { type ServeHost, startServeHost } from './serve-host.js';
import { systemTool } from './system-tools.js';

export const chromiumTool = systemTool('chromium');
/** Where screenshots go (ignored; copy to resources/screenshots by hand). */
export const shotsDir = path.resolve(import.meta.dirname, '../..', 'test-output', 'e2e');
/** Longest wait for anything the UI shows after a click (a loaded machine can be 10x slower than idle). */
export const UI = 60_000;
/** Longest wait for a board operation (backup, restore, write, MQTT check) to finish. */
export const JOB = 180_000;
export const poll = { timeout: UI, interval: 250 };

export interface WorkbenchPage {
  /** This test's page, on its own host. */
  readonly page: Page;
  /** This test's `flashback serve` (its data folder is `host.home`). */
  readonly host: ServeHost;
  /** A full-page screenshot into shotsDir. */
  shot: (name: string) => Promise<Buffer>;
}

export function useWorkbenchPage(): WorkbenchPage {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let host: ServeHost | undefined;
  const started = Date.now();

  beforeAll(async () => {
    mkdirSync(shotsDir, { recursive: true });
    // A current production build of the UI (bin/build.mjs rebuilds a stale or development bundle).
    await ensureBuilt({ node: true, renderer: true });
    browser = await chromium.launch({
      executablePath: chromiumTool.path,
      timeout: UI,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 300_000);

  beforeEach(async () => {
    host = await startServeHost(UI);
    context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(UI);
    page = await context.newPage();
    await page.goto(host.url, { timeout: UI });
  }, 120_000);

  afterEach(async () => {
    await context?.close();
    await host?.stop();
    context = page = host = undefined;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    console.log(`e2e file took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const live = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`no ${what} outside a test`);
    return x;
  };
  return {
    get page() {
      return live(page, 'page');
    },
    get host() {
      return live(host, 'host');
    },
    shot: (name) =>
      live(page, 'page').screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true }),
  };
}
