/**
 * Backup: the whole flash (size from the JEDEC id) or a range. Each 64 KiB block is hashed on the chip
 * by its own command; the blocks holding data are read and must match that hash (besides the stub's MD5
 * of each read); the blank ones are not transferred, and are proven blank by a second command of
 * another shape (blank-proof.ts), so no single damaged command header can make data look blank.
 * Stored in the library and/or a file.
 */
import { createHash } from 'node:crypto';
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import type { OpOptions } from '../progress.js';
import { hexAddr, humanSize } from '../units.js';
import { assertReachable, withBoard } from './board-session.js';
import { flashSizes, sizesWarning } from './flash-sizes.js';
import { writeFileAtomic } from './files.js';
import { storeBackup } from './library-store.js';
import { hashPieces, isBlankMd5, piecesOf } from './block-hashes.js';
import { proveBlankRuns } from './blank-proof.js';
import { readProven } from './read-range.js';
import { readAnchored } from './anchored-read.js';
import type { BackupResult, BoardTarget, DetectResult } from './types.js';

export interface BackupParams extends BoardTarget {
  offset?: number;
  size?: number;
  out?: string;
  /** Library folder; null = do not store in the library. */
  library?: string | null;
  label?: string;
}

export async function backupBoard(params: BackupParams, opts: OpOptions = {}): Promise<BackupResult> {
  return withBoard(params, opts, async ({ session, identity }) => {
    // The size backed up is the proven one (an array that mirrors is not backed up four times over).
    const sizes = await flashSizes(session);
    const warning = sizesWarning(sizes);
    if (warning) opts.log?.(warning);
    const info = { ...session.info, port: params.port, bridge: identity.bridge, sizes };
    return backupWithSession(session, info, params, opts);
  });
}

/** The backup itself, on an open session (restore reuses it to back the target up first). */
export async function backupWithSession(
  session: EspSession,
  info: DetectResult,
  params: Pick<BackupParams, 'offset' | 'size' | 'out' | 'library' | 'label'> & {
    /** On-chip MD5s of this range's 64 KiB pieces, already taken (restore's plan hashed the target). */
    knownBlockMd5?: Array<string | undefined>;
  },
  opts: OpOptions = {},
): Promise<BackupResult> {
  const started = performance.now();
  const offset = params.offset ?? 0;
  const size = params.size ?? info.flash.size - offset;
  if (!size) {
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `Unknown flash size (JEDEC id 0x${info.flash.jedecId.toString(16)})`,
      'Give the size with --size, e.g. --size 0x400000.',
    );
  }
  if (info.flash.size && offset + size > info.flash.size) {
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `The range ${hexAddr(offset)}–${hexAddr(offset + size - 1)} runs past the end of the ${humanSize(info.flash.size)} flash`,
      'Reads past the end wrap around to the start; pick a range inside the flash.',
    );
  }
  assertReachable(session, offset, size, 'This backup');
  const pieces = piecesOf(offset, size);
  const image = new Uint8Array(size).fill(0xff);
  // Without block hashes from a plan: sample, then prove in anchored ranges (each byte read about once).
  if (!params.knownBlockMd5) {
    const bytesRead = await readAnchored(session, image, offset, pieces, info.flash.size, opts);
    if (bytesRead !== null) return saveBackup(image, info, params, offset, bytesRead, started);
  }
  // Blocks the plan rewrote whole without hashing them are hashed here, and only those.
  const known = params.knownBlockMd5?.length === pieces.length ? params.knownBlockMd5 : [];
  const missing = pieces.filter((_, i) => known[i] === undefined);
  const hashed = await hashPieces(session, missing, opts);
  const md5s = pieces.map((_, i) => known[i] ?? hashed.shift()!);
  const toRead = pieces.map((p, i) => i).filter((i) => !isBlankMd5(md5s[i]!, pieces[i]!.size));
  let bytesRead = await readProven(
    session,
    image,
    offset,
    toRead.map((i) => pieces[i]!),
    toRead.map((i) => md5s[i]!),
    opts,
  );
  // One hash per blank block is not a proof (its offset may have been damaged on the line).
  const read = pieces.map((_, i) => toRead.includes(i));
  bytesRead += await proveBlankRuns(session, image, offset, pieces, read, opts);
  return saveBackup(image, info, params, offset, bytesRead, started);
}

async function saveBackup(
  image: Uint8Array,
  info: DetectResult,
  params: Pick<BackupParams, 'out' | 'library' | 'label'>,
  offset: number,
  bytesRead: number,
  started: number,
): Promise<BackupResult> {
  const size = image.length;
  const md5 = createHash('md5').update(image).digest('hex');
  const sha256 = createHash('sha256').update(image).digest('hex');
  let libraryId: string | null = null;
  let file = params.out ?? '';
  if (params.library !== null) {
    const stored = await storeBackup(image, info, {
      label: params.label,
      library: params.library ?? undefined,
      offset,
    });
    libraryId = stored.id;
    if (!file) file = stored.file;
  }
  if (params.out) await writeFileAtomic(params.out, image);
  return {
    file,
    size,
    md5,
    sha256,
    seconds: (performance.now() - started) / 1000,
    bytesRead,
    libraryId,
    info,
  };
}
