/**
 * Raw write of a file at an offset (e.g. esp_init_data_default.bin at size−0x4000). With the stub the
 * partial sectors at either end are read first and merged, so nothing but the file's bytes changes; only
 * differing sectors are written, then the range is verified by MD5. ROM-only writes cannot read or
 * verify: they erase whole sectors and say so before writing.
 */
import { FlashbackError, isFlashbackError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import { hexAddr, humanSize } from '../units.js';
import { assertReachable, withBoard } from './board-session.js';
import { planDiff } from './diff-plan.js';
import { readProvenRange } from './read-range.js';
import { SECTOR } from './sector-map.js';
import { writeProven } from './sector-writer.js';
import type { BoardTarget, WriteResult } from './types.js';

export interface WriteParams extends BoardTarget {
  offset: number;
  full?: boolean;
  /**
   * ROM-only writes erase whole sectors: a file that starts or ends mid-sector loses the rest of that
   * sector, which the ROM cannot read back. Refused unless the user confirmed that loss.
   */
  allowSectorLoss?: boolean;
}

/** The bytes a ROM-only write of `length` bytes at `offset` erases around the file (none if aligned). */
export function romWriteLoss(offset: number, length: number): Array<{ offset: number; size: number }> {
  const out: Array<{ offset: number; size: number }> = [];
  const start = Math.floor(offset / SECTOR) * SECTOR;
  const end = Math.ceil((offset + length) / SECTOR) * SECTOR;
  if (offset > start) out.push({ offset: start, size: offset - start });
  if (offset + length < end) out.push({ offset: offset + length, size: end - offset - length });
  return out;
}

export async function writeRegion(
  params: WriteParams,
  data: Uint8Array,
  opts: OpOptions = {},
): Promise<WriteResult & { offset: number; size: number }> {
  const started = performance.now();
  if (data.length === 0) throw new FlashbackError('FILE_TRUNCATED', 'The file is empty', 'Check the file.');
  const loss = romWriteLoss(params.offset, data.length);
  if (params.stub === false && loss.length && !params.allowSectorLoss) {
    throw new FlashbackError(
      'NOT_CONFIRMED',
      `A ROM-only write at 0x${params.offset.toString(16)} erases whole sectors: ${loss.map((l) => `0x${l.offset.toString(16)}+${l.size}`).join(' and ')} bytes around the file would be lost (the ROM cannot read them back first); nothing was written`,
      'Run without --no-stub (the stub keeps those bytes), or confirm the loss with --yes.',
    );
  }
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
      // Proven reads: a damaged READ_FLASH offset must not put someone else's bytes around the file.
      if (params.offset > start) merged.set(await readProvenRange(session, start, SECTOR, opts), 0);
      if (params.offset + data.length < end && end - SECTOR >= start)
        merged.set(await readProvenRange(session, end - SECTOR, SECTOR, opts), end - SECTOR - start);
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
    // The whole chip is hashed before and audited after (one on-chip MD5 per 64 KiB block): a write
    // whose FLASH_BEGIN offset or size was damaged on the line is seen wherever it landed.
    const plan = await planDiff(session, start, merged, {
      ...opts,
      full: params.full ?? false,
      scope: 'chip',
      coarse: true,
    });
    const written = await writeProven(session, plan, merged, {
      ...opts,
      eraseBlank: plan.wholeChip,
      undoHint:
        'Write the changed sectors back from a backup of this board (`flashback restore --image <backup>`).',
    }).catch((e: unknown) => {
      throw interruptedWrite(e, params.port, start, end);
    });
    return {
      written: { sectors: written.sectors, bytes: written.bytes },
      skippedSectors: plan.skip,
      verified: true,
      seconds: (performance.now() - started) / 1000,
      offset: params.offset,
      size: data.length,
    };
  });
}

/**
 * A write stopped part-way (stall, cable, cancel) leaves its range half written: say so and what to do.
 * Running the same write again finishes it (only the sectors that still differ are written).
 */
function interruptedWrite(e: unknown, port: string, start: number, end: number): unknown {
  if (!isFlashbackError(e) || e.code === 'OUTSIDE_PLAN_CHANGED') return e;
  return new FlashbackError(
    e.code,
    `Write interrupted: ${e.message}`,
    `${hexAddr(start)}–${hexAddr(end - 1)} may be half written. Reconnect the board (on ${port}), then run the same write again: it writes only the sectors that still differ.`,
    { ...e.details, halfWritten: true, range: [start, end] },
  );
}
