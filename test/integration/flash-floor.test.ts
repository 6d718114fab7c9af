/**
 * Plan at the floor (issue 12 item 5), counted on the virtual board rather than timed: a restore onto a
 * board that differs everywhere reads the chip about once (the plan samples, the audit proves), erases
 * whole blocks in few commands, and stays as safe as a plan that hashed every block.
 */
import crypto, { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const { backupBoard, executeRestore, withBoard, writeRegion } = await import('../../main/flash/index.js');
const { planDiff } = await import('../../main/flash/diff-plan.js');
const { writeProven } = await import('../../main/flash/sector-writer.js');
const { boardFactory, demo, md5, MB4 } = await import('../support/boards.js');

const boards = boardFactory('floor');
afterEach(() => boards.closeAll());

const BLOCK = 0x10000;
const fast = { baud: 921600, after: 'no-reset' } as const;

function dense(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += BLOCK) out.set(crypto.randomBytes(BLOCK), i);
  return out;
}

describe('a restore onto a board that differs everywhere', () => {
  it('reads the chip about once: the plan samples a page per block, the audit hashes each byte once', async () => {
    const b = boards.make(dense(MB4));
    const counters = b.shared.board.flash.counters;
    let eraseCommands = 0;
    let planRead = 0;
    await withBoard({ port: b.port, ...fast }, {}, async ({ session }) => {
      const erase = session.eraseRegion.bind(session);
      session.eraseRegion = (...args) => {
        eraseCommands++;
        return erase(...args);
      };
      const r0 = counters.bytesRead;
      const plan = await planDiff(session, 0, demo.good, { scope: 'chip' });
      planRead = counters.bytesRead - r0;
      expect(plan.write.length).toBe(MB4 / 4096);
      const r1 = counters.bytesRead;
      const e0 = { block: counters.blockErases, sector: counters.sectorErases };
      await writeProven(session, plan, demo.good, { eraseBlank: true, undoHint: '' });
      // The audit: one pass over the chip (every block written, so a few MD5s over runs of them), plus
      // the stub's look at each sector it writes into a block erased beforehand (blocks not full of
      // data; full ones its own stream erases).
      expect(counters.bytesRead - r1).toBeGreaterThanOrEqual(MB4);
      expect(counters.bytesRead - r1).toBeLessThanOrEqual(MB4 + 24 * 4096);
      expect(counters.blockErases - e0.block).toBe(MB4 / BLOCK);
      expect(counters.sectorErases - e0.sector).toBe(0);
    });
    // Two blocks hashed whole (to see the board differs), then a page per block.
    expect(planRead).toBeLessThanOrEqual(2 * BLOCK + 4 * 4096 + (MB4 / BLOCK) * 256);
    // Whole blocks in a row are erased two per command (or by the write itself), not one by one.
    expect(eraseCommands).toBeLessThanOrEqual(MB4 / BLOCK / 2);
    expect(md5(b.flash())).toBe(md5(demo.good));
  });

  it('a block that matches the image amid differing ones is found by its hash and left alone', async () => {
    const flash = dense(MB4);
    // Block 20 equals the image; in block 30 only sector 5 differs (its first sector matches).
    flash.set(demo.good.subarray(20 * BLOCK, 21 * BLOCK), 20 * BLOCK);
    flash.set(demo.good.subarray(30 * BLOCK, 31 * BLOCK), 30 * BLOCK);
    flash.fill(0x11, 30 * BLOCK + 5 * 4096, 30 * BLOCK + 6 * 4096);
    const b = boards.make(flash);
    await withBoard({ port: b.port, ...fast }, {}, async ({ session }) => {
      const plan = await planDiff(session, 0, demo.good, { scope: 'chip' });
      const inBlock = (n: number) => plan.write.filter((s) => Math.floor(s / 16) === n);
      expect(inBlock(20)).toEqual([]);
      expect(inBlock(30)).toEqual([30 * 16 + 5]);
      expect(inBlock(40)).toHaveLength(16);
      await writeProven(session, plan, demo.good, { eraseBlank: true, undoHint: '' });
    });
    expect(md5(b.flash())).toBe(md5(demo.good));
  });

  it('a block left out of the plan that changes anyway is still named by the audit', async () => {
    const flash = dense(MB4);
    flash.set(demo.good.subarray(20 * BLOCK, 21 * BLOCK), 20 * BLOCK);
    const b = boards.make(flash);
    await withBoard({ port: b.port, ...fast }, {}, async ({ session }) => {
      const plan = await planDiff(session, 0, demo.good, { scope: 'chip' });
      // Something else writes into the block the plan leaves alone (a damaged command would).
      b.shared.board.flash.program(20 * BLOCK + 0x2000, Uint8Array.of(0));
      const err = await writeProven(session, plan, demo.good, { eraseBlank: true, undoHint: 'undo' }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({
        code: 'OUTSIDE_PLAN_CHANGED',
        details: { changedOutside: [20 * BLOCK + 0x2000] },
      });
    });
  });

  it('with the automatic backup, the blocks the plan did not hash are hashed for the backup and it is exact', async () => {
    const flash = dense(MB4);
    const b = boards.make(flash);
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, demo.good);
    const r = await executeRestore({ port: b.port, ...fast, image: img });
    expect(r.verified).toBe(true);
    expect(r.backupId).toBe(createHash('sha256').update(flash).digest('hex'));
    expect(md5(b.flash())).toBe(md5(demo.good));
  });
});

describe('a restore onto an erased board', () => {
  it('erases nothing: the plan saw the blocks blank, so only the pages with data are programmed', async () => {
    const b = boards.make(new Uint8Array(MB4).fill(0xff));
    const img = path.join(home, 'good-erased.bin');
    fs.writeFileSync(img, demo.good);
    const r = await executeRestore({ port: b.port, ...fast, image: img, backup: false });
    expect(r.verified).toBe(true);
    const c = b.shared.board.flash.counters;
    expect(c.blockErases + c.sectorErases + c.chipErases).toBe(0);
    expect(md5(b.flash())).toBe(md5(demo.good));
  });
});

describe('a small write proven over the whole chip', () => {
  it('hashes the blocks it does not reach a quarter megabyte at a time, before and after', async () => {
    const b = boards.make(demo.good);
    const uart = b.shared.board.uart;
    const exchange = uart.exchange.bind(uart);
    let exchanges = 0;
    uart.exchange = () => {
      exchanges++;
      exchange();
    };
    const counters = b.shared.board.flash.counters;
    const r0 = counters.bytesRead;
    const init = new Uint8Array(4096).fill(0x5a);
    const r = await writeRegion({ port: b.port, ...fast, offset: MB4 - 0x4000 }, init);
    expect(r.verified).toBe(true);
    // Both passes still read the whole chip (the proof), but in 256 KiB pieces outside the written
    // block: about 16 MD5s a pass instead of 64 (connect and the block's own sectors on top).
    expect(counters.bytesRead - r0).toBeGreaterThanOrEqual(2 * MB4);
    expect(exchanges).toBeLessThan(130);
    const after = b.flash();
    expect(md5(after.subarray(MB4 - 0x4000, MB4 - 0x3000))).toBe(md5(init));
    expect(md5(after.subarray(0, MB4 - 0x4000))).toBe(md5(demo.good.subarray(0, MB4 - 0x4000)));
  });
});

describe('a sparse backup reads each byte on the chip about once', () => {
  async function backupCounted(flash: Uint8Array) {
    const b = boards.make(flash);
    const counters = b.shared.board.flash.counters;
    const logs: string[] = [];
    const r0 = counters.bytesRead;
    const r = await backupBoard({ port: b.port, ...fast, library: null }, { log: (l) => logs.push(l) });
    return { md5: r.md5, chipRead: counters.bytesRead - r0, logs };
  }

  it('the typical image: at most 1.1 × the flash on the chip (connect included), and exact', async () => {
    const r = await backupCounted(demo.good);
    expect(r.md5).toBe(md5(demo.good));
    // Every byte is proven by one anchored range MD5 (once), the data is read a second time.
    expect(r.chipRead).toBeGreaterThanOrEqual(MB4);
    expect(r.chipRead).toBeLessThanOrEqual(1.1 * MB4);
    expect(r.logs).toEqual([]);
  });

  it('a file in a LittleFS block inside a 64 KiB block is seen by the FS samples: no fallback', async () => {
    const flash = Uint8Array.from(demo.good);
    flash.set(crypto.randomBytes(0x1800), 0x2a2000); // the FS's 8 KiB block 0x51, mid-way in block 0x2a
    const r = await backupCounted(flash);
    expect(r.md5).toBe(md5(flash));
    expect(r.logs).toEqual([]);
    expect(r.chipRead).toBeLessThanOrEqual(1.1 * MB4);
  });

  it('data the sample cannot see (the second half of a LittleFS block) is found, read and proven: exact, for the cost of its range', async () => {
    const flash = Uint8Array.from(demo.good);
    flash.set(crypto.randomBytes(0x800), 0x2a3000); // no block, FS block or sector of the last block starts here
    const r = await backupCounted(flash);
    expect(r.md5).toBe(md5(flash));
    expect(r.logs.some((l) => /range 0x210000–0x3fffff does not hash as read/.test(l))).toBe(true);
    // The missed range (0x210000–0x3fffff) is hashed block by block, then its blank runs proven again.
    expect(r.chipRead).toBeLessThanOrEqual(1.1 * MB4 + 2 * (MB4 - 0x210000) + BLOCK);
  });

  it('a dense board costs what it did: one hash and one read per block', async () => {
    const flash = dense(MB4);
    const r = await backupCounted(flash);
    expect(r.md5).toBe(md5(flash));
    expect(r.chipRead).toBeLessThanOrEqual(2 * MB4 + 0x10000);
  });
});
