/**
 * The real client against the strict virtual board on chips past the ROM's 4 MB descriptor and on
 * mislabelled chips (issue 10 items 1–2, issue 12 item 3): ROM-only writes above 4 MB, backup / restore
 * / verify / live compare of 8 and 16 MB boards, a stub left running with the old 4 MB reach, and JEDEC
 * labels that disagree with the array.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { RawHost, le32, packet } from '../conformance/raw-host.js';

const home = useTempHome();
const { backupBoard, detectBoard, restoreBoard, writeRegion, quickCompare, verifyBoard } =
  await import('../../main/flash/index.js');
const { openVirtualBoard, closeVirtualBoard } = await import('../../main/sim/index.js');
const { FlashbackError } = await import('../../main/errors.js');
const { md5 } = await import('../support/boards.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');

const MB = 1024 * 1024;
const fast = { baud: 921600 } as const;
let names: string[] = [];
let seq = 0;

function board(size: number, flash: Uint8Array, jedecCapacity = Math.log2(size), romSetParams = true) {
  const name = `big${seq++}`;
  names.push(name);
  const shared = openVirtualBoard(name, {
    pace: false,
    romSetParams,
    create: { flash, flashSize: size, jedecId: [0xef, 0x40, jedecCapacity], mac: `18:fe:34:0b:00:${seq}` },
  });
  return { name, port: `virtual:${name}`, shared, flash: () => shared.board.flash.snapshot() };
}

/** Firmware-ish data at the start, RF/system data near the top, blank in between. */
/** A backup of `b` to a file in the test home, outside the library (the tests read its size and MD5). */
function backupTo(b: ReturnType<typeof board>, file: string) {
  return backupBoard({ port: b.port, ...fast, library: null, out: path.join(home, file) });
}

function image(size: number, seed: number): Uint8Array {
  const f = new Uint8Array(size).fill(0xff);
  for (let i = 0; i < 0x30000; i++) f[i] = (i * 31 + seed) & 0xff;
  f[0] = 0xe9;
  f[3] = (size === 16 * MB ? 0x9 : size === 8 * MB ? 0x8 : 0x4) << 4;
  for (let i = size - 0x5000; i < size - 0x1000; i++) f[i] = (i * 7 + seed) & 0xff;
  return f;
}

afterEach(() => {
  for (const n of names) closeVirtualBoard(n);
  names = [];
});

describe('writes above 4 MB', () => {
  const init = Uint8Array.from({ length: 128 }, (_, i) => (i * 5 + 1) & 0xff);

  it('a ROM-only write at 0x7fc000 on an 8 MB chip lands (the ROM descriptor is set first) and touches nothing else', async () => {
    const before = image(8 * MB, 1);
    const b = board(8 * MB, before);
    const r = await writeRegion({ port: b.port, stub: false, offset: 0x7fc000, allowSectorLoss: true }, init);
    expect(r.written.bytes).toBe(0x1000);
    const after = b.flash();
    expect(Array.from(after.subarray(0x7fc000, 0x7fc080))).toEqual(Array.from(init));
    expect(after.subarray(0x7fc080, 0x7fd000).every((x) => x === 0xff)).toBe(true); // ROM: rest of sector erased
    expect(md5(after.subarray(0, 0x7fc000))).toBe(md5(before.subarray(0, 0x7fc000)));
    expect(md5(after.subarray(0x7fd000))).toBe(md5(before.subarray(0x7fd000)));
  });

  it('a stub left running with the old 4 MB reach refuses a write above it before erasing anything', async () => {
    const before = image(8 * MB, 2);
    const b = board(8 * MB, before);
    // An earlier tool started the v2 stub without widening the ROM descriptor, then left.
    const w = b.shared.wire();
    const raw = new RawHost(w);
    w.setSignals({ dtr: false, rts: true });
    w.setSignals({ dtr: true, rts: false });
    await new Promise((r) => setTimeout(r, 20));
    w.setSignals({ dtr: false, rts: false });
    await raw.sync();
    await raw.exchange(packet(0x05, le32(64, 1, 0x1800, 0x4010c500)));
    raw.send(packet(0x06, le32(0, 0x4010c504)));
    await raw.drain(200);
    w.detach();
    expect(b.shared.board.stub).toBe('v2');

    const err = await writeRegion({ port: b.port, before: 'no-reset', offset: 0x7fc000 }, init).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as InstanceType<typeof FlashbackError>).code).toBe('OUT_OF_REACH');
    expect(md5(b.flash())).toBe(md5(before));
  });
});

describe('8 and 16 MB boards end to end', () => {
  for (const size of [8 * MB, 16 * MB]) {
    it(`backs up, restores onto another board and verifies a ${size / MB} MB chip`, async () => {
      const src = buildDemoImage('good', size);
      src.fill(0x3c, size - 0x8000, size - 0x7000); // data only a whole-chip reach can see
      const a = board(size, src);
      const backup = await backupBoard({ port: a.port, ...fast, out: path.join(home, `big-${size}.bin`) });
      expect(backup.size).toBe(size);
      expect(backup.md5).toBe(md5(src));
      expect(backup.info.sizes).toMatchObject({ jedec: size, proven: size, agree: true });

      const target = board(size, buildDemoImage('bad', size));
      const restored = await restoreBoard({ port: target.port, ...fast, image: backup.file, backup: false });
      expect('dryRun' in restored).toBe(false);
      expect(md5(target.flash())).toBe(md5(src));
      const v = await verifyBoard({ port: target.port, ...fast }, fs.readFileSync(backup.file));
      expect(v.verified).toBe(true);
    });
  }

  it('a live compare of two 16 MB boards that differ only at 0xFFC000 reports that sector', async () => {
    const one = image(16 * MB, 5);
    const two = Uint8Array.from(one);
    two.fill(0x00, 0xffc000, 0xffc080);
    const a = board(16 * MB, one);
    const b = board(16 * MB, two);
    const r = await quickCompare(a.port, b.port, fast);
    expect(r.summary).not.toMatch(/identical/);
    expect(r.sectors[0xffc000 / 0x1000]).toBe('diff');
    expect(r.counts.diff).toBe(1);
    expect(r.compared).toEqual({ offset: 0, size: 16 * MB, total: 16 * MB });
  });

  it('a compare limited by a stub left running says which range it compared, never "identical"', async () => {
    const one = image(16 * MB, 6);
    const two = Uint8Array.from(one);
    two.fill(0x00, 0xffc000, 0xffc080);
    const a = board(16 * MB, one);
    const b = board(16 * MB, two);
    for (const x of [a, b]) {
      const w = x.shared.wire();
      const raw = new RawHost(w);
      w.setSignals({ dtr: false, rts: true });
      w.setSignals({ dtr: true, rts: false });
      await new Promise((r) => setTimeout(r, 20));
      w.setSignals({ dtr: false, rts: false });
      await raw.sync();
      await raw.exchange(packet(0x05, le32(64, 1, 0x1800, 0x4010c500)));
      raw.send(packet(0x06, le32(0, 0x4010c504)));
      await raw.drain(200);
      w.detach();
    }
    const r = await quickCompare(a.port, b.port, { before: 'no-reset' });
    expect(r.compared).toEqual({ offset: 0, size: 4 * MB, total: 16 * MB });
    expect(r.summary).not.toMatch(/The two flashes are identical/);
    expect(r.summary).toMatch(/Only 0x0–0x3fffff \(4 MB of 16 MB\) was compared/);
  });
});

describe('labels that lie', () => {
  it('a 1 MB array labelled 4 MB: detect shows header, JEDEC and proven size side by side; the backup is 1 MB', async () => {
    const real = image(1 * MB, 7);
    real[3] = 0x40; // header says 4 MB as well
    const b = board(1 * MB, real, 0x16);
    const d = await detectBoard({ port: b.port });
    expect(d.sizes).toMatchObject({
      header: 4 * MB,
      jedec: 4 * MB,
      proven: 1 * MB,
      used: 1 * MB,
      agree: false,
    });
    expect(d.flash.size).toBe(1 * MB);
    const backup = await backupTo(b, 'mirror.bin');
    expect(backup.size).toBe(1 * MB);
    expect(backup.md5).toBe(md5(real));
  });

  it('a 4 MB array labelled 1 MB: the proven 4 MB is backed up whole', async () => {
    const real = image(4 * MB, 8);
    real[3] = 0x20; // header: 1 MB
    const b = board(4 * MB, real, 0x14);
    const backup = await backupTo(b, 'big.bin');
    expect(backup.info.sizes).toMatchObject({ header: 1 * MB, jedec: 1 * MB, proven: 4 * MB, agree: false });
    expect(backup.size).toBe(4 * MB);
    expect(backup.md5).toBe(md5(real));
  });

  it('a blank chip cannot be measured: the label is kept and that is said', async () => {
    const b = board(1 * MB, new Uint8Array(1 * MB).fill(0xff), 0x16);
    const d = await detectBoard({ port: b.port });
    expect(d.sizes).toMatchObject({ jedec: 4 * MB, proven: null, used: 4 * MB });
    expect(d.sizes?.note).toMatch(/blank/);
  });
});

describe('a ROM that does not take SPI_SET_PARAMS (unknown-command reply, previous opcode)', () => {
  const init = Uint8Array.from({ length: 128 }, (_, i) => (i * 3 + 7) & 0xff);

  it('a 4 MB board is still backed up whole (the unknown-command reply is taken as a refusal, not waited out)', async () => {
    const src = image(4 * MB, 9);
    const b = board(4 * MB, src, 0x16, false);
    const backup = await backupTo(b, 'noset.bin');
    expect(backup.size).toBe(4 * MB);
    expect(backup.md5).toBe(md5(src));
  });

  it('on an 8 MB board a write above 4 MB is refused before anything is erased, ROM-only or with the stub', async () => {
    const before = image(8 * MB, 10);
    const b = board(8 * MB, before, 0x17, false);
    for (const stub of [false, true]) {
      const err = await writeRegion(
        { port: b.port, stub, offset: 0x7fc000, allowSectorLoss: true },
        init,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlashbackError);
      expect((err as InstanceType<typeof FlashbackError>).code).toBe('OUT_OF_REACH');
    }
    expect(md5(b.flash())).toBe(md5(before));
    // Below the ROM's 4 MB it still writes.
    const r = await writeRegion({ port: b.port, stub: false, offset: 0x3fc000, allowSectorLoss: true }, init);
    expect(r.written.bytes).toBe(0x1000);
    expect(Array.from(b.flash().subarray(0x3fc000, 0x3fc080))).toEqual(Array.from(init));
  });
});
