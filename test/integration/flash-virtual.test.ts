/**
 * The real client (main/esp + main/flash) against the in-process virtual ESP8266, unpaced:
 * detect, sparse backup, raw write, ROM-only write, restore (plan, auto-backup, diff, verify),
 * oversize refusal, and an interrupted restore resumed.
 */
import crypto, { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, useTempHome } from '../support/home.js';

const home = useTempHome();
const {
  backupBoard,
  detectBoard,
  executeRestore,
  planRestore,
  restoreBoard,
  writeRegion,
  quickCompare,
  verifyBoard,
} = await import('../../main/flash/index.js');
const { openVirtualBoard, closeVirtualBoard } = await import('../../main/sim/index.js');
const { FlashbackError } = await import('../../main/errors.js');
const { boardFactory, demo, md5, MB4 } = await import('../support/boards.js');

const { good, bad } = demo;
const boards = boardFactory('t');
const makeBoard: typeof boards.make = (flash, extra) => boards.make(flash, extra);

const fast = { baud: 921600 } as const;

afterEach(() => boards.closeAll());

describe('virtual board, in-process', () => {
  beforeAll(() => fs.mkdirSync(path.join(home, 'out'), { recursive: true }));

  it('detects the demo board', async () => {
    const r = await detectBoard({ port: 'virtual:good' });
    expect(r).toMatchObject({
      chip: 'ESP8266EX',
      mac: '18:fe:34:a1:b2:01',
      crystalMHz: 26,
      bridge: 'virtual',
    });
    expect(r.flash).toMatchObject({ manufacturer: 'Winbond', jedecId: 0x1640ef, size: MB4, device: 0x4016 });
    closeVirtualBoard('good');
  });

  it('tells an ESP8285 from an ESP8266EX by its eFuses', async () => {
    const name = 'esp8285';
    openVirtualBoard(name, {
      pace: false,
      create: {
        flash: new Uint8Array(1 << 20).fill(0xff),
        flashSize: 1 << 20,
        chip: 'ESP8285',
        mac: '18:fe:34:0a:0b:0d',
      },
    });
    const r = await detectBoard({ port: `virtual:${name}` });
    expect(r.chip).toBe('ESP8285');
    expect(r.features).toContain('Embedded Flash');
    closeVirtualBoard(name);
  });

  it('says an ESP32 is not an ESP8266 (not supported yet) instead of failing obscurely', async () => {
    const b = makeBoard(good, { chipMagic: 0x00f01d83 });
    const err = await detectBoard({ port: b.port }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED_CHIP' });
    expect((err as Error).message).toMatch(/This is an ESP32, not an ESP8266: not supported yet/);
  });

  it('backs up a typical image sparsely and byte-exactly', async () => {
    const b = makeBoard(good);
    const out = path.join(home, 'out', 'good.bin');
    const r = await backupBoard({ port: b.port, ...fast, out });
    expect(r.md5).toBe(md5(good));
    expect(r.size).toBe(MB4);
    expect(r.bytesRead).toBeLessThan(MB4 / 4);
    expect(md5(fs.readFileSync(out))).toBe(md5(good));
    expect(r.libraryId).toBe(createHash('sha256').update(good).digest('hex'));
  });

  it('writes init data at size-0x4000 without touching the rest of the sector or its neighbours', async () => {
    const b = makeBoard(bad);
    const init = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'esp_init_data_default_v08.bin')));
    const r = await writeRegion({ port: b.port, ...fast, offset: 0x3fc000 }, init);
    expect(r.verified).toBe(true);
    const after = b.flash();
    expect(Array.from(after.subarray(0x3fc000, 0x3fc080))).toEqual(Array.from(init));
    expect(md5(after.subarray(0x3fc080, 0x3fd000))).toBe(md5(bad.subarray(0x3fc080, 0x3fd000)));
    expect(md5(after.subarray(0x3fb000, 0x3fc000))).toBe(md5(bad.subarray(0x3fb000, 0x3fc000)));
    expect(md5(after.subarray(0x3fd000))).toBe(md5(bad.subarray(0x3fd000)));
  });

  it('writes incompressible data uncompressed (as esptool falls back) and verifies it', async () => {
    const b = makeBoard(good);
    const data = new Uint8Array(crypto.randomBytes(5 * 4096));
    const r = await writeRegion({ port: b.port, ...fast, offset: 0x300000 }, data);
    expect(r.verified).toBe(true);
    expect(md5(b.flash().subarray(0x300000, 0x305000))).toBe(md5(data));
  });

  it('ROM-only write erases exactly the written sectors (FLASH_BEGIN quirk compensated)', async () => {
    const b = makeBoard(good);
    const data = new Uint8Array(3 * 4096).fill(0x42); // 3 sectors inside one 64 KiB block: the bug case
    const r = await writeRegion({ port: b.port, stub: false, offset: 0x3f4000 }, data);
    expect(r.verified).toBe(false);
    const after = b.flash();
    expect(after.subarray(0x3f4000, 0x3f7000).every((x) => x === 0x42)).toBe(true);
    expect(md5(after.subarray(0x3f7000))).toBe(md5(good.subarray(0x3f7000)));
    expect(md5(after.subarray(0, 0x3f4000))).toBe(md5(good.subarray(0, 0x3f4000)));
  });

  it('steps down the baud ladder when a rate fails, and says so', async () => {
    const b = makeBoard(good, { faults: { maxBaud: 460800 } });
    const logs: string[] = [];
    const r = await backupBoard({ port: b.port, library: null }, { log: (l) => logs.push(l) });
    expect(r.md5).toBe(md5(good));
    expect(logs.join('\n')).toMatch(/921600 baud did not work.*stepping down/);
  });

  it('a board running its firmware (no reset) is reported as not in the bootloader', async () => {
    const b = makeBoard(good);
    b.shared.board.powerOn();
    const err = await detectBoard({ port: b.port, before: 'no-reset' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_IN_BOOTLOADER' });
    expect((err as InstanceType<typeof FlashbackError>).hint).toMatch(/Hold FLASH\/BOOT, tap RST/);
  });

  it('says clearly that the ROM cannot read flash', async () => {
    const b = makeBoard(good);
    await expect(backupBoard({ port: b.port, stub: false, library: null })).rejects.toMatchObject({
      code: 'ROM_CANNOT',
    });
  });

  it('restores good onto bad: backs up first, writes only differing sectors, verifies', async () => {
    const b = makeBoard(bad);
    const img = path.join(home, 'out', 'good-img.bin');
    fs.writeFileSync(img, good);
    const plan = await planRestore({ port: b.port, ...fast, image: img });
    const differing = [];
    for (let s = 0; s < MB4 / 4096; s++)
      if (md5(good.subarray(s * 4096, (s + 1) * 4096)) !== md5(bad.subarray(s * 4096, (s + 1) * 4096)))
        differing.push(s);
    expect(plan.writeSectors).toEqual(differing);
    expect(plan.writeSectors).toContain(0x3fc000 / 4096);
    expect(md5(b.flash())).toBe(md5(bad)); // the plan wrote nothing
    const r = await executeRestore({ port: b.port, ...fast, image: img });
    expect(r.verified).toBe(true);
    expect(r.written.sectors).toBe(differing.length);
    expect(r.backupId).toBe(createHash('sha256').update(bad).digest('hex'));
    expect(md5(b.flash())).toBe(md5(good));
  });

  it('patches the header flash mode like esptool -fm, keeps the rest, verifies what was written', async () => {
    const b = makeBoard(bad);
    const img = path.join(home, 'out', 'good-dio.bin');
    fs.writeFileSync(img, good);
    const r = await executeRestore({ port: b.port, ...fast, image: img, flashMode: 'dio', backup: false });
    expect(r.plan.flashMode).toEqual({ image: 'qio', chosen: 'dio', patched: true });
    const after = b.flash();
    expect(after[2]).toBe(2);
    expect(after[3]).toBe(good[3]);
    expect(md5(after.subarray(4))).toBe(md5(good.subarray(4)));
  });

  it("--preserve sdk-config keeps the target's last four sectors", async () => {
    const b = makeBoard(bad);
    const img = path.join(home, 'out', 'good-preserve.bin');
    fs.writeFileSync(img, good);
    const r = await executeRestore({
      port: b.port,
      ...fast,
      image: img,
      preserve: ['sdk-config'],
      backup: false,
    });
    expect(r.verified).toBe(true);
    const after = b.flash();
    expect(md5(after.subarray(MB4 - 0x4000))).toBe(md5(bad.subarray(MB4 - 0x4000)));
    expect(md5(after.subarray(0, MB4 - 0x4000))).toBe(md5(good.subarray(0, MB4 - 0x4000)));
  });

  it('refuses an image bigger than the flash and leaves the target untouched', async () => {
    const b = makeBoard(bad.subarray(0, 1024 * 1024));
    const img = path.join(home, 'out', 'big.bin');
    fs.writeFileSync(img, good);
    const before = md5(b.flash());
    await expect(executeRestore({ port: b.port, ...fast, image: img })).rejects.toMatchObject({
      code: 'IMAGE_TOO_BIG',
    });
    expect(md5(b.flash())).toBe(before);
  });

  it('refuses a foreign file with a hint', async () => {
    const b = makeBoard(bad);
    const img = path.join(home, 'out', 'foreign.bin');
    fs.writeFileSync(img, Buffer.from('PK\x03\x04 this is a zip file, not a flash image'));
    const err = await restoreBoard({ port: b.port, image: img }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as InstanceType<typeof FlashbackError>).code).toBe('BAD_IMAGE');
  });

  it('an interrupted restore is resumable after the board is reconnected', async () => {
    const b = makeBoard(new Uint8Array(MB4).fill(0xff), { faults: { disconnectAfter: 150_000 } });
    const img = path.join(home, 'out', 'good-resume.bin');
    fs.writeFileSync(img, good);
    const err = await executeRestore({ port: b.port, ...fast, image: img, backup: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as Error).message).toMatch(/interrupted/i);
    expect((err as InstanceType<typeof FlashbackError>).hint).toMatch(/--resume/);
    expect(md5(b.flash())).not.toBe(md5(good));
    // "Unplug and replug": drop the instance (its flash was saved on disconnect), reopen without faults.
    closeVirtualBoard(b.name);
    openVirtualBoard(b.name, { pace: false });
    const r = await executeRestore({ port: b.port, ...fast, resume: true });
    expect(r.verified).toBe(true);
    expect(md5(openVirtualBoard(b.name).board.flash.snapshot())).toBe(md5(good));
  });

  it('verifies a file whose length is not a multiple of 4 (padded with 0xFF as written)', async () => {
    const b = makeBoard(good);
    const data = new Uint8Array(130).fill(0x05);
    await writeRegion({ port: b.port, ...fast, offset: 0x3fa000 }, data);
    expect((await verifyBoard({ port: b.port, ...fast, offset: 0x3fa000 }, data)).verified).toBe(true);
    const other = Uint8Array.from(data);
    other[129] = 0x06;
    expect((await verifyBoard({ port: b.port, ...fast, offset: 0x3fa000 }, other)).verified).toBe(false);
  });

  it('verify says which sectors differ', async () => {
    const b = makeBoard(bad);
    const r = await verifyBoard({ port: b.port, ...fast }, good);
    expect(r.verified).toBe(false);
    expect(r.diffSectors).toContain(0x3fc000);
  });

  it('quick compare of the demo boards points at the RF calibration sector', async () => {
    const a = makeBoard(good);
    const c = makeBoard(bad);
    const r = await quickCompare(a.port, c.port, fast);
    const rf = r.regions.find((x) => x.start === 0x3fc000);
    expect(rf?.diffSectors).toBe(1);
    const sketch = r.regions.find((x) => /sketch/i.test(x.name));
    expect(sketch?.diffSectors).toBe(0);
    expect(r.sectors[0x3fc000 / 4096]).toBe('diff');
    expect(r.boards.a).toMatchObject({ chip: 'ESP8266EX', port: a.port, bridge: 'virtual' });
    expect(r.boards.b?.flash.size).toBe(MB4);
  });

  it('compares an image file against a live board (the file side has no board identity)', async () => {
    const c = makeBoard(bad);
    const img = path.join(home, 'out', 'good-cmp.bin');
    fs.writeFileSync(img, good);
    const r = await quickCompare(img, c.port, fast);
    expect(r.boards.a).toBeNull();
    expect(r.boards.b?.port).toBe(c.port);
    expect(r.sectors.filter((x) => x === 'diff' || x === 'a-blank' || x === 'b-blank').length).toBe(3);
  });
});
