/** Runs the real `flashback` binary (bin/flashback.mjs) against a test data folder, unpaced virtual boards. */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON object (`--json`), or null. */
  json: Record<string, unknown> | null;
}

export function runCli(home: string, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/flashback.mjs'), ...args], {
    env: { ...process.env, FLASHBACK_HOME: home, FLASHBACK_VIRTUAL_PACE: '0' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: parseJson(r.stdout) };
}

function parseJson(stdout: string): Record<string, unknown> | null {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The same, without blocking the event loop: for boards served by this process (socket://). */
export function runCliAsync(home: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/flashback.mjs'), ...args], {
      env: { ...process.env, FLASHBACK_HOME: home, FLASHBACK_VIRTUAL_PACE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, json: parseJson(stdout) });
    });
  });
}
