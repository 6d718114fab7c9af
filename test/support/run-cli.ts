/** Runs the real `flashback` binary (bin/flashback.mjs) against a test data folder, unpaced virtual boards. */
import { spawnSync } from 'node:child_process';
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
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}
