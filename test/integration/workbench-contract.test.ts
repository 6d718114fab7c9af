/**
 * The workbench on the real engine and virtual boards (issue 11): a plan is a contract (what runs is
 * exactly what was confirmed, once), and Cancel really stops a job and frees its port.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { JobSnapshot, RestorePlanView } from '../../main/workbench/api.js';
import { useTempHome } from '../support/home.js';

useTempHome('fb-wb-contract-');
const { WorkbenchService } = await import('../../main/workbench/service.js');
const { createRealDeps } = await import('../../main/workbench/real-deps.js');
const { dispatch } = await import('../../main/workbench/dispatch.js');
const { boardFactory, demo, md5, MB4 } = await import('../support/boards.js');
type Snap = JobSnapshot;
type PlanView = RestorePlanView;

const SECTOR = 4096;
const boards = boardFactory('wbc');
const svc = new WorkbenchService(createRealDeps(), { shell: 'browser', pollMs: 0 });
afterEach(() => boards.closeAll());
afterAll(() => svc.close());

async function start(kind: string, params: unknown): Promise<{ ok: boolean; jobId?: string; code?: string }> {
  const r = await dispatch(svc, 'jobs.start', { kind, params });
  return r.ok ? { ok: true, jobId: (r.value as { jobId: string }).jobId } : { ok: false, code: r.error.code };
}

async function run(kind: string, params: unknown): Promise<Snap> {
  const r = await start(kind, params);
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  return (await svc.waitJob(r.jobId!))!;
}

async function plan(params: Record<string, unknown>): Promise<PlanView> {
  const snap = await run('plan-restore', params);
  expect(snap.state, JSON.stringify(snap.error)).toBe('done');
  return snap.result as PlanView;
}

const sectorsDiffering = (a: Uint8Array, b: Uint8Array) => {
  const out: number[] = [];
  for (let s = 0; s < a.length / SECTOR; s++)
    if (md5(a.subarray(s * SECTOR, (s + 1) * SECTOR)) !== md5(b.subarray(s * SECTOR, (s + 1) * SECTOR)))
      out.push(s);
  return out;
};

describe('a plan is a contract', () => {
  it('plan, tick "keep the bad board\'s own WiFi settings", confirm: refused; the old plan is never written', async () => {
    const bad = boards.make(demo.bad);
    await svc.addPort(bad.port);
    const up = await svc.transfers.addUpload(demo.good, 'good.bin');
    const before = bad.flash();
    const optionsA = { port: bad.port, image: up.id, flashMode: 'keep', backup: true };
    const planA = await plan(optionsA);
    expect(planA.writeSectors.length).toBeGreaterThan(0);
    // The last four sectors (RF init data and WiFi settings) differ between the demo boards.
    expect(planA.writeSectors).toContain(MB4 / SECTOR - 1);

    // The user ticks "keep own WiFi settings" after planning, then presses the (old) confirm.
    const optionsB = { ...optionsA, preserve: ['sdk-config'] };
    expect(await start('restore', { planId: planA.planId, options: optionsB })).toEqual({
      ok: false,
      code: 'PLAN_STALE',
    });
    // The refused plan is gone: not even its own options bring it back.
    expect(await start('restore', { planId: planA.planId, options: optionsA })).toEqual({
      ok: false,
      code: 'PLAN_STALE',
    });
    expect(md5(bad.flash())).toBe(md5(before));

    // Re-planned with the new choice: what runs is that plan, and it runs once.
    const planB = await plan(optionsB);
    expect(planB.writeSectors).not.toContain(MB4 / SECTOR - 1);
    const done = await run('restore', { planId: planB.planId, options: optionsB });
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const after = bad.flash();
    expect(sectorsDiffering(before, after)).toEqual(planB.writeSectors);
    // The bad board kept its own last four sectors.
    expect(md5(after.subarray(MB4 - 4 * SECTOR))).toBe(md5(before.subarray(MB4 - 4 * SECTOR)));
    expect(await start('restore', { planId: planB.planId, options: optionsB })).toEqual({
      ok: false,
      code: 'PLAN_STALE',
    });
  }, 120_000);

  it('a board whose flash changed after the plan is not written (target re-checked before writing)', async () => {
    const bad = boards.make(demo.bad);
    await svc.addPort(bad.port);
    const up = await svc.transfers.addUpload(demo.good, 'good.bin');
    const options = { port: bad.port, image: up.id };
    const p = await plan(options);
    // Something else writes the board between plan and confirm (another tool, a re-plug of another board).
    const flash = bad.flash();
    const sector = [...Array(MB4 / SECTOR).keys()].find(
      (i) =>
        !p.writeSectors.includes(i) && flash.subarray(i * SECTOR, (i + 1) * SECTOR).some((b) => b !== 0xff),
    )!;
    bad.shared.board.flash.eraseSector(sector * SECTOR);
    const changed = bad.flash();
    const snap = await run('restore', { planId: p.planId, options });
    expect(snap.state).toBe('failed');
    expect(snap.error?.code).toBe('PLAN_STALE');
    expect(snap.error?.message).toMatch(/changed since the plan/);
    expect(md5(bad.flash())).toBe(md5(changed));
  }, 120_000);
});

describe('cancel', () => {
  it('stops a paced restore mid-write, frees the port within about a second, and says how far it got', async () => {
    const bad = boards.make(demo.bad, { pace: true });
    await svc.addPort(bad.port);
    // A donor that differs everywhere, so the write phase is long enough to cancel in.
    const donor = Uint8Array.from(demo.good);
    for (let i = 0x1000; i < 0x200000; i += 97) donor[i] = donor[i]! ^ 0x5a;
    const up = await svc.transfers.addUpload(donor, 'donor.bin');
    const options = { port: bad.port, image: up.id, backup: false };
    const p = await plan(options);
    const r = await start('restore', { planId: p.planId, options });
    expect(r.ok).toBe(true);
    const jobId = r.jobId!;
    // Wait until it is writing.
    await expect
      .poll(() => svc.listJobs().find((j) => j.id === jobId)?.progress?.phase ?? '', {
        timeout: 60_000,
        interval: 50,
      })
      .toMatch(/writ/i);
    await new Promise((res) => setTimeout(res, 500));
    const t0 = performance.now();
    expect(svc.cancelJob(jobId)).toEqual({ cancelled: true });
    const snap = (await svc.waitJob(jobId))!;
    const stoppedMs = performance.now() - t0;
    expect(snap.state).toBe('cancelled');
    // The port is free again: a detect on it is not refused as busy.
    const det = await run('detect', { port: bad.port });
    const freedMs = performance.now() - t0;
    expect(det.state, JSON.stringify(det.error)).toBe('done');
    console.log(
      `cancel: job stopped after ${stoppedMs.toFixed(0)} ms, port usable again after ${freedMs.toFixed(0)} ms`,
    );
    expect(stoppedMs).toBeLessThan(1500);
    // Interrupted is a state: how far the write got, and the way back.
    expect(snap.interrupted).toBeDefined();
    expect(snap.interrupted!.planned).toBe(p.writeSectors.length);
    expect(snap.interrupted!.written).toBeGreaterThanOrEqual(0);
    expect(snap.interrupted!.written).toBeLessThan(p.writeSectors.length);

    // Resume: planned from the journal like any write (only what is left), confirmed, run to the end.
    const resumeOptions = { ...options, resume: true };
    const rest = await plan(resumeOptions);
    expect(rest.writeSectors.length).toBeLessThanOrEqual(p.writeSectors.length - snap.interrupted!.written);
    const resumed = await run('restore', { planId: rest.planId, options: resumeOptions });
    expect(resumed.state, JSON.stringify(resumed.error)).toBe('done');
    expect(md5(bad.flash())).toBe(md5(donor));
  }, 240_000);
});
