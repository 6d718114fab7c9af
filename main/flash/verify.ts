/**
 * Verify a board against an image, or against the files of a write (esptool's ADDRESS FILE pairs, with
 * the same header patch at 0x0): whole-range MD5 first, per-sector MD5s to say where it differs.
 */
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { withBoard } from './board-session.js';
import { bufferPieceMd5s, hashPieces, hashRange, piecesOf } from './block-hashes.js';
import { boardSectorMd5s, md5Hex, SECTOR } from './sector-map.js';
import type { BoardTarget } from './types.js';
import { checkPairs, patchAtZero, type HeaderOptions, type WritePair } from './write-files.js';

export interface VerifyResult {
  verified: boolean;
  md5: { image: string; chip: string };
  /** Offsets of differing sectors (empty when verified). */
  diffSectors: number[];
  /** Address of the first byte that differs (null when verified). */
  firstDiff: number | null;
  written: { sectors: number; bytes: number };
  skippedSectors: number;
  seconds: number;
}

/**
 * Compares flash at `offset` with `image`, exactly as `write` leaves it: the chip hashes 4-byte-aligned
 * ranges, and the bytes around the file inside its first and last word (and sector) are the chip's own
 * neighbours — write keeps them — so they are taken from the chip, never assumed to be 0xFF padding.
 * On a mismatch it says which sectors differ and the address of the first differing byte.
 */
export async function verifyOnBoard(
  session: EspSession,
  offset: number,
  image: Uint8Array,
  opts: OpOptions = {},
): Promise<Omit<VerifyResult, 'seconds' | 'written' | 'skippedSectors'>> {
  const end = offset + image.length;
  const wordStart = offset - (offset % 4);
  const wordEnd = Math.ceil(end / 4) * 4;
  const expected = new Uint8Array(wordEnd - wordStart);
  if (offset > wordStart) expected.set(await session.readFlash(wordStart, 4), 0);
  if (wordEnd > end) expected.set(await session.readFlash(wordEnd - 4, 4), expected.length - 4);
  expected.set(image, offset - wordStart);
  const mine = md5Hex(expected);
  // Two commands of different shapes must agree: the whole range, then its 64 KiB pieces. One MD5 is
  // not a proof: with its offset damaged on the line it hashes another range, which passes whenever
  // that range holds the same bytes (blank flash, a second copy of a firmware).
  const pieces = piecesOf(wordStart, expected.length);
  const want = bufferPieceMd5s(expected, wordStart, pieces);
  let chip = '';
  let diffSectors: number[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    chip = await hashRange(session, wordStart, expected.length, opts);
    if (chip === mine) {
      const got = await hashPieces(session, pieces, opts);
      if (got.every((h, i) => h === want[i]))
        return { verified: true, md5: { image: mine, chip }, diffSectors: [], firstDiff: null };
    }
    diffSectors = await differingSectors(session, offset, image, opts);
    // Sector hashes that all agree after a disagreeing range hash: a command was damaged; look again.
    if (diffSectors.length) break;
  }
  let firstDiff: number | null = null;
  const first = diffSectors[0];
  if (first !== undefined) {
    const from = Math.max(first, offset);
    const upto = Math.min(first + SECTOR, end);
    const got = await session.readFlash(from, upto - from);
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== image[from - offset + i]) {
        firstDiff = from + i;
        break;
      }
    }
  }
  return { verified: false, md5: { image: mine, chip }, diffSectors, firstDiff };
}

/** Offsets of the sectors whose file bytes differ: whole sectors by MD5, the partial ends by reading. */
async function differingSectors(
  session: EspSession,
  offset: number,
  image: Uint8Array,
  opts: OpOptions,
): Promise<number[]> {
  const end = offset + image.length;
  const first = Math.floor(offset / SECTOR) * SECTOR;
  const last = Math.ceil(end / SECTOR) * SECTOR;
  const theirs = await boardSectorMd5s(session, first, last - first, opts);
  const out: number[] = [];
  for (let at = first, i = 0; at < last; at += SECTOR, i++) {
    if (at >= offset && at + SECTOR <= end) {
      if (md5Hex(image.subarray(at - offset, at - offset + SECTOR)) !== theirs[i]) out.push(at);
      continue;
    }
    // A sector the file covers only partly: compare the file's bytes with what the chip holds there.
    const from = Math.max(at, offset);
    const upto = Math.min(at + SECTOR, end);
    const got = await session.readFlash(from, upto - from);
    const want = image.subarray(from - offset, upto - offset);
    if (got.some((b, k) => b !== want[k])) out.push(at);
  }
  return out;
}

function romCannotVerify(): FlashbackError {
  return new FlashbackError(
    'ROM_CANNOT',
    'The ESP8266 ROM loader cannot compute MD5s, so it cannot verify',
    'Run without --no-stub.',
  );
}

export async function verifyBoard(
  target: BoardTarget & { offset?: number },
  image: Uint8Array,
  opts: OpOptions = {},
): Promise<VerifyResult> {
  const started = performance.now();
  if (target.stub === false) throw romCannotVerify();
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

export interface VerifiedFile extends Omit<VerifyResult, 'seconds' | 'written' | 'skippedSectors'> {
  address: number;
  name: string;
  /** The expected bytes are the file with header bytes 2–3 patched (as `write` with the same flags). */
  headerPatched: boolean;
  headerNote: string | null;
}

export interface VerifyFilesResult {
  verified: boolean;
  files: VerifiedFile[];
  seconds: number;
}

/**
 * Verifies the files of a write where it put them: the same pairs checks and the same header patch at
 * 0x0 as `write` (so `--flash-size detect` is compared as written, not reported as a difference).
 */
export async function verifyFiles(
  target: BoardTarget & HeaderOptions & { pairs: WritePair[] },
  opts: OpOptions = {},
): Promise<VerifyFilesResult> {
  const started = performance.now();
  if (target.stub === false) throw romCannotVerify();
  const sorted = checkPairs(target.pairs, 'verify');
  return withBoard(target, opts, async ({ session }) => {
    const { patched, notes } = patchAtZero(sorted, target, session.info.flash.size);
    const files: VerifiedFile[] = [];
    for (const p of patched) {
      const r = await verifyOnBoard(session, p.address, p.bytes, opts);
      files.push({
        address: p.address,
        name: p.name,
        ...r,
        headerPatched: notes.get(p)?.patched ?? false,
        headerNote: notes.get(p)?.note ?? null,
      });
    }
    return {
      verified: files.every((f) => f.verified),
      files,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
