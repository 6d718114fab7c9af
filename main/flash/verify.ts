/** Verify a board against an image: whole-range MD5 first, per-sector MD5s to say where it differs. */
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { withBoard } from './board-session.js';
import { boardSectorMd5s, bufferSectorMd5s, md5Hex, SECTOR } from './sector-map.js';
import type { BoardTarget } from './types.js';

export interface VerifyResult {
  verified: boolean;
  md5: { image: string; chip: string };
  /** Offsets of differing sectors (empty when verified). */
  diffSectors: number[];
  written: { sectors: number; bytes: number };
  skippedSectors: number;
  seconds: number;
}

/** Compares flash at `offset` with `image` (the image is padded to 4 bytes with 0xFF, as written). */
export async function verifyOnBoard(
  session: EspSession,
  offset: number,
  image: Uint8Array,
  opts: OpOptions = {},
): Promise<Omit<VerifyResult, 'seconds' | 'written' | 'skippedSectors'>> {
  // Writes pad to 4 bytes with 0xFF, so the flash holds those bytes too.
  let padded = image;
  if (image.length % 4) {
    padded = new Uint8Array(image.length + 4 - (image.length % 4)).fill(0xff);
    padded.set(image);
  }
  const chip = Buffer.from(await session.flashMd5(offset, padded.length)).toString('hex');
  const mine = md5Hex(padded);
  if (chip === mine) return { verified: true, md5: { image: mine, chip }, diffSectors: [] };
  const diffSectors: number[] = [];
  if (offset % SECTOR === 0) {
    const whole = Math.floor(padded.length / SECTOR) * SECTOR;
    if (whole > 0) {
      const theirs = await boardSectorMd5s(session, offset, whole, opts);
      const ours = bufferSectorMd5s(padded.subarray(0, whole));
      ours.forEach((h, i) => {
        if (h !== theirs[i]) diffSectors.push(offset + i * SECTOR);
      });
    }
    if (whole < padded.length) diffSectors.push(offset + whole);
  }
  return { verified: false, md5: { image: mine, chip }, diffSectors };
}

export async function verifyBoard(
  target: BoardTarget & { offset?: number },
  image: Uint8Array,
  opts: OpOptions = {},
): Promise<VerifyResult> {
  const started = performance.now();
  if (target.stub === false) {
    throw new FlashbackError(
      'ROM_CANNOT',
      'The ESP8266 ROM loader cannot compute MD5s, so it cannot verify',
      'Run without --no-stub.',
    );
  }
  return withBoard(target, opts, async ({ session }) => {
    const r = await verifyOnBoard(session, target.offset ?? 0, image, opts);
    return {
      ...r,
      written: { sectors: 0, bytes: 0 },
      skippedSectors: 0,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
