/**
 * `write ADDR FILE …` through the real client against in-process virtual boards: several files in one
 * go with the header patched, the automatic backup, only differing sectors written, MD5 verify, bytes
 * around a partial sector kept, and the fit warnings (wrong slot, ESP-01 size) stopping a write until
 * confirmed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, useTempHome } from '../support/home.js';

useTempHome('flashback-write-');
const { writeFiles } = await import('../../main/flash/write-files.js');
const { Library } = await import('../../main/library/library.js');
const { boardFactory } = await import('../support/boards.js');
const { arduinoBin, bootV1, tasmotaRelease, userBin } = await import('../support/firmware-files.js');

const MB = 1024 * 1024;
const boards = boardFactory('wf');
afterEach(() => boards.closeAll());
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const blank = (size: number) => new Uint8Array(size).fill(0xff);
const fast = { baud: 921600 } as const;

describe('writeFiles on a virtual board', () => {
  it('writes boot_v1.x + user1 + init data + blank.bin in one go, patching the header, backed up and verified', async () => {
    const b = boards.make(blank(MB));
    const init = fixture('esp_init_data_default_v08.bin');
    const user1 = userBin(1);
    const pairs = [
      { address: 0x0, name: 'boot_v1.7.bin', bytes: bootV1() },
      { address: 0x1000, name: 'user1.1024.new.2.bin', bytes: user1 },
      { address: 0xfc000, name: 'esp_init_data_default_v08.bin', bytes: init },
      { address: 0xfe000, name: 'blank.bin', bytes: fixture('blank.bin') },
    ];
    const r = await writeFiles(
      { port: b.port, ...fast, pairs, flashSize: 'detect', flashMode: 'dio' },
      { confirm: (plan) => plan.warnings.length === 0 },
    );
    if ('dryRun' in r) throw new Error(`not written: ${JSON.stringify(r.plan.warnings)}`);
    expect(r.plan.files.map((f) => f.identity.kind)).toEqual([
      'nonos-boot',
      'nonos-user',
      'rf-init-data',
      'blank',
    ]);
    expect(r.plan.files[0]).toMatchObject({ headerPatched: true });
    expect(r.verified).toBe(true);
    const flash = b.flash();
    expect(flash[2]).toBe(2); // dio
    expect(flash[3]! >> 4).toBe(2); // 1 MB, from the chip's JEDEC id
    expect(Buffer.from(flash.subarray(4, bootV1().length)).equals(Buffer.from(bootV1().subarray(4)))).toBe(
      true,
    );
    expect(Buffer.from(flash.subarray(0x1000, 0x1000 + user1.length)).equals(Buffer.from(user1))).toBe(true);
    expect(Buffer.from(flash.subarray(0xfc000, 0xfc080)).equals(Buffer.from(init))).toBe(true);
    // The blank board was backed up first, into the library.
    expect(r.backupId).toMatch(/^[0-9a-f]{64}$/);
    const { bytes } = await new Library().get(r.backupId!);
    expect(bytes.every((x) => x === 0xff)).toBe(true);
    // The same write again: nothing differs, nothing is written, nothing backed up.
    const again = await writeFiles({ port: b.port, ...fast, pairs, flashSize: 'detect', flashMode: 'dio' });
    if ('dryRun' in again) throw new Error('not written');
    expect(again.written.sectors).toBe(0);
    expect(again.backupId).toBeNull();
  });

  it('keeps the board’s bytes around a file that covers part of a sector, and writes only that sector', async () => {
    const flash = blank(MB);
    flash.fill(0x77, 0xfc100, 0xfc200);
    flash.fill(0x55, 0xfd000, 0xfe000);
    const b = boards.make(flash);
    const init = fixture('esp_init_data_default_v08.bin');
    const r = await writeFiles({
      port: b.port,
      ...fast,
      backup: false,
      pairs: [{ address: 0xfc000, name: 'init.bin', bytes: init }],
    });
    if ('dryRun' in r) throw new Error('not written');
    expect(r.plan.writeSectors).toEqual([0xfc]);
    const after = b.flash();
    expect(Buffer.from(after.subarray(0xfc000, 0xfc080)).equals(Buffer.from(init))).toBe(true);
    expect(after.subarray(0xfc100, 0xfc200).every((x) => x === 0x77)).toBe(true);
    expect(after.subarray(0xfd000, 0xfe000).every((x) => x === 0x55)).toBe(true);
  });

  it('stops before writing when a file does not fit (user2 at 0x1000), with the warning in the plan', async () => {
    const b = boards.make(blank(MB));
    const r = await writeFiles(
      {
        port: b.port,
        ...fast,
        pairs: [
          { address: 0, name: 'boot_v1.7.bin', bytes: bootV1() },
          { address: 0x1000, name: 'user2.bin', bytes: userBin(2) },
        ],
        flashSize: 'detect',
      },
      { confirm: (plan) => plan.warnings.length === 0 },
    );
    expect('dryRun' in r).toBe(true);
    expect(r.plan.warnings.map((w) => w.code)).toEqual(['WRONG_SLOT']);
    expect(b.flash().every((x) => x === 0xff)).toBe(true);
  });

  it('Tasmota over a NONOS board warns that the factory sectors change meaning; a whole-flash image does not', async () => {
    const nonos = blank(MB);
    nonos.set(bootV1(), 0);
    nonos[3] = 0x20;
    nonos.set(userBin(1), 0x1000);
    nonos.set(fixture('esp_init_data_default_v08.bin'), 0xfc000);
    const b = boards.make(nonos);
    const pairs = [{ address: 0, name: 'tasmota.bin', bytes: tasmotaRelease() }];
    const r = await writeFiles({ port: b.port, ...fast, pairs }, { confirm: () => false });
    expect(r.plan.warnings.map((w) => w.code)).toEqual(['FACTORY_LAYOUT_CHANGE']);
    expect(r.plan.warnings[0]?.message).toMatch(/NONOS.*0xFC000.*Arduino-core.*flashback repair/);
    expect(Buffer.from(b.flash()).equals(Buffer.from(nonos))).toBe(true);
    // A whole flash carries its own factory sectors: nothing to warn about.
    const whole = blank(MB);
    whole.set(tasmotaRelease(), 0);
    const w = await writeFiles(
      { port: b.port, ...fast, pairs: [{ address: 0, name: 'dump.bin', bytes: whole }] },
      { confirm: () => false },
    );
    expect(w.plan.warnings.map((x) => x.code)).not.toContain('FACTORY_LAYOUT_CHANGE');
  });

  it('the ESP-01 case: a 4 MB build on a 1 MB chip warns; --flash-size detect rewrites the header to 1 MB', async () => {
    const b = boards.make(blank(MB));
    const sketch = arduinoBin({ flashSize: 4 * MB });
    const plan1 = await writeFiles(
      { port: b.port, ...fast, pairs: [{ address: 0, name: 'sketch.bin', bytes: sketch }] },
      { confirm: () => false },
    );
    expect(plan1.plan.warnings[0]).toMatchObject({ code: 'BIGGER_FLASH' });
    const r = await writeFiles({
      port: b.port,
      ...fast,
      backup: false,
      flashSize: 'detect',
      pairs: [{ address: 0, name: 'sketch.bin', bytes: sketch }],
    });
    if ('dryRun' in r) throw new Error('not written');
    expect(r.plan.warnings).toEqual([]);
    expect(b.flash()[3]! >> 4).toBe(2);
  });

  it('refuses overlapping files and files past the end, writing nothing', async () => {
    const b = boards.make(blank(MB));
    await expect(
      writeFiles({
        port: b.port,
        ...fast,
        pairs: [
          { address: 0x1000, name: 'a.bin', bytes: new Uint8Array(0x2000) },
          { address: 0x2000, name: 'b.bin', bytes: new Uint8Array(0x100) },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/overlaps b\.bin/) });
    await expect(
      writeFiles({
        port: b.port,
        ...fast,
        pairs: [{ address: 0xff000, name: 'big.bin', bytes: new Uint8Array(0x2000) }],
      }),
    ).rejects.toMatchObject({ code: 'IMAGE_TOO_BIG' });
    expect(b.flash().every((x) => x === 0xff)).toBe(true);
  });
});
