/**
 * Proven reads: every byte a backup keeps is checked twice — by the stub's MD5 of what it sent (line
 * damage) and by the block's own on-chip MD5, taken by a separate command with the offset the host
 * intended (a READ_FLASH whose offset was damaged on the way returns the wrong, self-consistent data).
 * A failed read is retried after resynchronising, in smaller pieces while the line stays bad; a block
 * whose data disagrees with its hash is hashed again and read again.
 */
import { createHash, type Hash } from 'node:crypto';
import { FlashbackError, throwIfAborted } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';
import { hashPieces, hashRange, piecesOf, type Piece } from './block-hashes.js';
import { isRetryable, PieceSize, resync } from './recovery.js';
import { md5Hex } from './sector-map.js';

const BLANK = new Uint8Array(0x10000).fill(0xff);
/** Feeds `n` bytes of 0xFF to `h` (a whole blank range is never allocated). */
export function updateBlank(h: Hash, n: number): Hash {
  for (let left = n; left > 0; left -= BLANK.length)
    h.update(BLANK.subarray(0, Math.min(left, BLANK.length)));
  return h;
}

/**
 * What a read may stop on: the on-chip MD5 of a range that holds the piece, taken by its own command.
 * Once the bytes read so far, with the rest of the range held as 0xFF, give that MD5, the rest is blank.
 */
export interface StopProof {
  /** MD5 state of the range's bytes before the piece, as the host holds them. */
  head: Hash;
  /** Bytes of the range after the piece (held as 0xFF unless read before). */
  after: number;
  expected: string;
}

export const READ_CHUNK = 0x10000;
const MIN_READ = 0x1000;
/** Failed reads of one sub-piece before giving up (each at a smaller size). */
const READ_ATTEMPTS = 12;
/** Times one block may disagree with a fresh hash of itself before the backup fails loudly. */
const PROOF_ATTEMPTS = 4;

export interface ReadState {
  size: PieceSize;
  done: number;
  total: number;
  started: number;
}

/** Progress and the adaptive read size shared by the reads of one job of `total` bytes. */
export function newReadState(total: number): ReadState {
  return { size: new PieceSize(READ_CHUNK, MIN_READ), done: 0, total, started: performance.now() };
}

/**
 * Fills `image` (byte 0 = flash `base`) with the given pieces, each proven against `md5s[i]` (its on-chip
 * hash). Returns the bytes read over the wire for the kept data.
 */
export async function readProven(
  session: EspSession,
  image: Uint8Array,
  base: number,
  pieces: Piece[],
  md5s: string[],
  opts: OpOptions,
): Promise<number> {
  const st = newReadState(pieces.reduce((n, p) => n + p.size, 0));
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    let expected = md5s[i]!;
    for (let proof = 1; ; proof++) {
      const bytes = await readPiece(session, p, { head: createHash('md5'), after: 0, expected }, st, opts);
      if (md5Hex(bytes) === expected) {
        image.set(bytes, p.offset - base);
        break;
      }
      if (proof >= PROOF_ATTEMPTS) {
        throw new FlashbackError(
          'MD5_MISMATCH',
          `Flash at 0x${p.offset.toString(16)} reads differently each time (the data does not match the chip's own MD5 of that range); nothing was saved`,
          'The line damages commands: lower the baud rate (--baud 115200), use a shorter cable, and run the backup again.',
          { offset: p.offset },
        );
      }
      // Either the read or the hash command had its offset damaged: take both again.
      opts.log?.(
        `Data read at 0x${p.offset.toString(16)} does not match the chip's MD5 of that range; hashing and reading it again.`,
      );
      await resync(session);
      expected = await hashRange(session, p.offset, p.size, opts);
    }
    st.done += p.size;
  }
  return st.total;
}

/**
 * Reads one piece in sub-reads of the current size, retrying a damaged sub-read at a smaller size. With
 * a proof, the read stops once it shows the rest of the piece blank; without one it reads the piece whole.
 */
export async function readPiece(
  session: EspSession,
  p: Piece,
  proof: StopProof | null,
  st: ReadState,
  opts: OpOptions,
): Promise<Uint8Array> {
  // Unread bytes count as blank: the read may stop once the range's hash proves the rest is 0xFF.
  const out = new Uint8Array(p.size).fill(0xff);
  let got = 0;
  const prefix = proof ? proof.head.copy() : null;
  let failures = 0;
  while (got < p.size) {
    throwIfAborted(opts.signal, 'Reading flash');
    const len = Math.min(st.size.size, p.size - got);
    const at = p.offset + got;
    const head = prefix?.copy();
    const rest = p.size - got;
    const enough =
      proof && head
        ? (bytes: Uint8Array) =>
            updateBlank(head.copy().update(bytes), rest - bytes.length + proof.after).digest('hex') ===
            proof.expected
        : undefined;
    try {
      const bytes = await session.readFlash(at, len, {
        ...(enough ? { enough } : {}),
        onProgress: (q) =>
          opts.onProgress?.({
            phase: 'read',
            done: st.done + got + q.done,
            total: st.total,
            bytesPerSec: bytesPerSecSince(st.started, st.done + got + q.done),
          }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      out.set(bytes, got);
      st.size.succeeded();
      if (bytes.length < len) return out; // the rest is proven blank by the range's hash
      prefix?.update(bytes);
      got += len;
    } catch (e) {
      if (!isRetryable(e) || ++failures >= READ_ATTEMPTS) throw e;
      st.size.failed();
      opts.log?.(
        `Read at 0x${at.toString(16)} failed (${(e as Error).message}); retrying it in pieces of ${st.size.size >> 10} KiB.`,
      );
      await resync(session);
    }
  }
  return out;
}

/** Reads [offset, offset+size) proven against fresh on-chip block hashes (small reads: merge edges). */
export async function readProvenRange(
  session: EspSession,
  offset: number,
  size: number,
  opts: OpOptions = {},
): Promise<Uint8Array> {
  const pieces = piecesOf(offset, size);
  const md5s = await hashPieces(session, pieces, opts);
  const out = new Uint8Array(size);
  await readProven(session, out, offset, pieces, md5s, opts);
  return out;
}
