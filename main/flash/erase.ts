/**
 * Erase the whole chip or a sector-aligned region — destructive, so: the plan first (which 64 KiB blocks
 * of the range hold data, from on-chip hashes), the caller's confirmation, a backup of the range into
 * the library (default on; the ROM cannot read, so ROM-only erases have none and say so), then the
 * erase. Cancel stops waiting at once and says the chip may still be erasing.
 */
import { FlashbackError, isFlashbackError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import { backupWithSession } from './backup.js';
import { hashPieces, isBlankMd5, piecesOf } from './block-hashes.js';
import { assertReachable, withBoard } from './board-session.js';
import type { BoardTarget } from './types.js';

export interface EraseParams extends BoardTarget {
  offset?: number;
  size?: number;
  /** Back the range up into the library first (default true; impossible with --no-stub). */
  backup?: boolean;
  library?: string;
}

export interface ErasePlan {
  port: string;
  offset: number;
  size: number;
  whole: boolean;
  /** Ranges (merged 64 KiB blocks) that hold data and will be lost; null when the ROM cannot tell. */
  dataRanges: Array<{ offset: number; size: number }> | null;
  backupFirst: boolean;
}

export interface EraseOptions extends OpOptions {
  /** Sees what will be lost; false stops before anything is erased. */
  confirm?: (plan: ErasePlan) => boolean | Promise<boolean>;
}

export interface EraseResult {
  erased: { offset: number; size: number };
  seconds: number;
  backupId: string | null;
  plan: ErasePlan;
}

export async function eraseBoard(params: EraseParams, opts: EraseOptions = {}): Promise<EraseResult> {
  const started = performance.now();
  return withBoard(params, opts, async ({ session, identity }) => {
    const flashSize = session.info.flash.size;
    const whole = params.offset === undefined && params.size === undefined;
    const offset = params.offset ?? 0;
    const size = params.size ?? flashSize - offset;
    if (!whole) assertReachable(session, offset, size, 'This erase');
    let dataRanges: ErasePlan['dataRanges'] = null;
    if (session.stub) {
      // What is there to lose: one on-chip hash per block (blank blocks cost nothing to erase).
      const reach = Math.min(size, session.reach - offset);
      const pieces = piecesOf(offset, reach);
      const md5s = await hashPieces(session, pieces, opts);
      dataRanges = [];
      pieces.forEach((p, i) => {
        if (isBlankMd5(md5s[i]!, p.size)) return;
        const last = dataRanges![dataRanges!.length - 1];
        if (last && last.offset + last.size === p.offset) last.size += p.size;
        else dataRanges!.push({ offset: p.offset, size: p.size });
      });
    }
    const plan: ErasePlan = {
      port: params.port,
      offset,
      size,
      whole,
      dataRanges,
      backupFirst: session.stub && params.backup !== false && (dataRanges?.length ?? 0) > 0,
    };
    if (opts.confirm && !(await opts.confirm(plan))) {
      throw new FlashbackError(
        'NOT_CONFIRMED',
        'Erase was not confirmed; nothing was erased',
        'Pass --yes to erase.',
      );
    }
    let backupId: string | null = null;
    if (plan.backupFirst) {
      const reach = Math.min(size, session.reach - offset);
      const b = await backupWithSession(
        session,
        { ...session.info, port: params.port, bridge: identity.bridge },
        {
          library: params.library,
          label: whole ? 'before erase' : `before erase of 0x${offset.toString(16)}+0x${reach.toString(16)}`,
          ...(whole ? {} : { offset, size: reach }),
        },
        opts,
      );
      backupId = b.libraryId;
    }
    try {
      if (whole) await session.eraseFlash(opts);
      else await session.eraseRegion(offset, size, opts);
    } catch (e) {
      throw erasedPartly(e, params.port, backupId);
    }
    return { erased: { offset, size }, seconds: (performance.now() - started) / 1000, backupId, plan };
  });
}

/** An erase stopped while the chip was at it: it may still be erasing, and the range is partly blank. */
function erasedPartly(e: unknown, port: string, backupId: string | null): FlashbackError {
  const back = backupId
    ? ` Put the data back with \`flashback restore --port ${port} --image ${backupId.slice(0, 12)}\`.`
    : '';
  const hint = `The erase command had reached the chip: it may still be erasing (a chip erase runs to its end once started), and the range is partly or wholly erased. Wait a few seconds, reset the board, then erase again to finish.${back}`;
  if (isFlashbackError(e))
    return new FlashbackError(e.code, `Erase interrupted: ${e.message}`, hint, { ...e.details, backupId });
  return new FlashbackError('INTERNAL', `Erase interrupted: ${(e as Error).message}`, hint, { backupId });
}
