/**
 * A small fault matrix in CI (the full one is `npm run bench`): zero silent corruptions, and at least
 * 90 % of runs complete without the user doing anything (disconnects: after the resume a user would do).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

useTempHome();
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { matrixCases, runCase, summarize, tempDir } = await import('../support/fault-matrix.js');

const MB1 = 1 << 20;

function pseudoRandom(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 16)
    out.set(
      createHash('md5')
        .update(`${seed}${i}`)
        .digest()
        .subarray(0, Math.min(16, size - i)),
      i,
    );
  return out;
}

describe('fault matrix (small)', () => {
  it('never corrupts silently and completes ≥ 90 % of runs on its own', async () => {
    const dir = tempDir();
    const good = buildDemoImage('good', MB1);
    const dense = pseudoRandom(MB1, 'dense');
    const results = [];
    for (const c of matrixCases(['backup'], 1))
      results.push(await runCase(c, { target: dense, image: dense }, dir));
    for (const c of matrixCases(['restore'], 1))
      results.push(await runCase(c, { target: dense, image: good }, dir));
    for (const c of matrixCases(['write'], 1))
      results.push(
        await runCase(c, { target: good, image: pseudoRandom(0x20000, 'w').map((b) => b & 0x3f) }, dir),
      );
    const rows = summarize(results);
    console.table(rows);
    const silent = results.filter((r) => r.outcome === 'silent corruption');
    expect(silent.map((r) => `${r.case.job} ${JSON.stringify(r.case.faults)}: ${r.detail}`)).toEqual([]);
    const completed = results.filter((r) => r.outcome.startsWith('completed')).length;
    expect(completed / results.length).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
