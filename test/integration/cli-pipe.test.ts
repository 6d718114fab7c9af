/**
 * `flashback backup … --json | head -1`: the reader closes the pipe after one line; the CLI must end
 * quietly (no EPIPE stack trace), as a pipeline expects (issue 10 item 6).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const ROOT = path.resolve(import.meta.dirname, '../..');

describe('CLI in a pipeline', () => {
  it('backup | head -1 ends quietly', async () => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/flashback.mjs'), 'backup', '--port', 'virtual:good'],
      {
        env: { ...process.env, FLASHBACK_HOME: home, FLASHBACK_VIRTUAL_PACE: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Like `head -1`: take the first chunk, then close our end of the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error:|at .*\.js/);
    expect(code).toBe(0);
  }, 120_000);
});
