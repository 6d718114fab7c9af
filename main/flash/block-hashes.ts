/**
 * On-chip MD5s of 64 KiB blocks (pieces of a range cut at block edges), each taken by its own
 * SPI_FLASH_MD5 command. They are the floor of every plan (one on-chip pass over the chip, one exchange
 * per block) and, being separate commands with their own offsets, the independent proof of every read:
 * a READ_FLASH whose offset was damaged on the line returns data that does not match its block's hash.
 */
import { throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';
import { isRetryable, resync } from './recovery.js';
import { blankMd5, md5Hex } from './sector-map.js';

export const BLOCK = 0x10000;
const HASH_ATTEMPTS = 6;

export interface Piece {
  offset: number;
  size: number;
}

/** [offset, offset+size) cut at 64 KiB boundaries. */
export function piecesOf(offset: number, size: number): Piece[] {
  const out: Piece[] = [];
  for (let at = offset; at < offset + size;) {
    const end = Math.min(offset + size, (Math.floor(at / BLOCK) + 1) * BLOCK);
    out.push({ offset: at, size: end - at });
    at = end;
  }
  return out;
}

export function isBlankMd5(md5: string, size: number): boolean {
  return md5 === blankMd5(size);
}

/** MD5 of each piece of `bytes`, whose byte 0 is flash `base`. */
export function bufferPieceMd5s(bytes: Uint8Array, base: number, pieces: Piece[]): string[] {
  return pieces.map((p) => md5Hex(bytes.subarray(p.offset - base, p.offset - base + p.size)));
}

/** One on-chip MD5, retried (after resynchronising) when the exchange is damaged. */
export async function hashRange(
  session: EspSession,
  offset: number,
  size: number,
  opts: OpOptions = {},
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(opts.signal, 'Hashing flash');
    try {
      return Buffer.from(await session.flashMd5(offset, size)).toString('hex');
    } catch (e) {
      if (!isRetryable(e) || attempt >= HASH_ATTEMPTS) throw e;
      opts.log?.(`MD5 of 0x${offset.toString(16)} failed (${(e as Error).message}); retrying.`);
      await resync(session);
    }
  }
}

/** On-chip MD5 of each piece, in order, with progress. */
export async function hashPieces(
  session: EspSession,
  pieces: Piece[],
  opts: OpOptions = {},
): Promise<string[]> {
  const total = pieces.reduce((n, p) => n + p.size, 0);
  const started = performance.now();
  const out: string[] = [];
  let done = 0;
  for (const p of pieces) {
    out.push(await hashRange(session, p.offset, p.size, opts));
    done += p.size;
    opts.onProgress?.({
      phase: 'hash',
      done,
      total,
      bytesPerSec: bytesPerSecSince(started, done),
    });
  }
  return out;
}
