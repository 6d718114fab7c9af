/**
 * The second, independent proof of a backup's blank blocks. A block judged blank rests on one
 * SPI_FLASH_MD5 whose offset no checksum covers: damaged on the line, it hashes some other range that
 * happens to be blank, and a block holding data would be saved as 0xFF. The v2 stub echoes nothing of a
 * request, so the only independent witness is another command that reads those bytes again: each run of
 * blank blocks is hashed once more as a whole — another offset and size than any block command —
 * widened where it can be into a neighbour that was read and holds data, so that the expected MD5
 * depends on where the command really read. It must equal the MD5 of what the backup holds there. A run
 * that disagrees is hashed again block by block, what holds data is read (proven against its fresh
 * hash), and the run is checked again; after a few rounds the backup fails loudly.
 *
 * Cost: the blank part of the range is read on the chip a second time (no wire time). Less is not a
 * proof: a byte covered by one command only is covered by whatever that command's damaged offset says.
 */
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';
import { hashPieces, hashRange, isBlankMd5, type Piece } from './block-hashes.js';
import { readProven } from './read-range.js';
import { resync } from './recovery.js';
import { md5Hex, SECTOR } from './sector-map.js';

const ROUNDS = 4;

interface Run {
  /** Indexes into the pieces: [first, last]. */
  first: number;
  last: number;
}

function blankRuns(read: boolean[]): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < read.length; i++) {
    if (read[i]) continue;
    const prev = runs[runs.length - 1];
    if (prev && prev.last === i - 1) prev.last = i;
    else runs.push({ first: i, last: i });
  }
  return runs;
}

/**
 * The range that re-proves a run: the run itself, widened (within one sector) back to the last
 * non-0xFF word of the piece before it, or else forward to the first non-0xFF word of the piece after
 * it, when that piece was read.
 */
function checkRange(image: Uint8Array, base: number, pieces: Piece[], read: boolean[], run: Run): Piece {
  let start = pieces[run.first]!.offset;
  let end = pieces[run.last]!.offset + pieces[run.last]!.size;
  const before = run.first > 0 && read[run.first - 1] ? pieces[run.first - 1]! : null;
  const after = run.last + 1 < pieces.length && read[run.last + 1] ? pieces[run.last + 1]! : null;
  let anchored = false;
  if (before) {
    const from = Math.max(before.offset, start - SECTOR);
    for (let at = start - 1; at >= from; at--) {
      if (image[at - base] !== 0xff) {
        start = Math.max(before.offset, at - (at % 4));
        anchored = true;
        break;
      }
    }
  }
  if (!anchored && after) {
    const upto = Math.min(after.offset + after.size, end + SECTOR);
    for (let at = end; at < upto; at++) {
      if (image[at - base] !== 0xff) {
        end = Math.min(after.offset + after.size, at - (at % 4) + 4);
        break;
      }
    }
  }
  return { offset: start, size: end - start };
}

/**
 * Re-proves every piece not in `read` (judged blank by `md5s`) with a second command of another shape.
 * Pieces found to hold data after all are read into `image` and marked in `read`. Returns the bytes read
 * over the wire for them.
 */
export async function proveBlankRuns(
  session: EspSession,
  image: Uint8Array,
  base: number,
  pieces: Piece[],
  read: boolean[],
  opts: OpOptions = {},
): Promise<number> {
  let extraRead = 0;
  for (let round = 1; ; round++) {
    const runs = blankRuns(read);
    const ranges = runs.map((r) => checkRange(image, base, pieces, read, r));
    const total = ranges.reduce((n, r) => n + r.size, 0);
    const started = performance.now();
    let done = 0;
    const failed: Run[] = [];
    for (let k = 0; k < runs.length; k++) {
      const r = ranges[k]!;
      const want = md5Hex(image.subarray(r.offset - base, r.offset - base + r.size));
      if ((await hashRange(session, r.offset, r.size, opts)) !== want) failed.push(runs[k]!);
      done += r.size;
      opts.onProgress?.({ phase: 'prove', done, total, bytesPerSec: bytesPerSecSince(started, done) });
    }
    if (!failed.length) return extraRead;
    if (round >= ROUNDS) {
      const at = pieces[failed[0]!.first]!.offset;
      throw new FlashbackError(
        'MD5_MISMATCH',
        `Flash from 0x${at.toString(16)} hashes differently each time it is checked (blank by one hash, not by another); nothing was saved`,
        'The line damages commands: lower the baud rate (--baud 115200), use a shorter cable, and run the backup again.',
        { offset: at },
      );
    }
    opts.log?.(
      `The blank range from 0x${pieces[failed[0]!.first]!.offset.toString(16)} did not hash as blank a second time; hashing its blocks again and reading any that hold data.`,
    );
    await resync(session);
    for (const run of failed) {
      const idx = Array.from({ length: run.last - run.first + 1 }, (_, k) => run.first + k);
      const fresh = await hashPieces(
        session,
        idx.map((i) => pieces[i]!),
        opts,
      );
      const data = idx.filter((_, k) => !isBlankMd5(fresh[k]!, pieces[idx[k]!]!.size));
      extraRead += await readProven(
        session,
        image,
        base,
        data.map((i) => pieces[i]!),
        data.map((i) => fresh[idx.indexOf(i)]!),
        opts,
      );
      for (const i of data) read[i] = true;
    }
  }
}
