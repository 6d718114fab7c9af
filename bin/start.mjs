#!/usr/bin/env node
// `npm start`: builds the renderer when stale, then opens the desktop app. Where no Electron runtime
// can be had (offline machine, optional dependency not installed) it says so and starts the browser
// host instead, with the demo boards and the embedded MQTT broker as defaults, printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, name.name);
    t = Math.max(t, name.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function rendererStale() {
  const index = path.join(root, 'dist-renderer', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return newest(path.join(root, 'renderer')) > built || newest(path.join(root, 'main', 'workbench')) > built;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The Electron binary path, or null with the reason. */
function findElectron() {
  try {
    // The electron package exports the path of its downloaded runtime.
    const bin = require('electron');
    if (typeof bin === 'string' && existsSync(bin)) return { bin };
    return { bin: null, why: 'the electron package is installed but its runtime was never downloaded' };
  } catch {
    return { bin: null, why: 'the optional electron package is not installed' };
  }
}

if (rendererStale()) {
  console.log('Building the workbench UI…');
  run(process.execPath, [
    path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--logLevel',
    'warn',
  ]);
}

const electron = process.env.FLASHBACK_NO_ELECTRON
  ? { bin: null, why: 'FLASHBACK_NO_ELECTRON is set' }
  : findElectron();
if (electron.bin) {
  run(process.execPath, [
    path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'app/tsconfig.json',
  ]);
  const child = spawn(electron.bin, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`No Electron runtime available (${electron.why}); starting the browser workbench instead.`);
  console.log(
    'Open the URL below in your browser. Demo boards virtual:good and virtual:bad are ready; the MQTT check uses the embedded broker.',
  );
  const args = [path.join(root, 'bin', 'flashback.mjs'), 'serve', ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  const forward = (sig) => () => child.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 0));
}
