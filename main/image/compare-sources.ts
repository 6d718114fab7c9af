/**
 * Compare two flashes given as sources: a file, a library image or (added by main/flash) a live board.
 * A source supplies its size, its per-sector MD5 list and an async reader; only a few sectors are read
 * in full, for the targeted checks (header at 0, RF init data).
 */
import { compareSectorMaps, type CompareReport, type HeaderFields } from './compare.js';
import { parseImage } from './header.js';
import { detectLayout, type AsyncRead, type Layout } from './layout.js';
import { SECTOR_SIZE, sectorDigests } from './sectors.js';
import { hexAddr, humanSize } from '../units.js';

export interface CompareSource {
  label: string;
  /** Bytes this source offers for comparison (its md5 list covers them). */
  flashSize: number;
  /** The whole flash, when only part of it could be read (a live board beyond its stub's reach). */
  fullSize?: number;
  md5: string[];
  read: AsyncRead;
}

export function bytesSource(label: string, bytes: Uint8Array): CompareSource {
  return {
    label,
    flashSize: bytes.length,
    md5: sectorDigests(bytes),
    read: async (offset, length) => bytes.slice(offset, offset + length),
  };
}

function headerFields(bytes: Uint8Array): HeaderFields | null {
  const r = parseImage(bytes);
  return r.ok
    ? { flashMode: r.header.flashMode, flashSize: r.header.flashSize, flashFreq: r.header.flashFreq }
    : null;
}

async function side(src: CompareSource, layout: Layout, wanted: number[]) {
  const sectors = new Map<number, Uint8Array>();
  for (const i of wanted)
    if (i * SECTOR_SIZE < src.flashSize) sectors.set(i, await src.read(i * SECTOR_SIZE, SECTOR_SIZE));
  const first = sectors.get(0) ?? (await src.read(0, SECTOR_SIZE));
  return { label: src.label, md5: src.md5, layout, header: headerFields(first), sectors };
}

export async function compareSources(a: CompareSource, b: CompareSource): Promise<CompareReport> {
  const [la, lb] = [await detectLayout(a.read, a.flashSize), await detectLayout(b.read, b.flashSize)];
  const layout = la.family !== 'unknown' ? la : lb;
  // Sector 0 (header patch check) and every RF init/calibration sector are read in full: 4 KiB each.
  const wanted = [
    0,
    ...layout.regions
      .filter((r) => r.kind === 'rf-init' || r.kind === 'rf-cal')
      .map((r) => r.start / SECTOR_SIZE),
  ];
  const report = compareSectorMaps(await side(a, layout, wanted), await side(b, layout, wanted));
  if (a.flashSize !== b.flashSize) {
    report.findings.unshift({
      severity: 'suspicious',
      region: 'flash',
      sectors: [],
      message: `Flash sizes differ (${a.label}: ${a.flashSize}, ${b.label}: ${b.flashSize}); compared the first ${report.sectors.length} sectors.`,
      why: 'An image restored onto a different size misplaces the SDK settings at the end of flash.',
    });
  }
  const total = Math.max(a.fullSize ?? a.flashSize, b.fullSize ?? b.flashSize);
  report.compared = { ...report.compared, total };
  if (report.compared.size < total) {
    const end = report.compared.size;
    const lead =
      report.summary === 'The two flashes are identical.'
        ? `Identical from 0x0 to ${hexAddr(end - 1)}.`
        : report.summary;
    report.summary = `${lead} Only 0x0–${hexAddr(end - 1)} (${humanSize(end)} of ${humanSize(total)}) was compared; ${hexAddr(end)}–${hexAddr(total - 1)} was not, so nothing is known about it.`;
  }
  return report;
}
