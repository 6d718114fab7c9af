/**
 * Fault injection on the virtual link: a backup is either byte-exact or fails loudly; a restore never
 * reports success unless the board's flash matches the image.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const { backupBoard, executeRestore } = await import('../../main/flash/index.js');
const { openVirtualBoard, closeVirtualBoard } = await import('../../main/sim/index.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { FlashbackError } = await import('../../main/errors.js');

const MB4 = 4 * 1024 * 1024;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const good = buildDemoImage('good', MB4);
const bad = buildDemoImage('bad', MB4);
let seq = 0;
const names: string[] = [];
afterEach(() => names.splice(0).forEach((n) => closeVirtualBoard(n)));

function board(flash: Uint8Array, faults: NonNullable<Parameters<typeof openVirtualBoard>[1]>['faults']) {
  const name = `f${seq++}`;
  names.push(name);
  const shared = openVirtualBoard(name, {
    pace: false,
    faults,
    create: { flash: Uint8Array.from(flash), flashSize: flash.length },
  });
  return { port: `virtual:${name}`, shared };
}

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
      const out = path.join(home, `b${seq}.bin`);
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
    expect(logs.some((l) => /retrying that chunk/.test(l))).toBe(true);
  });

  for (const faults of [
    { corruptEvery: 30_000, direction: 'to-board' as const },
    { dropNth: 90_000, direction: 'to-board' as const },
    { disconnectAfter: 100_000 },
  ]) {
    it(`restore never reports success on a board that does not match (${JSON.stringify(faults)})`, async () => {
      const b = board(bad, faults);
      const img = path.join(home, `img${seq}.bin`);
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
});
