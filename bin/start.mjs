#!/usr/bin/env node
// `npm start`: brings the build up to date (bin/build.mjs: the bundled app and a production build of the
// UI; a stale or development bundle is rebuilt, never served), then opens the desktop app. Where no
// Electron runtime can be had (offline machine, optional dependency not installed) it says so and starts
// the browser host instead, with the demo boards and the embedded MQTT broker as defaults, printing the URL.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureBuilt, root } from './build.mjs';

const require = createRequire(import.meta.url);

/** The Electron binary path, or null with the reason. */
function findElectron() {
  try {
    // The electron package exports the path of its downloaded runtime.
    const bin = require('electron');
    if (typeof bin === 'string' && existsSync(bin)) return { bin };
    return { bin: null, why: 'the electron package is installed but its runtime was never downloaded' };
  } catch {
    // npm skips the optional package where its engines do not match (electron 41+ wants Node >= 22.12).
    const [major, minor] = process.versions.node.split('.').map(Number);
    const oldNode = major < 22 || (major === 22 && minor < 12);
    return {
      bin: null,
      why: oldNode
        ? `the optional electron package is not installed: it needs Node >= 22.12, this is Node ${process.versions.node}`
        : 'the optional electron package is not installed',
    };
  }
}

try {
  await ensureBuilt({ node: true, renderer: true, log: (m) => console.log(m) });
} catch (e) {
  console.error(`npm start: ${e.message}`);
  process.exit(1);
}

const electron = process.env.FLASHBACK_NO_ELECTRON
  ? { bin: null, why: 'FLASHBACK_NO_ELECTRON is set' }
  : findElectron();
if (electron.bin) {
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
