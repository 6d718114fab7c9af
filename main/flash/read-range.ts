/**
 * Reads sector runs in verified chunks: each chunk is one READ_FLASH whose data the stub's MD5 checks;
 * a chunk that fails (lost bytes, timeout, bad MD5) is retried from its own offset.
 */
import { FlashbackError, throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { runsOf, SECTOR } from './sector-map.js';

export const READ_CHUNK = 0x40000;
const ATTEMPTS = 3;

const RETRYABLE = new Set(['TIMEOUT', 'GARBAGE', 'MD5_MISMATCH', 'COMMAND_FAILED']);

/** Fills `image` (whose byte 0 is flash `offset`) with the given sectors; returns bytes read. */
export async function readSectorsInto(
  session: EspSession,
  image: Uint8Array,
  offset: number,
  sectors: number[],
  opts: OpOptions,
): Promise<number> {
  const total = sectors.reduce((n, i) => n + Math.min(SECTOR, image.length - i * SECTOR), 0);
  let done = 0;
  const started = performance.now();
  for (const [first, count] of runsOf(sectors)) {
    const runStart = first * SECTOR;
    const runEnd = Math.min(image.length, (first + count) * SECTOR);
    for (let at = runStart; at < runEnd; at += READ_CHUNK) {
      const len = Math.min(READ_CHUNK, runEnd - at);
      const base = done;
      for (let attempt = 1; ; attempt++) {
        throwIfAborted(opts.signal, 'Backup');
        try {
          const bytes = await session.readFlash(offset + at, len, {
            onProgress: (p) =>
              opts.onProgress?.({
                phase: 'read',
                done: base + p.done,
                total,
                bytesPerSec: (base + p.done) / Math.max(0.001, (performance.now() - started) / 1000),
              }),
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          image.set(bytes, at);
          break;
        } catch (e) {
          const code = e instanceof FlashbackError ? e.code : '';
          if (!RETRYABLE.has(code) || attempt >= ATTEMPTS) throw e;
          opts.log?.(
            `Read at 0x${(offset + at).toString(16)} failed (${(e as Error).message}); retrying that chunk (${attempt + 1}/${ATTEMPTS}).`,
          );
        }
      }
      done += len;
    }
  }
  return total;
}
