/**
 * Fault injection on the virtual link: a backup is either byte-exact or fails loudly; a restore never
 * reports success unless the board's flash matches the image.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../main/sim/index.js';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const { backupBoard, executeRestore, withBoard } = await import('../../main/flash/index.js');
const { hashRange } = await import('../../main/flash/block-hashes.js');
const { FlashbackError } = await import('../../main/errors.js');
const { boardFactory, demo, md5 } = await import('../support/boards.js');

const { good, bad } = demo;
const boards = boardFactory('f');
afterEach(() => boards.closeAll());
const board = (flash: Uint8Array, faults: FaultOptions) => boards.make(flash, { faults });

const LOUD = new Set([
  'MD5_MISMATCH',
  'GARBAGE',
  'TIMEOUT',
  'COMMAND_FAILED',
  'PORT_CLOSED',
  'NOT_IN_BOOTLOADER',
]);

describe('fault injection', () => {
  for (const faults of [
    { corruptEvery: 40_000, direction: 'to-host' as const },
    { dropEvery: 60_000, direction: 'to-host' as const },
    { corruptNth: 200_000 },
    { disconnectAfter: 120_000 },
  ]) {
    it(`backup is byte-exact or fails loudly (${JSON.stringify(faults)})`, async () => {
      const b = board(good, faults);
      const out = path.join(home, `b${b.name}.bin`);
      try {
        const r = await backupBoard({ port: b.port, baud: 921600, out, library: null });
        expect(r.md5).toBe(md5(good));
        expect(md5(fs.readFileSync(out))).toBe(md5(good));
      } catch (e) {
        expect(e).toBeInstanceOf(FlashbackError);
        expect(LOUD.has((e as InstanceType<typeof FlashbackError>).code)).toBe(true);
        expect(fs.existsSync(out)).toBe(false);
      }
    });
  }

  it('retries a corrupted read chunk from its offset and still gets every byte', async () => {
    // Corrupt one byte well inside the read phase, board → host.
    const b = board(good, { corruptNth: 150_000, direction: 'to-host' });
    const logs: string[] = [];
    const r = await backupBoard({ port: b.port, baud: 921600, library: null }, { log: (l) => logs.push(l) });
    expect(r.md5).toBe(md5(good));
    expect(logs.some((l) => /retrying it in pieces|hashing and reading it again/.test(l))).toBe(true);
  });

  for (const faults of [
    { corruptEvery: 30_000, direction: 'to-board' as const },
    { dropNth: 90_000, direction: 'to-board' as const },
    { disconnectAfter: 100_000 },
  ]) {
    it(`restore never reports success on a board that does not match (${JSON.stringify(faults)})`, async () => {
      const b = board(bad, faults);
      const img = path.join(home, `img${b.name}.bin`);
      fs.writeFileSync(img, good);
      let verified = false;
      try {
        const r = await executeRestore({ port: b.port, baud: 921600, image: img, backup: false, full: true });
        verified = r.verified;
      } catch (e) {
        expect(e).toBeInstanceOf(FlashbackError);
      }
      const matches = md5(b.shared.board.flash.snapshot()) === md5(good);
      if (verified) expect(matches).toBe(true);
    });
  }

  it('a delimiter lost on the way in does not silence the stub for the rest of the job', async () => {
    // The start of a frame whose closing C0 was lost: the stub's receiver now takes each closing C0 for
    // an opening one and drops every later command, until the retry puts it back in phase.
    const b = board(good, {});
    const logs: string[] = [];
    const md5OfFirstBlock = await withBoard(
      { port: b.port, baud: 921600, after: 'no-reset' },
      {},
      async ({ session, link }) => {
        await link.write(Uint8Array.of(0xc0, 0x00, 0x08, 0x04));
        return hashRange(session, 0, 0x10000, { log: (l) => logs.push(l) });
      },
    );
    expect(md5OfFirstBlock).toBe(md5(good.subarray(0, 0x10000)));
    expect(logs).toHaveLength(1); // one lost command, then the resynchronised retry answered
    expect(logs[0]).toMatch(/MD5 of 0x0 failed \(Timed out/);
  });
});
