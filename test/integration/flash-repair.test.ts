/**
 * `repair` against in-process virtual boards: by the firmware's own layout, exactly which sectors
 * change (Arduino: RF_CAL + SDK params; NONOS: RF_CAL, Espressif's init data, the two data sectors, flag
 * kept), the header fix, the refusal to guess on an unknown firmware, and that it cures the demo's bad
 * board.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, useTempHome } from '../support/home.js';

useTempHome('flashback-repair-');
const { repairBoard } = await import('../../main/flash/repair.js');
const { restoreBoard } = await import('../../main/flash/restore.js');
const { Library } = await import('../../main/library/library.js');
const { boardFactory } = await import('../support/boards.js');
const { sdkAppAtZero } = await import('../support/firmware-files.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { radioCalibrated } = await import('../../main/sim/demo-firmware.js');

const MB = 1024 * 1024;
const boards = boardFactory('rp');
afterEach(() => boards.closeAll());
const fast = { baud: 921600 } as const;
const initData = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'esp_init_data_default_v08.bin')));

function changedSectors(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let s = 0; s < a.length / 4096; s++)
    if (
      !Buffer.from(a.subarray(s * 4096, (s + 1) * 4096)).equals(
        Buffer.from(b.subarray(s * 4096, (s + 1) * 4096)),
      )
    )
      out.push(s);
  return out;
}

/** A NONOS 1 MB flash in use: app + irom, RF_CAL data, damaged init data, WiFi settings, flag. */
function nonosBoard(): Uint8Array {
  const flash = new Uint8Array(MB).fill(0xff);
  flash.set(sdkAppAtZero({ flashSize: MB, banner: 'NodeMCU 2.2.1 build' }), 0);
  flash.fill(0x3c, 0xfb000, 0xfb400); // RF_CAL written by the SDK
  flash.fill(0x00, 0xfc000, 0xfc040); // init data, byte 0 = 0x00: rf_cal[0] !=0x05
  flash.set(new TextEncoder().encode('HomeNet'), 0xfd010); // station config
  flash[0xff000] = 0; // flag: first data sector current
  return flash;
}

describe('repair on virtual boards', () => {
  it('Arduino core: erases RF_CAL and the SDK params only (S−0x4000…S), backed up, and cures the bad demo board', async () => {
    const before = buildDemoImage('bad', MB);
    expect(radioCalibrated({ flashSize: MB, readFlash: (o, n) => before.subarray(o, o + n) })).toBe(false);
    const b = boards.make(before);
    const r = await repairBoard({ port: b.port, ...fast });
    if ('dryRun' in r) throw new Error('not repaired');
    expect(r.plan).toMatchObject({ family: 'arduino', rule: 'arduino', resetsWifi: true, sdkSize: MB });
    const after = b.flash();
    // 0xFE000 was already blank, so three sectors change: RF_CAL, the current data sector, the flag.
    expect(changedSectors(before, after)).toEqual([0xfc, 0xfd, 0xff]);
    expect(r.changedSectors).toEqual([0xfc, 0xfd, 0xff]);
    expect(after.subarray(0xfc000).every((x) => x === 0xff)).toBe(true);
    expect(radioCalibrated({ flashSize: MB, readFlash: (o, n) => after.subarray(o, o + n) })).toBe(true);
    const { bytes } = await new Library().get(r.backupId!);
    expect(Buffer.from(bytes).equals(Buffer.from(before))).toBe(true);
    // Nothing left to do the second time.
    const again = await repairBoard({ port: b.port, ...fast });
    if ('dryRun' in again) throw new Error('not repaired');
    expect(again.changedSectors).toEqual([]);
    expect(again.backupId).toBeNull();
  });

  it('NONOS: erases RF_CAL, writes Espressif’s init data at S−0x4000, erases both data sectors, keeps the flag', async () => {
    const before = nonosBoard();
    const b = boards.make(before);
    const r = await repairBoard({ port: b.port, ...fast, backup: false });
    if ('dryRun' in r) throw new Error('not repaired');
    expect(r.plan.family).toBe('nonos-sdk');
    expect(r.plan.actions.map((a) => [a.offset, a.action])).toEqual([
      [0xfb000, 'erase'],
      [0xfc000, 'write'],
      [0xfd000, 'erase'],
      [0xff000, 'keep'],
    ]);
    const after = b.flash();
    expect(changedSectors(before, after)).toEqual([0xfb, 0xfc, 0xfd]);
    expect(Buffer.from(after.subarray(0xfc000, 0xfc080)).equals(Buffer.from(initData))).toBe(true);
    expect(after.subarray(0xfc080, 0xff000).every((x) => x === 0xff)).toBe(true);
    expect(after[0xff000]).toBe(0);
  });

  it('refuses an unrecognised firmware and changes nothing', async () => {
    const before = new Uint8Array(MB).fill(0x42);
    const b = boards.make(before);
    await expect(repairBoard({ port: b.port, ...fast })).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: expect.stringMatching(/not recognised.*nothing was changed/),
    });
    expect(changedSectors(before, b.flash())).toEqual([]);
  });

  it('a 4 MB header on a 1 MB chip: warns, and --fix-header rewrites it to the chip size', async () => {
    const before = buildDemoImage('good', MB);
    before[3] = 0x40; // header says 4 MB (the ESP-01 case)
    const b = boards.make(before);
    const plan = await repairBoard({ port: b.port, ...fast }, { confirm: () => false });
    expect(plan.plan.warnings.join(' ')).toMatch(/says 4MB but the chip has 1MB.*--fix-header/);
    const r = await repairBoard({ port: b.port, ...fast, fixHeader: true, backup: false });
    if ('dryRun' in r) throw new Error('not repaired');
    const after = b.flash();
    expect(after[3]! >> 4).toBe(2);
    expect(changedSectors(before, after)).toEqual([0x0, 0xfc, 0xfd, 0xff]);
  });
});

describe('restore --reset-factory-data', () => {
  it('Arduino: clones the firmware, erases RF_CAL and the WiFi settings instead of copying the donor’s', async () => {
    const donor = buildDemoImage('good', MB);
    const id = (await new Library().add(donor, { label: 'donor' })).id;
    const b = boards.make(buildDemoImage('bad', MB));
    const r = await restoreBoard({ port: b.port, ...fast, image: id, resetFactoryData: true, backup: false });
    if ('dryRun' in r) throw new Error('not restored');
    expect(r.plan.resetFactoryData).toBe(true);
    expect(r.plan.warnings.join(' ')).toMatch(
      /RF calibration \(0xfc000\) and WiFi settings .* are not copied/,
    );
    const after = b.flash();
    expect(changedSectors(donor, after)).toEqual([0xfc, 0xfd, 0xff]);
    expect(after.subarray(0xfc000).every((x) => x === 0xff)).toBe(true);
    expect(radioCalibrated({ flashSize: MB, readFlash: (o, n) => after.subarray(o, o + n) })).toBe(true);
  });

  it('NONOS: keeps the donor’s valid init data (its crystal setting), erases RF_CAL and the data sectors, keeps the flag', async () => {
    const donor = nonosBoard();
    const init = initData.slice();
    init[48] = 0; // a 40 MHz crystal board: the donor's setting must survive
    donor.set(init, 0xfc000);
    donor.fill(0xff, 0xfc080, 0xfd000);
    const id = (await new Library().add(donor, { label: 'nonos donor' })).id;
    const b = boards.make(new Uint8Array(MB).fill(0xff));
    const r = await restoreBoard({ port: b.port, ...fast, image: id, resetFactoryData: true, backup: false });
    if ('dryRun' in r) throw new Error('not restored');
    const after = b.flash();
    expect(changedSectors(donor, after)).toEqual([0xfb, 0xfd]);
    expect(after[0xfc000 + 48]).toBe(0);
    expect(after[0xff000]).toBe(0);
  });

  it('refuses --reset-factory-data together with --preserve sdk-config', async () => {
    const b = boards.make(buildDemoImage('bad', MB));
    const id = (await new Library().add(buildDemoImage('good', MB), { label: 'donor' })).id;
    await expect(
      restoreBoard({ port: b.port, ...fast, image: id, resetFactoryData: true, preserve: ['sdk-config'] }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

describe('repair refuses layouts it does not handle', () => {
  it('NodeMCU 3.x (factory data low in flash, at 0xB000–0xFFFF): refused, nothing changed', async () => {
    const before = nonosBoard();
    before.fill(0xff, 0xc000, 0xd000);
    before.set(initData, 0xc000); // PHY_DATA partition of the NodeMCU 3.x partition table
    const b = boards.make(before);
    await expect(repairBoard({ port: b.port, ...fast })).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      message: expect.stringMatching(/NodeMCU 3\.x.*changed nothing/),
    });
    expect(changedSectors(before, b.flash())).toEqual([]);
  });
});
