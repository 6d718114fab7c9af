/**
 * Quick compare of two sources — live boards (per-sector MD5 on chip, no full read), image files or
 * library ids — region by region, through main/image's compare.
 */
import { compareSources, bytesSource, type CompareSource } from '../image/compare-sources.js';
import type { CompareReport } from '../image/compare.js';
import type { OpOptions } from '../progress.js';
import { hexAddr, humanSize } from '../units.js';
import { isPortSpec } from '../transport/spec.js';
import { withBoard } from './board-session.js';
import { loadImage } from './library-store.js';
import { boardSectorMd5s } from './sector-map.js';
import type { BoardTarget, DetectResult } from './types.js';

export { isPortSpec };

export interface QuickCompareResult extends CompareReport {
  seconds: number;
  /** What each live side is (chip, MAC, flash id), read while connected; null for images. */
  boards: { a: DetectResult | null; b: DetectResult | null };
}

type Holder = { source: CompareSource; board: DetectResult | null; release?: () => void };
type Opened = { ready: Promise<Holder>; finished: Promise<unknown> };

/** Opens a source; a live board stays connected until `release` so compare can read a few sectors. */
async function openSource(
  spec: string,
  common: Omit<BoardTarget, 'port'>,
  opts: OpOptions,
  library?: string,
): Promise<Opened> {
  if (!isPortSpec(spec)) {
    const img = await loadImage(spec, library);
    const ready = Promise.resolve({ source: bytesSource(img.source, img.bytes), board: null });
    return { ready, finished: ready };
  }
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  let finished: Promise<unknown> = Promise.resolve();
  const ready = new Promise<Holder>((resolve, reject) => {
    finished = withBoard({ ...common, port: spec }, opts, async ({ session, identity }) => {
      // A stub left running by an earlier session may reach less than the chip: compare that part, and
      // the report says which range was compared (never "identical" for what was not read).
      const full = session.info.flash.size;
      const size = Math.min(full, session.reach);
      if (size < full) {
        opts.log?.(
          `${spec}: comparing 0x0–${hexAddr(size - 1)} (${humanSize(size)} of ${humanSize(full)}), the part of flash the stub can reach.`,
        );
      }
      const md5 = await boardSectorMd5s(session, 0, size, opts);
      resolve({
        source: {
          label: spec,
          flashSize: size,
          fullSize: full,
          md5,
          read: (o, l) => session.readFlash(o, l),
        },
        board: { ...session.info, port: spec, bridge: identity.bridge },
        release,
      });
      await done;
    }).catch(reject);
  });
  return { ready, finished };
}

export async function quickCompare(
  a: string,
  b: string,
  common: Omit<BoardTarget, 'port'> & { library?: string } = {},
  opts: OpOptions = {},
): Promise<QuickCompareResult> {
  const started = performance.now();
  const [ha, hb] = [
    await openSource(a, common, opts, common.library),
    await openSource(b, common, opts, common.library),
  ];
  const [sa, sb] = await Promise.allSettled([ha.ready, hb.ready]);
  try {
    if (sa.status === 'rejected') throw sa.reason;
    if (sb.status === 'rejected') throw sb.reason;
    const report = await compareSources(sa.value.source, sb.value.source);
    return {
      ...report,
      seconds: (performance.now() - started) / 1000,
      boards: { a: sa.value.board, b: sb.value.board },
    };
  } finally {
    if (sa.status === 'fulfilled') sa.value.release?.();
    if (sb.status === 'fulfilled') sb.value.release?.();
    await Promise.allSettled([ha.finished, hb.finished]);
  }
}
