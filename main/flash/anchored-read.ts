/**
 * A sparse backup that reads each byte on the chip about once (issue 12, "Plan at the floor").
 *
 * 1. Sample: the on-chip MD5 of the first 64 bytes of a block, of every block of a file system in use
 *    (the Arduino core's places for this flash size), and of every sector of the chip's last block
 *    (EEPROM, RF calibration and SDK sectors sit there). Firmware runs from its block's start and
 *    LittleFS/SPIFFS blocks and the SDK's sectors begin with their headers, so a block whose samples are
 *    blank is very likely blank. A sample is only a guess: it proves nothing.
 * 2. Each block holding data by the sample closes a range over the blank blocks before it and itself.
 *    The range is hashed on the chip by one SPI_FLASH_MD5, then its data is read (READ_FLASH; the stub's
 *    MD5 checks each transfer), the read stopping as soon as what was read, with the rest of the range
 *    held as 0xFF, gives that MD5.
 * 3. That MD5 is the proof, of the data read and of the blank blocks alike: it is a command of its own,
 *    and the range holds data the host read (an anchor), so a hash whose offset or size was damaged on
 *    the line (the stub echoes nothing of a request) reads other bytes and cannot give the expected MD5.
 *    A range whose MD5 disagrees (the sample missed data, or a command was damaged) falls back on its
 *    own: its blocks are hashed one by one, those holding data are read against these hashes, and its
 *    blank blocks are proven by a second command of another shape (blank-proof.ts).
 *
 * Cost on the chip: the range once, the data a second time (read), and the samples. A missed block costs
 * its range twice more (block hashes, then the second proof).
 */
import { createHash } from 'node:crypto';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { proveBlankRuns } from './blank-proof.js';
import { hashPieces, hashRange, isBlankMd5, type Piece } from './block-hashes.js';
import { newReadState, readPiece, readProven, type ReadState } from './read-range.js';
import { resync } from './recovery.js';
import { md5Hex, SECTOR } from './sector-map.js';
import { arduinoFsOptions } from '../image/arduino-map.js';

/** Bytes hashed per sample: the headers that mark a structure's start all lie in its first bytes. */
export const SAMPLE = 64;

interface Range {
  /** Indexes into the pieces: [first, last]. */
  first: number;
  last: number;
}

/**
 * A place a file system may be (the Arduino core's table for this flash size). Each of its blocks starts
 * with a header (LittleFS: revision count or CTZ pointers; SPIFFS: the lookup page), so once its first
 * block holds data, every block start is sampled: a file lands in any block.
 */
interface FsArea {
  start: number;
  end: number;
  blockSize: number;
  /** Its first block holds data (null: not seen yet). */
  used: boolean | null;
}

const hasData = (bytes: Uint8Array) => bytes.some((b) => b !== 0xff);

/** The sample points of a piece, in order: its start, used FS block starts, every sector of the last block. */
function samplePoints(p: Piece, tail: boolean, fs: FsArea[]): number[] {
  const end = p.offset + p.size;
  const at = new Set([p.offset]);
  if (tail) for (let a = p.offset - (p.offset % SECTOR) + SECTOR; a < end; a += SECTOR) at.add(a);
  for (const f of fs) {
    if (f.start >= p.offset && f.start < end) at.add(f.start);
    if (f.used === false) continue;
    const first = f.start + Math.max(0, Math.ceil((p.offset - f.start) / f.blockSize)) * f.blockSize;
    for (let a = first; a < Math.min(end, f.end); a += f.blockSize) at.add(a);
  }
  return [...at].sort((x, y) => x - y);
}

/**
 * What the sample says to read in a piece, [] when it looks blank: the whole piece as soon as one
 * sample holds data, except in the chip's last block, where the sectors holding data are read alone.
 */
async function sampleParts(
  session: EspSession,
  p: Piece,
  tail: boolean,
  fs: FsArea[],
  opts: OpOptions,
): Promise<Piece[]> {
  const parts: Piece[] = [];
  const end = p.offset + p.size;
  for (const at of samplePoints(p, tail, fs)) {
    const area = fs.find((f) => f.start === at);
    // A used FS's blocks are sampled only once its first block is seen to hold data.
    const inUnused = fs.some((f) => f.used === false && at > f.start && at < f.end);
    const inUsed = fs.some((f) => f.used !== false && at >= f.start && at < f.end);
    if (at !== p.offset && !area && inUnused && !inUsed && !tail) continue;
    const len = Math.min(SAMPLE, end - at);
    const data = !isBlankMd5(await hashRange(session, at, len, opts), len);
    if (area) area.used = data;
    if (!data) continue;
    if (!tail) return [p];
    const upto = Math.min(end, at - (at % SECTOR) + SECTOR);
    const prev = parts[parts.length - 1];
    if (prev && prev.offset + prev.size === at) prev.size = upto - prev.offset;
    else parts.push({ offset: at, size: upto - at });
  }
  return parts;
}

/**
 * Fills `image` (byte 0 = flash `base`) from the chip and proves every byte of it; returns the bytes
 * read over the wire, or null when no data was found at all (nothing to anchor a proof: the caller
 * hashes block by block instead).
 *
 * Walks the blocks in order. A block is sampled unless the one before it held data to its very end (a
 * firmware or a full file system runs on: taken as data unsampled), or it is the first block of the
 * chip (where the firmware starts). Blank blocks wait; the next block holding data closes a range over
 * them and itself: hashed, then read, the read stopping where the range's MD5 says the rest is blank.
 */
export async function readAnchored(
  session: EspSession,
  image: Uint8Array,
  base: number,
  pieces: Piece[],
  chipSize: number,
  opts: OpOptions = {},
): Promise<number | null> {
  const span = (r: Range): Piece => {
    const a = pieces[r.first]!;
    const z = pieces[r.last]!;
    return { offset: a.offset, size: z.offset + z.size - a.offset };
  };
  const held = (q: Piece) => image.subarray(q.offset - base, q.offset - base + q.size);
  const st = newReadState(pieces.reduce((n, p) => n + p.size, 0));
  const fs: FsArea[] = arduinoFsOptions(chipSize).map((f) => ({
    ...f,
    // An area starting before this range is taken as used (it cannot be seen from here).
    used: f.start < base ? true : null,
  }));
  const proven = pieces.map(() => false);
  let wire = 0;
  let pending = 0; // first piece not yet in a proven range
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    const before = pieces[i - 1];
    const runsOn =
      (i === 0 && p.offset === 0) ||
      (before !== undefined && proven[i - 1]! && image[before.offset + before.size - 1 - base] !== 0xff);
    const parts = runsOn ? [p] : await sampleParts(session, p, p.offset + p.size === chipSize, fs, opts);
    if (!parts.length) continue;
    const r = { first: pending, last: i };
    const s = span(r);
    st.done = s.offset - pieces[0]!.offset;
    const want = await hashRange(session, s.offset, s.size, opts);
    wire += await readParts(session, image, base, s, parts, want, st, opts);
    if (md5Hex(held(s)) === want) {
      if (!hasData(held(s))) continue; // blank after all (by one hash only): proven with what follows
    } else {
      opts.log?.(
        `The range 0x${s.offset.toString(16)}–0x${(s.offset + s.size - 1).toString(16)} does not hash as read (the sample missed data, or a command was damaged on the line); hashing its blocks one by one.`,
      );
      wire += await fallBack(session, image, base, pieces, proven, r, opts);
    }
    for (let k = r.first; k <= r.last; k++) proven[k] = true;
    pending = i + 1;
    const upto = p.offset + p.size;
    for (const f of fs)
      if (f.used === null && f.start < upto)
        f.used = hasData(image.subarray(f.start - base, f.start - base + SAMPLE));
  }
  if (pending === pieces.length) return wire;
  // Blank blocks at the end: one range from the last data word before them (the anchor) to the end.
  const from = pieces[pending]!.offset - base;
  const last = image.subarray(0, from).findLastIndex((b) => b !== 0xff);
  if (last < 0) return null;
  const s = { offset: base + (last - (last % 4)), size: image.length - (last - (last % 4)) };
  if ((await hashRange(session, s.offset, s.size, opts)) === md5Hex(held(s))) return wire;
  opts.log?.(
    `The blank range from 0x${pieces[pending]!.offset.toString(16)} does not hash as blank; hashing its blocks one by one.`,
  );
  return (
    wire +
    (await fallBack(session, image, base, pieces, proven, { first: pending, last: pieces.length - 1 }, opts))
  );
}

/** Reads the parts that hold data by the sample; the last may stop where the range's MD5 says the rest is blank. */
async function readParts(
  session: EspSession,
  image: Uint8Array,
  base: number,
  range: Piece,
  parts: Piece[],
  want: string,
  st: ReadState,
  opts: OpOptions,
): Promise<number> {
  let wire = 0;
  for (let j = 0; j < parts.length; j++) {
    const p = parts[j]!;
    const last = j === parts.length - 1;
    const proof = last
      ? {
          head: createHash('md5').update(image.subarray(range.offset - base, p.offset - base)),
          after: range.offset + range.size - (p.offset + p.size),
          expected: want,
        }
      : null;
    const bytes = await readPiece(session, p, proof, st, opts);
    image.set(bytes, p.offset - base);
    st.done += p.size;
    wire += p.size;
  }
  return wire;
}

/**
 * A range that did not prove itself: hash its blocks one by one, read (against those hashes) the ones
 * whose data the host does not already hold, and prove its blank blocks by a second command of another
 * shape, anchored in data beside them where there is any (blank-proof.ts; it retries and fails loudly).
 */
async function fallBack(
  session: EspSession,
  image: Uint8Array,
  base: number,
  pieces: Piece[],
  proven: boolean[],
  r: Range,
  opts: OpOptions,
): Promise<number> {
  await resync(session);
  const idx = Array.from({ length: r.last - r.first + 1 }, (_, k) => r.first + k);
  const fresh = await hashPieces(
    session,
    idx.map((i) => pieces[i]!),
    opts,
  );
  const held = (i: number) =>
    image.subarray(pieces[i]!.offset - base, pieces[i]!.offset - base + pieces[i]!.size);
  const read = pieces.map((_, i) => proven[i]! && hasData(held(i)));
  const stale: number[] = [];
  idx.forEach((i, k) => {
    if (isBlankMd5(fresh[k]!, pieces[i]!.size)) held(i).fill(0xff);
    else if (md5Hex(held(i)) === fresh[k]) read[i] = true;
    else stale.push(k);
  });
  let wire = await readProven(
    session,
    image,
    base,
    stale.map((k) => pieces[idx[k]!]!),
    stale.map((k) => fresh[k]!),
    opts,
  );
  for (const k of stale) read[idx[k]!] = true;
  // The window for the second proof: the range, widened to the data piece just before it (an anchor for
  // its leading blank run), or back to the nearest data if the range turned out to hold none.
  // (Pieces after the range are not proven yet, so never taken as anchors.)
  let a = r.first;
  const z = r.last;
  if (idx.some((i) => read[i])) {
    if (a > 0 && read[a - 1]) a--;
  } else {
    while (a > 0 && !read[a]) a--;
  }
  const window = pieces.slice(a, z + 1);
  const flags = read.slice(a, z + 1);
  wire += await proveBlankRuns(session, image, base, window, flags, opts);
  for (let i = a; i <= z; i++) proven[i] = true;
  return wire;
}
