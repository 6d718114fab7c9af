/**
 * Every byte proven: host → board corruption of command headers (a READ_FLASH or FLASH_BEGIN offset
 * flipped on the line, which no checksum covers) never yields a wrong backup or a write reported as
 * verified while something outside the plan changed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults } from '../../main/sim/faults.js';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const { backupBoard, executeRestore, verifyBoard, writeRegion } = await import('../../main/flash/index.js');
const { FlashbackError } = await import('../../main/errors.js');
const { boardFactory, demo, md5, MB4 } = await import('../support/boards.js');

const boards = boardFactory('proof');
afterEach(() => boards.closeAll());

function dense(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) out.set(crypto.randomBytes(Math.min(65536, size - i)), i);
  return out;
}

describe('reads are proven by an independent on-chip MD5', () => {
  it('a dense backup whose READ_FLASH offset is flipped on the line is still exact', async () => {
    const flash = dense(MB4);
    // Byte 1 of the 20th READ_FLASH's offset: the data would come from 0x1900 bytes further on.
    const b = boards.make(flash, { faults: parseFaults(['header:READ_FLASH:1:20:0x19']) });
    const logs: string[] = [];
    const out = path.join(home, 'dense.bin');
    const r = await backupBoard(
      { port: b.port, baud: 921600, out, library: null },
      { log: (l) => logs.push(l) },
    );
    expect(md5(fs.readFileSync(out))).toBe(md5(flash));
    expect(r.md5).toBe(md5(flash));
    // The block's range did not hash as read, so it was hashed alone and read again against that hash.
    expect(logs.some((l) => /range 0x120000–0x12ffff does not hash as read/.test(l))).toBe(true);
  });

  it('a sparse backup whose block hash offset is flipped is still exact', async () => {
    const b = boards.make(demo.good, { faults: parseFaults(['header:SPI_FLASH_MD5:2:3:0x01']) });
    const r = await backupBoard({ port: b.port, baud: 921600, library: null });
    expect(r.md5).toBe(md5(demo.good));
  });
});

describe('blank blocks are proven by a hash anchored in data, or by two commands of different shapes', () => {
  // Boot data at 0x0, 64 KiB of data at 0x210000, the rest blank: an MD5 at 0x210000 with bit 20 of its
  // offset flipped hashes 0x310000, which is blank.
  function sparse(): Uint8Array {
    const flash = new Uint8Array(MB4).fill(0xff);
    flash.set(crypto.randomBytes(0x3000), 0);
    flash.set(crypto.randomBytes(0x10000), 0x210000);
    flash[0x21ffff] = 0; // its last word is not blank
    return flash;
  }
  const aimed = { op: 0x13, byte: 2, xor: 0x10, offset: 0x210000 } as const;

  it('a sample whose offset is flipped onto a blank block does not make a data block blank', async () => {
    const flash = sparse();
    // The first MD5 at 0x210000 is the block's sample: flipped, it sees blank flash at 0x310000.
    const b = boards.make(flash, { faults: { corruptHeader: aimed } });
    const logs: string[] = [];
    const r = await backupBoard({ port: b.port, baud: 921600, library: null }, { log: (l) => logs.push(l) });
    expect(r.md5).toBe(md5(flash));
    // No data seen after block 0: the blank rest is hashed from block 0's last word, and holds data.
    expect(logs.some((l) => /blank range from 0x10000 does not hash as blank/.test(l))).toBe(true);
  });

  it("a range's own MD5 with its offset flipped costs a fallback, not a wrong backup", async () => {
    const flash = sparse();
    // The blank blocks from 0x10000 and the data block at 0x210000 are one range; its MD5 is the second
    // one at 0x10000 (the first is block 1's sample). Flipped, it hashes 0x110000–0x31ffff.
    const b = boards.make(flash, {
      faults: { corruptHeader: { op: 0x13, byte: 2, xor: 0x10, offset: 0x10000, nth: 2 } },
    });
    const logs: string[] = [];
    const r = await backupBoard({ port: b.port, baud: 921600, library: null }, { log: (l) => logs.push(l) });
    expect(r.md5).toBe(md5(flash));
    expect(logs.some((l) => /range 0x10000–0x21ffff does not hash as read/.test(l))).toBe(true);
  });

  it('data the sample cannot see (mid-block, first page blank) is found by the fallback, even with its second check damaged', async () => {
    const flash = sparse();
    flash.fill(0xff, 0x210000, 0x210100); // the block's first page is blank: the sample says "blank"
    // The fallback proves the run after the block from its last non-0xFF word, 0x21fffc; flipped once.
    const b = boards.make(flash, {
      faults: { corruptHeader: { op: 0x13, byte: 2, xor: 0x10, offset: 0x21fffc } },
    });
    const logs: string[] = [];
    const r = await backupBoard({ port: b.port, baud: 921600, library: null }, { log: (l) => logs.push(l) });
    expect(r.md5).toBe(md5(flash));
    expect(logs.some((l) => /blank range from 0x10000 does not hash as blank/.test(l))).toBe(true);
    expect(logs.some((l) => /from 0x220000 did not hash as blank a second time/.test(l))).toBe(true);
  });

  it('a range that starts and ends off the block edges is proven and exact', async () => {
    const flash = sparse();
    flash.fill(0x11, 0x1ff000, 0x1ff003); // data just before the odd start
    const b = boards.make(flash, { faults: { corruptHeader: aimed } });
    const out = path.join(home, 'odd.bin');
    const r = await backupBoard({
      port: b.port,
      baud: 921600,
      library: null,
      out,
      offset: 0x1ff002,
      size: 0x41ffe,
    });
    expect(r.md5).toBe(md5(flash.subarray(0x1ff002, 0x241000)));
  });

  it('a line that damages the same hash every time fails loudly, with nothing saved', async () => {
    const flash = sparse();
    const out = path.join(home, 'never.bin');
    const b = boards.make(flash, { faults: { corruptHeader: { ...aimed, every: true } } });
    const err = await backupBoard({ port: b.port, baud: 921600, library: null, out }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'MD5_MISMATCH' });
    expect((err as Error).message).toMatch(/nothing was saved/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('verify is not passed by one damaged hash', () => {
  it('a blank file checked where data lies is not verified when the MD5 offset is flipped onto blank flash', async () => {
    const flash = new Uint8Array(MB4).fill(0xff);
    flash.set(crypto.randomBytes(0x10000), 0x210000);
    const b = boards.make(flash, {
      faults: { corruptHeader: { op: 0x13, byte: 2, xor: 0x10, offset: 0x210000 } },
    });
    const blank = new Uint8Array(0x10000).fill(0xff);
    const r = await verifyBoard({ port: b.port, baud: 921600, offset: 0x210000 }, blank);
    expect(r.verified).toBe(false);
    expect(r.diffSectors).toHaveLength(16);
    expect(r.diffSectors[0]).toBe(0x210000);
  });
});

describe('writes end with an audit: nothing outside the plan changes unnoticed', () => {
  it('a raw write whose FLASH_DEFL_BEGIN offset is flipped to 0 is never reported as verified', async () => {
    const flash = demo.good;
    const b = boards.make(flash, { faults: parseFaults(['header:FLASH_DEFL_BEGIN:14:1:0x10']) });
    const data = new Uint8Array(0x40000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0x3f; // compressible, so FLASH_DEFL_*
    const err = await writeRegion({ port: b.port, baud: 921600, offset: 0x100000 }, data).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlashbackError);
    expect(err).toMatchObject({ code: 'OUTSIDE_PLAN_CHANGED' });
    // The whole chip was hashed before writing, so the audit names where the data really went.
    const changed = (err as InstanceType<typeof FlashbackError>).details?.changedOutside as number[];
    expect(changed).toContain(0);
    // The damage really happened (at 0x0): the point is that it was reported, not hidden.
    expect(md5(b.flash().subarray(0, 0x40000))).not.toBe(md5(flash.subarray(0, 0x40000)));
  });

  it('a restore whose write offset is flipped names the sectors outside the plan and the backup to undo', async () => {
    const erased = new Uint8Array(MB4).fill(0xff);
    const b = boards.make(erased, { faults: parseFaults(['header:FLASH_DEFL_BEGIN:14:1:0x20']) });
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, demo.good);
    const before = b.flash();
    const err = await executeRestore({ port: b.port, baud: 921600, image: img }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OUTSIDE_PLAN_CHANGED' });
    const changed = (err as InstanceType<typeof FlashbackError>).details?.changedOutside as number[];
    expect(changed.length).toBeGreaterThan(0);
    const after = b.flash();
    for (const at of changed)
      expect(md5(after.subarray(at, at + 4096))).not.toBe(md5(before.subarray(at, at + 4096)));
    expect((err as InstanceType<typeof FlashbackError>).hint).toMatch(
      /flashback restore --port .* --image [0-9a-f]{12}/,
    );
  });

  it('a write damaged on the line is audited, then retried, and ends exact', async () => {
    // A period that does not divide evenly into the rounds: with a strictly periodic fault, a retry
    // round whose audit takes a fixed number of frames can meet the damage at the same frame of its
    // write every time (40 does with this plan, 34 did before), which real line noise never does.
    const b = boards.make(demo.bad, { faults: parseFaults(['corrupt-frame-every:41@to-board']) });
    const img = path.join(home, 'good2.bin');
    fs.writeFileSync(img, demo.good);
    const logs: string[] = [];
    const r = await executeRestore(
      { port: b.port, baud: 921600, image: img, backup: false, full: true },
      { log: (l) => logs.push(l) },
    );
    expect(r.verified).toBe(true);
    expect(logs.some((l) => /checking the whole plan before trying again/.test(l))).toBe(true);
    expect(md5(b.flash())).toBe(md5(demo.good));
  });
});
