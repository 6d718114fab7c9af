/**
 * Flashing firmware files through the workbench service with the real deps and a virtual board: an
 * uploaded Arduino bin and Espressif init data are recognised, planned (with a fit warning), written
 * with the automatic backup and verified; a changed option refuses the plan; erase, per-file verify and
 * "add this file to the library" work on the same board.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { boardFactory, demo, md5 } from '../support/boards.js';
import { arduinoBin } from '../support/firmware-files.js';

useTempHome();
const { WorkbenchService } = await import('../../main/workbench/service.js');
const { createRealDeps } = await import('../../main/workbench/real-deps.js');
const { dispatch } = await import('../../main/workbench/dispatch.js');

const boards = boardFactory('wbfw');
const svc = new WorkbenchService(createRealDeps({ broker: null }), { shell: 'browser', pollMs: 0 });
afterAll(async () => {
  await svc.close();
  boards.closeAll();
});

const MB4 = 4 * 1024 * 1024;
const initData = fs.readFileSync(
  path.resolve(import.meta.dirname, '../fixtures/esp8266/esp_init_data_default_v08.bin'),
);

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

async function runJob(kind: string, params: unknown) {
  const { jobId } = await ok<{ jobId: string }>(dispatch(svc, 'jobs.start', { kind, params }));
  const done = await svc.waitJob(jobId);
  if (done?.state !== 'done') throw new Error(`${kind}: ${done?.state} ${JSON.stringify(done?.error)}`);
  return done.result as never;
}

describe('workbench: flash firmware files', () => {
  it('recognises, plans, writes with a backup and verifies an Arduino bin + init data', async () => {
    const b = boards.make(demo.bad);
    await ok(dispatch(svc, 'ports.list', {}));
    await ok(dispatch(svc, 'ports.add', { port: b.port }));
    const sketch = arduinoBin();
    const up1 = await svc.transfers.addUpload(sketch, 'sketch.ino.bin');
    const up2 = await svc.transfers.addUpload(new Uint8Array(initData), 'esp_init_data_default_v08.bin');

    const id = await ok<{ kind: string; description: string; name: string }>(
      dispatch(svc, 'files.identify', { file: up1.id }),
    );
    expect(id).toMatchObject({ kind: 'arduino', name: 'sketch.ino.bin' });
    expect(await ok(dispatch(svc, 'files.identify', { file: up2.id }))).toMatchObject({
      kind: 'rf-init-data',
    });

    const options = {
      port: b.port,
      files: [
        { address: 0, file: up1.id },
        { address: MB4 - 0x4000, file: up2.id },
      ],
    };
    const plan = (await runJob('plan-write', options)) as {
      planId: string;
      files: { name: string; identity: { kind: string } }[];
      warnings: { code: string }[];
      writeSectors: number[];
      backupFirst: boolean;
    };
    expect(plan.files.map((f) => [f.name, f.identity.kind])).toEqual([
      ['sketch.ino.bin', 'arduino'],
      ['esp_init_data_default_v08.bin', 'rf-init-data'],
    ]);
    // An Arduino build keeps its PHY data in the firmware: S−0x4000 is RF calibration (notes 5.1).
    expect(plan.warnings.map((w) => w.code)).toContain('INIT_DATA_ON_ARDUINO');
    expect(plan.backupFirst).toBe(true);
    expect(plan.writeSectors.length).toBeGreaterThan(0);
    expect(b.flash().subarray(0, 16)).toEqual(demo.bad.subarray(0, 16)); // planning wrote nothing

    // A changed option after planning is refused before anything is written.
    const stale = await dispatch(svc, 'jobs.start', {
      kind: 'write',
      params: { planId: plan.planId, options: { ...options, backup: false } },
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'PLAN_STALE' } });

    const plan2 = (await runJob('plan-write', options)) as { planId: string };
    const r = (await runJob('write', { planId: plan2.planId, options })) as {
      verified: boolean;
      backupId: string | null;
    };
    expect(r.verified).toBe(true);
    expect(r.backupId).toMatch(/^[0-9a-f]{64}$/);
    const flash = b.flash();
    expect(md5(flash.subarray(0, sketch.length))).toBe(md5(sketch));
    expect(md5(flash.subarray(MB4 - 0x4000, MB4 - 0x4000 + initData.length))).toBe(md5(initData));

    const v = (await runJob('verify-files', { port: b.port, files: options.files })) as {
      verified: boolean;
      files: { verified: boolean }[];
    };
    expect(v.verified).toBe(true);
    expect(v.files.map((f) => f.verified)).toEqual([true, true]);

    // Erase the init-data sector: verify now names the file and sector that differ.
    const e = (await runJob('erase', { port: b.port, offset: MB4 - 0x4000, size: 0x1000 })) as {
      erased: { offset: number; size: number };
    };
    expect(e.erased).toEqual({ offset: MB4 - 0x4000, size: 0x1000 });
    expect(
      b
        .flash()
        .subarray(MB4 - 0x4000, MB4 - 0x3000)
        .every((x) => x === 0xff),
    ).toBe(true);
    const v2 = (await runJob('verify-files', { port: b.port, files: options.files })) as {
      verified: boolean;
      files: { verified: boolean; diffSectors: number[] }[];
    };
    expect(v2.verified).toBe(false);
    expect(v2.files[1]).toMatchObject({ verified: false, diffSectors: [MB4 - 0x4000] });
  }, 120_000);

  it('a write runs only on the board its plan was shown for: a board swapped onto the port is refused', async () => {
    const { openVirtualBoard, closeVirtualBoard, openVirtualLink, registerVirtualBoards } =
      await import('../../main/sim/index.js');
    const { registerVirtualPorts, listVirtualPorts } = await import('../../main/transport/virtual-ports.js');
    const listed = listVirtualPorts();
    const a = boards.make(demo.bad);
    const otherName = 'wbfw-swapped';
    const other = openVirtualBoard(otherName, {
      pace: false,
      create: { flash: Uint8Array.from(demo.bad), flashSize: MB4, mac: '18:fe:34:0a:0b:99' },
    });
    // One adapter, two boards: what answers on a.port is whichever board is plugged in.
    let plugged = a.name;
    registerVirtualPorts({
      open: (name, o) => openVirtualLink(name === a.name ? plugged : name, o),
      list: () => listed,
    });
    try {
      await ok(dispatch(svc, 'ports.add', { port: a.port }));
      const up = await svc.transfers.addUpload(new Uint8Array(initData), 'esp_init_data_default_v08.bin');
      const options = { port: a.port, files: [{ address: MB4 - 0x4000, file: up.id }], backup: false };
      const plan = (await runJob('plan-write', options)) as { planId: string; target: { mac: string } };
      expect(plan.target.mac).toBe('18:fe:34:0a:0b:0c');
      plugged = otherName; // the user swaps the board before confirming
      const before = other.board.flash.snapshot();
      const { jobId } = await ok<{ jobId: string }>(
        dispatch(svc, 'jobs.start', { kind: 'write', params: { planId: plan.planId, options } }),
      );
      const done = await svc.waitJob(jobId);
      expect(done?.state).toBe('failed');
      expect(done?.error).toMatchObject({ code: 'WRONG_BOARD' });
      expect(done?.error?.message).toMatch(/18:fe:34:0a:0b:99, not the board 18:fe:34:0a:0b:0c/);
      expect(Buffer.compare(other.board.flash.snapshot(), before)).toBe(0);
    } finally {
      registerVirtualBoards();
      closeVirtualBoard(otherName);
    }
  }, 60_000);

  it('verify compares as written: a header patched by the write options, and a file at an unaligned offset', async () => {
    const b = boards.make(demo.good);
    await ok(dispatch(svc, 'ports.add', { port: b.port }));
    const sketch = arduinoBin(); // header: dio
    const data = new Uint8Array(0x1800).map((_, i) => (i * 13) & 0xff);
    const up1 = await svc.transfers.addUpload(sketch, 'sketch.ino.bin');
    const up2 = await svc.transfers.addUpload(data, 'settings.bin');
    // 0x200010: inside a sector, so its first and last sectors keep the chip's own neighbours.
    const files = [
      { address: 0, file: up1.id },
      { address: 0x200010, file: up2.id },
    ];
    const options = { port: b.port, files, flashMode: 'dout' as const, backup: false };
    const plan = (await runJob('plan-write', options)) as { planId: string };
    const w = (await runJob('write', { planId: plan.planId, options })) as { verified: boolean };
    expect(w.verified).toBe(true);
    const flash = b.flash();
    expect(flash[2]).toBe(3); // dout in the header at 0x0
    expect(md5(flash.subarray(0x200010, 0x200010 + data.length))).toBe(md5(data));
    expect(md5(flash.subarray(0x200000, 0x200010))).toBe(md5(demo.good.subarray(0x200000, 0x200010)));

    type Verified = {
      verified: boolean;
      files: { name: string; verified: boolean; diffSectors: number[]; headerNote: string | null }[];
    };
    // With the write's options (what the Flash view sends), both files verify.
    const v = (await runJob('verify-files', { port: b.port, files, flashMode: 'dout' })) as Verified;
    expect(v.files.map((f) => [f.name, f.verified, f.headerNote])).toEqual([
      ['sketch.ino.bin', true, 'header bytes 2–3 rewritten'],
      ['settings.bin', true, null],
    ]);
    // Without them the unpatched file really differs from the board in the header's sector only.
    const raw = (await runJob('verify-files', { port: b.port, files })) as Verified;
    expect(raw.files[0]).toMatchObject({ verified: false, diffSectors: [0] });
    expect(raw.files[1]!.verified).toBe(true);
  }, 120_000);

  it('adds an uploaded dump to the library under its label', async () => {
    const up = await svc.transfers.addUpload(demo.good, 'read_flash 2019.bin');
    const entry = await ok<{ id: string; label: string; size: number }>(
      dispatch(svc, 'library.import', { file: up.id, label: 'old esptool dump' }),
    );
    expect(entry).toMatchObject({ label: 'old esptool dump', size: MB4 });
    const list = await ok<{ id: string }[]>(dispatch(svc, 'library.list', {}));
    expect(list.map((x) => x.id)).toContain(entry.id);
  });

  it('refuses to keep a file that is not a whole-flash dump', async () => {
    const up = await svc.transfers.addUpload(arduinoBin(), 'sketch.bin');
    const r = await dispatch(svc, 'library.import', { file: up.id });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_IMAGE' } });
    if (!r.ok) expect(r.error.message).toMatch(/not a whole-flash dump/);
  });

  it('refuses a host path where an uploaded file is expected', async () => {
    const r = await dispatch(svc, 'files.identify', { file: '/etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
  });
});
