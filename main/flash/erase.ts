/** Erase the whole chip or a sector-aligned region. */
import type { OpOptions } from '../progress.js';
import { withBoard } from './board-session.js';
import type { BoardTarget } from './types.js';

export async function eraseBoard(
  target: BoardTarget & { offset?: number; size?: number },
  opts: OpOptions = {},
): Promise<{ erased: { offset: number; size: number }; seconds: number }> {
  const started = performance.now();
  return withBoard(target, opts, async ({ session }) => {
    if (target.offset === undefined && target.size === undefined) {
      await session.eraseFlash(opts);
      return {
        erased: { offset: 0, size: session.info.flash.size },
        seconds: (performance.now() - started) / 1000,
      };
    }
    const offset = target.offset ?? 0;
    const size = target.size ?? session.info.flash.size - offset;
    await session.eraseRegion(offset, size, opts);
    return { erased: { offset, size }, seconds: (performance.now() - started) / 1000 };
  });
}
