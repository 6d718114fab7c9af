/**
 * `flashback mqtt-check` as a user runs it: a real child process through bin/flashback.mjs against the
 * shipped demo board, in a temp data folder, with the embedded broker on a free port.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mqtt-cli-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('flashback mqtt-check (CLI)', () => {
  it('--json on virtual:bad prints one JSON object with the contract keys and a board-side diagnosis', async () => {
    // A FAIL verdict exits 1 (scripts can branch on it); the JSON is still printed.
    type Run = { code: number; stdout: string; stderr: string };
    const failed = await run(
      process.execPath,
      ['bin/flashback.mjs', 'mqtt-check', '--port', 'virtual:bad', '--broker-port', '0', '--json'],
      {
        cwd: root,
        env: { ...process.env, FLASHBACK_HOME: home },
        timeout: 30_000,
      },
    ).then(
      (): Run => ({ code: 0, stdout: '', stderr: '' }),
      (e: Run) => e,
    );
    expect(failed.code).toBe(1);
    const { stdout, stderr } = failed;
    const r = JSON.parse(stdout) as Record<string, unknown> & {
      diagnosis: Array<{ cause: string; evidence: string[]; fix: string }>;
    };
    expect(r.verdict).toBe('fail');
    expect(r.board).toEqual({ connected: false, rcCodes: [-2] });
    expect(r.hostProbe).toMatchObject({ ok: true, connack: 0, ms: expect.any(Number) });
    expect(r.broker).toMatchObject({ embedded: true });
    expect(Array.isArray(r.events)).toBe(true);
    // Without board-side evidence the flash is not the first suspect; a restore is listed, low confidence.
    const diag = r.diagnosis as unknown as Array<{ code: string; fix: string; confidence: string }>;
    expect(diag[0]!.code).toBe('network-path');
    expect(diag.find((d) => d.code === 'board-side')).toMatchObject({ confidence: 'low' });
    expect(stderr).toMatch(/Embedded broker on port \d+/);
  });

  it('rejects a bad --duration with exit code 2', async () => {
    await expect(
      run(
        process.execPath,
        ['bin/flashback.mjs', 'mqtt-check', '--port', 'virtual:bad', '--duration', 'soon'],
        { cwd: root, env: { ...process.env, FLASHBACK_HOME: home } },
      ),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--duration must be a number/),
    });
  });

  it('a missing port exits 2 with the port error as the last word (no probe result after it)', async () => {
    const e = await run(
      process.execPath,
      ['bin/flashback.mjs', 'mqtt-check', '--port', '/dev/ttyUSB9', '--broker-port', '0'],
      { cwd: root, env: { ...process.env, FLASHBACK_HOME: home }, timeout: 30_000 },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (x: { code: number; stderr: string }) => x,
    );
    expect(e.code).toBe(2);
    const lines = e.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/Port \/dev\/ttyUSB9 does not exist/);
    expect(e.stderr).not.toMatch(/Host probe/);
  });
});
