/** `flashback ports` as a user runs it, including on a system without udevadm on PATH. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ports-cli-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function run(args: string[], envPath: string) {
  return spawnSync(process.execPath, [path.join(repo, 'bin/flashback.mjs'), ...args], {
    cwd: repo,
    env: { ...process.env, PATH: envPath, FLASHBACK_HOME: home },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('flashback ports', () => {
  it('--json lists the virtual demo boards and does not crash without udevadm', () => {
    const r = run(['ports', '--json'], '/nonexistent');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ports: Array<{ path: string; bridge: string; virtual: boolean; label: string }>;
    };
    const virtual = out.ports.filter((p) => p.virtual);
    expect(virtual.map((p) => p.path).sort()).toEqual(['virtual:bad', 'virtual:good']);
    for (const p of virtual) {
      expect(p.bridge).toBe('virtual');
      expect(p.label).toMatch(/virtual demo board/);
    }
    for (const p of out.ports.filter((x) => !x.virtual)) expect(p.path).toMatch(/^\/dev\/tty(USB|ACM)\d+$/);
  });

  it('prints a table with a header row', () => {
    const r = run(['ports'], process.env.PATH ?? '');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.find((l) => l.startsWith('PORT'))).toMatch(/PORT\s+BRIDGE\s+DESCRIPTION/);
    expect(lines.some((l) => /^virtual:good\s+virtual\s+virtual demo board/.test(l))).toBe(true);
    // Remote ports cannot be listed: the output says how to give one.
    expect(r.stdout).toMatch(/rfc2217:\/\/HOST:PORT/);
    expect(r.stdout).toMatch(/socket:\/\/HOST:PORT/);
  });
});
