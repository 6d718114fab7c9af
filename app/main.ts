/** Electron entry (package.json "main" → dist/app/main.js, bundled by bin/build.mjs): loads Electron and starts the app. */
import { createRealDeps } from '../main/workbench/real-deps.js';
import type { ElectronApi } from './electron-api.js';
import { startApp } from './shell.js';

// A variable specifier: electron is optional and untyped here; app/electron-api.ts types what we use.
const ELECTRON = 'electron';
const electron = (await import(ELECTRON)) as ElectronApi & { default?: ElectronApi };
await startApp(electron.default ?? electron, createRealDeps());
