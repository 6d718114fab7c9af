/**
 * CLI start-up: wall time of `flashback --version` and `flashback ports --json` through bin/flashback.mjs
 * (the compiled CLI, as `npx flashback` runs it), beside a bare `node -e 0` for the machine's floor.
 * Median and best of N runs in fresh processes; the target is under 0.4 s. Prints a markdown table.
 *
 *   node bin/tsnode.mjs test/bench/startup.ts [--runs N]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt } from '../../bin/build.mjs';

const TARGET_S = 0.4;
const root = path.resolve(import.meta.dirname, '../..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;

export async function measureStartup(n = runs): Promise<string> {
  await ensureBuilt({ node: true });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'flashback-startup-'));
  const env = { ...process.env, FLASHBACK_HOME: home };
  const cli = path.join(root, 'bin', 'flashback.mjs');
  const cases: Array<[string, string[]]> = [
    ['node -e 0 (floor)', ['-e', '0']],
    ['flashback --version', [cli, '--version']],
    ['flashback ports --json', [cli, 'ports', '--json']],
  ];
  const lines = [
    `| command (${n} runs, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}) | median s | best s | under ${TARGET_S} s |`,
    '|---|---|---|---|',
  ];
  for (const [label, args] of cases) {
    const t: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
      t.push((performance.now() - s) / 1000);
      if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr.toString()}`);
    }
    t.sort((a, b) => a - b);
    const median = t[Math.floor(n / 2)]!;
    const floor = label.startsWith('node');
    lines.push(
      `| ${label} | ${median.toFixed(3)} | ${t[0]!.toFixed(3)} | ${floor ? '' : median < TARGET_S ? 'yes' : 'NO'} |`,
    );
  }
  fs.rmSync(home, { recursive: true, force: true });
  return lines.join('\n');
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) {
  console.log(`\nCLI start-up\n\n${await measureStartup()}`);
}
