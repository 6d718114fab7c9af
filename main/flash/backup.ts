/**
 * Backup: the whole flash (size from the JEDEC id) or a range, sparse (blank sectors are proven blank by
 * on-chip MD5 and not transferred), every byte checked against an MD5 the chip computed, stored in the
 * library and/or a file.
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
import { planRead } from './read-plan.js';
import { readSectorsInto } from './read-range.js';
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
  params: Pick<BackupParams, 'offset' | 'size' | 'out' | 'library' | 'label'> & { knownSectorMd5?: string[] },
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
  const plan = await planRead(session, offset, size, opts, params.knownSectorMd5);
  const image = new Uint8Array(size).fill(0xff);
  const bytesRead = await readSectorsInto(session, image, offset, plan.readSectors, opts);
  const md5 = createHash('md5').update(image).digest('hex');
  if (!plan.dense) {
    // Sparse: blank sectors were never transferred, so check the assembled whole against the chip.
    opts.onProgress?.({ phase: 'verify', done: 0, total: size, bytesPerSec: 0 });
    const chip = Buffer.from(await session.flashMd5(offset, size)).toString('hex');
    if (chip !== md5) {
      throw new FlashbackError(
        'MD5_MISMATCH',
        `The backup does not match the chip (MD5 ${md5} vs ${chip}); nothing was saved`,
        'The flash changed during the backup or bytes were corrupted: run the backup again.',
      );
    }
    opts.onProgress?.({ phase: 'verify', done: size, total: size, bytesPerSec: 0 });
  }
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
