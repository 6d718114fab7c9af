/**
 * `flashback serve --port 0` in its own process with its own data folder (FLASHBACK_HOME), for e2e
 * tests: resolves with the tokenised URL it prints; `stop` ends it and removes the folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServeHost {
  url: string;
  home: string;
  stop: () => Promise<void>;
}

export async function startServeHost(timeoutMs: number): Promise<ServeHost> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, 'bin', 'flashback.mjs'), 'serve', '--port', '0'],
    { cwd: root, env: { ...process.env, FLASHBACK_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`flashback serve printed no URL:\n${output}`)),
      timeoutMs,
    );
    const onData = (c: Buffer) => {
      output += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`flashback serve exited (${code}):\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(home, { recursive: true, force: true });
  };
  return { url, home, stop };
}
