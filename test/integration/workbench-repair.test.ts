/**
 * Repair and "clone the firmware, reset the factory data" through the workbench service with the real
 * deps and virtual boards: plan-repair shows the sectors and the WiFi reset, repair runs exactly that
 * plan (once; changed options are refused), a restore plan with resetFactoryData leaves the donor's RF
 * calibration and WiFi behind, and library.import refuses a file that is not a whole-flash dump.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RestorePlanView } from '../../main/workbench/api.js';
import { useTempHome } from '../support/home.js';
import { boardFactory } from '../support/boards.js';

useTempHome();
const { WorkbenchService } = await import('../../main/workbench/service.js');
const { createRealDeps } = await import('../../main/workbench/real-deps.js');
const { dispatch } = await import('../../main/workbench/dispatch.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { Library } = await import('../../main/library/library.js');

const MB = 1024 * 1024;
const boards = boardFactory('wbrp');
const svc = new WorkbenchService(createRealDeps({ broker: null }), { shell: 'browser', pollMs: 0 });
afterAll(async () => {
  await svc.close();
  boards.closeAll();
});

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

async function runJob(kind: string, params: unknown) {
  const { jobId } = await ok<{ jobId: string }>(dispatch(svc, 'jobs.start', { kind, params }));
  return svc.waitJob(jobId);
}

async function known(port: string) {
  await ok(dispatch(svc, 'ports.list', {}));
  await ok(dispatch(svc, 'ports.add', { port }));
}

describe('workbench: repair the factory data', () => {
  it('plans (sectors, WiFi reset), refuses changed options, then repairs exactly the plan once', async () => {
    const before = buildDemoImage('bad', MB);
    const b = boards.make(before);
    await known(b.port);
    const options = { port: b.port };
    const planned = await runJob('plan-repair', options);
    expect(planned?.state).toBe('done');
    const plan = planned?.result as {
      planId: string;
      rule: string;
      writeSectors: number[];
      resetsWifi: boolean;
      actions: { offset: number; action: string }[];
    };
    expect(plan).toMatchObject({ rule: 'arduino', resetsWifi: true, writeSectors: [0xfc, 0xfd, 0xff] });
    expect(plan.actions.map((a) => [a.offset, a.action])).toEqual([
      [0xfc000, 'erase'],
      [0xfd000, 'erase'],
    ]);
    // The user changed an option after planning: refused, nothing written.
    const stale = await dispatch(svc, 'jobs.start', {
      kind: 'repair',
      params: { planId: plan.planId, options: { ...options, fixHeader: true } },
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'PLAN_STALE' } });
    expect(Buffer.from(b.flash()).equals(Buffer.from(before))).toBe(true);

    const again = (await runJob('plan-repair', options))?.result as { planId: string };
    const done = await runJob('repair', { planId: again.planId, options });
    expect(done?.state, JSON.stringify(done?.error)).toBe('done');
    expect(done?.result).toMatchObject({ changedSectors: [0xfc, 0xfd, 0xff], verified: true });
    expect(
      b
        .flash()
        .subarray(0xfc000)
        .every((x) => x === 0xff),
    ).toBe(true);
    const reused = await dispatch(svc, 'jobs.start', {
      kind: 'repair',
      params: { planId: again.planId, options },
    });
    expect(reused).toMatchObject({ ok: false, error: { code: 'PLAN_STALE' } });
  }, 60_000);

  it('a restore plan with resetFactoryData clones the firmware but not the donor’s calibration and WiFi', async () => {
    const donor = buildDemoImage('good', MB);
    const id = (await new Library().add(donor, { label: 'donor' })).id;
    const b = boards.make(buildDemoImage('bad', MB));
    await known(b.port);
    const options = { port: b.port, image: id, resetFactoryData: true, backup: false };
    const plan = (await runJob('plan-restore', options))?.result as RestorePlanView;
    expect(plan.warnings.join(' ')).toMatch(/are not copied/);
    // The plan names the sectors reset instead of copied, for the UI's table (Arduino core, 1 MB).
    expect(plan.factoryReset?.rule).toBe('arduino');
    expect(plan.factoryReset?.steps.map((s) => [s.offset, s.size, s.action])).toEqual([
      [0xfc000, 0x1000, 'erase'],
      [0xfd000, 0x3000, 'erase'],
    ]);
    const done = await runJob('restore', { planId: plan.planId, options });
    expect(done?.state, JSON.stringify(done?.error)).toBe('done');
    const after = b.flash();
    expect(Buffer.from(after.subarray(0, 0xfc000)).equals(Buffer.from(donor.subarray(0, 0xfc000)))).toBe(
      true,
    );
    expect(after.subarray(0xfc000).every((x) => x === 0xff)).toBe(true);
  }, 60_000);

  it('library.import refuses an upload that is not a whole-flash dump', async () => {
    const up = await svc.transfers.addUpload(new Uint8Array(5000).fill(7), 'notes.bin');
    const r = await dispatch(svc, 'library.import', { file: up.id, label: 'x' });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'BAD_IMAGE', message: expect.stringMatching(/not a whole-flash dump/) },
    });
  });
});
