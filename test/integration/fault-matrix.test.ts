/**
 * A small fault matrix in CI (the full one is `npm run bench`): zero silent corruptions, and at least
 * 90 % of runs complete without the user doing anything where the line stays up (disconnects and a
 * stalled pty: after the reconnect and resume a user would do; a stall must first end the job as
 * PORT_STALLED, half written).
 */
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

useTempHome();
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { canStallPty, matrixCases, pseudoRandom, runCase, summarize, tempDir } =
  await import('../support/fault-matrix.js');

const MB1 = 1 << 20;

describe('fault matrix (small)', () => {
  it('never corrupts silently; completes ≥ 90 % on its own while the line stays up, ≥ 90 % after a resume where it was cut or stalled', async () => {
    const dir = tempDir();
    const good = buildDemoImage('good', MB1);
    const dense = pseudoRandom(MB1, 'dense');
    const results = [];
    for (const c of matrixCases(['backup'], 1))
      results.push(await runCase(c, { target: dense, image: dense }, dir));
    // The stall lands in the write phase (a clean restore's last tenth): the journal must carry it.
    for (const c of matrixCases(['restore'], 1, { stallAt: [0.9] }))
      results.push(await runCase(c, { target: dense, image: good }, dir));
    for (const c of matrixCases(['write'], 1))
      results.push(
        await runCase(c, { target: good, image: pseudoRandom(0x20000, 'w').map((b) => b & 0x3f) }, dir),
      );
    const rows = summarize(results);
    console.table(rows);
    const silent = results.filter((r) => r.outcome === 'silent corruption');
    expect(silent.map((r) => `${r.case.job} ${JSON.stringify(r.case.faults)}: ${r.detail}`)).toEqual([]);
    const stalls = results.filter((r) => r.case.stallAt !== undefined);
    expect(stalls.length).toBe(canStallPty ? 1 : 0);
    for (const r of stalls) {
      expect(r.outcome).toBe('completed after resume');
      expect(r.detail).toMatch(/first run: PORT_STALLED: Restore interrupted: .* stopped answering/);
    }
    // Cut or stalled lines need the user (reconnect, run again); every other run must finish alone.
    const cut = results.filter((r) => r.case.stallAt !== undefined || typeof r.case.faults === 'function');
    const up = results.filter((r) => !cut.includes(r));
    const alone = up.filter((r) => r.outcome === 'completed').length;
    expect(alone / up.length).toBeGreaterThanOrEqual(0.9);
    const resumed = cut.filter((r) => r.outcome.startsWith('completed')).length;
    expect(resumed / cut.length).toBeGreaterThanOrEqual(0.9);
  }, 180_000);
});
