/**
 * `flashback monitor` and `flashback mqtt-check` as a user runs them: exit codes (0 pass, 1 fail,
 * 3 inconclusive, 2 usage/setup), --help naming them, the monitor's both-rate reading, the demo broker
 * being up for a demo board, --send and --save; and the workbench's monitor session (reset, send).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { virtualBoardNetwork } from '../../main/sim/broker-route.js';
import { closeAllVirtualBoards } from '../../main/sim/registry.js';
import { openMonitorSession } from '../../main/workbench/monitor-link.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mon-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

async function cli(
  args: string[],
  timeout = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/flashback.mjs', ...args], {
    cwd: root,
    env: { ...process.env, FLASHBACK_HOME: home },
    timeout,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('exit codes', () => {
  it('a missing port, a bad --before and a bad broker URL are setup/usage errors (2), not FAIL (1)', async () => {
    const missing = await cli(['mqtt-check', '--port', '/dev/ttyUSB9', '--duration', '2']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ttyUSB9/);
    expect((await cli(['mqtt-check', '--port', 'virtual:good', '--before', 'sideways'])).code).toBe(2);
    expect((await cli(['mqtt-check', '--port', 'virtual:good', '--broker', 'http://x'])).code).toBe(2);
    expect((await cli(['monitor', '--port', '/dev/ttyUSB9', '--duration', '1'])).code).toBe(2);
  });

  it('--help documents the exit codes and the reset options', async () => {
    const h = await cli(['mqtt-check', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/0 PASS, 1 FAIL, 3 INCONCLUSIVE, 2 usage or setup error/);
    expect(h.stdout).toMatch(/--before\s+default-reset/);
    expect((await cli(['monitor', '--help'])).stdout).toMatch(/Ctrl-R reset/);
  });
});

describe('flashback monitor', () => {
  it('virtual:good: boot banner decoded at 74880, the app at 115200, connected to the demo broker; --send and --save', async () => {
    const log = path.join(home, 'mon.log');
    const r = await cli([
      'monitor',
      '--port',
      'virtual:good',
      '--duration',
      '4',
      '--send',
      'hello',
      '--save',
      log,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rates: string; events: Record<string, number> };
    expect(out.rates).toMatch(/74880 for the ROM\/SDK, 115200 for the app/);
    expect(out.events['rom-banner']).toBeGreaterThanOrEqual(1);
    expect(out.events['mqtt-connected']).toBeGreaterThanOrEqual(1);
    const saved = fs.readFileSync(log, 'utf8');
    expect(saved).toMatch(/rst cause:2, boot mode:\(3,6\)\s+« reset: external reset/);
    expect(saved).toMatch(/connected\s+« MQTT connected/);
    expect(r.stderr).toMatch(/demo broker on 127\.0\.0\.1:\d+/);
  });
});

describe('workbench monitor session', () => {
  afterAll(() => closeAllVirtualBoards());

  it('demo board with the embedded broker up; reset reads the next banner; send reaches the port', async () => {
    process.env.FLASHBACK_HOME = home;
    const m = await openMonitorSession('virtual:good', 115200, virtualBoardNetwork());
    const lines: Array<{ text: string; meaning?: string; baud?: number }> = [];
    m.onLine!((l) => lines.push(l));
    const until = async (re: RegExp, ms = 6000) => {
      const end = Date.now() + ms;
      while (!lines.some((l) => re.test(l.text))) {
        if (Date.now() > end) throw new Error(`no ${re} in ${JSON.stringify(lines.map((l) => l.text))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(/^connected$|connection\.\.\.connected$/);
    expect(lines.some((l) => /^Connecting to /.test(l.text))).toBe(true);
    expect(lines.find((l) => /rst cause/.test(l.text))).toMatchObject({ baud: 74880 });
    expect(m.rates).toMatch(/demo broker on 127\.0\.0\.1/);
    const before = lines.filter((l) => /rst cause/.test(l.text)).length;
    await m.reset!();
    await until(/Attempting MQTT connection/, 6000);
    const end = Date.now() + 4000;
    while (lines.filter((l) => /rst cause/.test(l.text)).length <= before && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(lines.filter((l) => /rst cause/.test(l.text)).length).toBe(before + 1);
    await m.send!('status');
    await m.close();
  }, 20_000);
});
