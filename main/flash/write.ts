/**
 * Raw write of a file at an offset (e.g. esp_init_data_default.bin at size−0x4000). With the stub the
 * partial sectors at either end are read first and merged, so nothing but the file's bytes changes; only
 * differing sectors are written, then the range is verified by MD5. ROM-only writes cannot read or
 * verify: they erase whole sectors and say so before writing.
 */
import { FlashbackError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import { hexAddr, humanSize } from '../units.js';
import { assertReachable, withBoard } from './board-session.js';
import { SECTOR } from './sector-map.js';
import { planSectorWrite, verifyOnBoard, writeSectors } from './sector-writer.js';
import type { BoardTarget, WriteResult } from './types.js';

export interface WriteParams extends BoardTarget {
  offset: number;
  full?: boolean;
}

export async function writeRegion(
  params: WriteParams,
  data: Uint8Array,
  opts: OpOptions = {},
): Promise<WriteResult & { offset: number; size: number }> {
  const started = performance.now();
  if (data.length === 0) throw new FlashbackError('FILE_TRUNCATED', 'The file is empty', 'Check the file.');
  return withBoard(params, opts, async ({ session }) => {
    const flashSize = session.info.flash.size;
    if (flashSize && params.offset + data.length > flashSize) {
      throw new FlashbackError(
        'IMAGE_TOO_BIG',
        `${humanSize(data.length)} at ${hexAddr(params.offset)} run past the end of the ${humanSize(flashSize)} flash (last byte ${hexAddr(flashSize - 1)}); nothing was written`,
        `Pick an offset below 0x${(flashSize - data.length).toString(16)} (init data goes at 0x${(flashSize - 0x4000).toString(16)} on this board).`,
      );
    }
    assertReachable(session, params.offset, data.length, 'This write');
    const start = Math.floor(params.offset / SECTOR) * SECTOR;
    const end = Math.ceil((params.offset + data.length) / SECTOR) * SECTOR;
    const merged = new Uint8Array(end - start).fill(0xff);
    if (session.stub) {
      // Keep the bytes around the file inside its first and last sectors.
      if (params.offset > start) merged.set(await session.readFlash(start, SECTOR), 0);
      if (params.offset + data.length < end && end - SECTOR >= start)
        merged.set(await session.readFlash(end - SECTOR, SECTOR), end - SECTOR - start);
    } else if (params.offset !== start || (params.offset + data.length) % SECTOR) {
      opts.log?.(
        `ROM-only write: the ROM cannot read flash, so the rest of the sector(s) 0x${start.toString(16)}–0x${(end - 1).toString(16)} around the file will be erased to 0xFF.`,
      );
    }
    merged.set(data, params.offset - start);
    if (!session.stub) {
      await session.writeFlash(start, merged, opts);
      opts.log?.('ROM-only write: the ROM cannot compute MD5s, so the write is not verified.');
      return {
        written: { sectors: merged.length / SECTOR, bytes: merged.length },
        skippedSectors: 0,
        verified: false,
        seconds: (performance.now() - started) / 1000,
        offset: params.offset,
        size: data.length,
      };
    }
    const plan = await planSectorWrite(session, start, merged, { ...opts, full: params.full ?? false });
    const written = await writeSectors(session, start, merged, plan.write, plan.imageMd5, opts);
    const v = await verifyOnBoard(session, start, merged, opts);
    if (!v.verified) {
      throw new FlashbackError(
        'MD5_MISMATCH',
        `Flash at 0x${start.toString(16)} does not match after writing`,
        'Retry at a lower baud; if it repeats the flash may be write-protected or failing.',
      );
    }
    return {
      written,
      skippedSectors: plan.skip,
      verified: true,
      seconds: (performance.now() - started) / 1000,
      offset: params.offset,
      size: data.length,
    };
  });
}
