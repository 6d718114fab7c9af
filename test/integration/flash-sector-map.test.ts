/**
 * On-chip per-sector MD5 maps (block hashes first, sectors inside blocks with data) must equal the
 * digests of the same bytes computed on the host, for every mix of blank and data stretches.
 */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

useTempHome();
const { withBoard } = await import('../../main/flash/index.js');
const { boardSectorMd5s, bufferSectorMd5s } = await import('../../main/flash/sector-map.js');
const { boardFactory } = await import('../support/boards.js');

const boards = boardFactory('m');
afterEach(() => boards.closeAll());

function mixedImage(size: number, seed: number): Uint8Array {
  const img = new Uint8Array(size).fill(0xff);
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
  for (let s = 0; s < size / 4096; s++) {
    // Stretches: whole blocks of data, lone sectors, a single non-0xFF byte at a sector's end.
    const block = Math.floor(s / 16);
    if ((block % 5 === 0 && rnd() < 0.9) || rnd() < 0.08) img.set(crypto.randomBytes(4096), s * 4096);
    else if (rnd() < 0.03) img[s * 4096 + 4095] = 0x00;
  }
  return img;
}

describe('board sector MD5 map', () => {
  for (const seed of [1, 2, 3]) {
    it(`matches host digests for a mixed 1 MB image (seed ${seed}), including an unaligned range`, async () => {
      const img = mixedImage(1 << 20, seed);
      const b = boards.make(img);
      await withBoard({ port: b.port, baud: 921600, after: 'no-reset' }, {}, async ({ session }) => {
        expect(await boardSectorMd5s(session, 0, img.length)).toEqual(bufferSectorMd5s(img));
        const off = 0x3000;
        const len = 0x25000;
        expect(await boardSectorMd5s(session, off, len)).toEqual(
          bufferSectorMd5s(img.subarray(off, off + len)),
        );
      });
    });
  }
});
