import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

describe('flashback serve', () => {
  it('prints the URL with its token on loopback, answers it, refuses without the token, stops on SIGINT', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'fb-serve-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/flashback.mjs'), 'serve', '--port', '0'], {
      cwd: root,
      env: { ...process.env, FLASHBACK_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL printed; stderr: ${err}`)), 20_000);
      child.stdout.on('data', (c) => {
        out += c;
        const m = /Flashback workbench: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    const ok = await fetch(url);
    // 200 with the built UI, 503 with build instructions when dist-renderer/ is absent; never 401.
    expect([200, 503]).toContain(ok.status);
    expect((await fetch(url.replace(/\?token=.*/, ''))).status).toBe(401);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);
});
