/**
 * Compares two flashes from their per-sector MD5s (so live boards need no full read), rolls the result
 * up by the layout's regions and explains it (compare-findings.ts). Pure and synchronous: the few
 * sectors a finding needs in full (header, RF init) arrive in `SectorSide.sectors`, fetched by
 * compareSources (compare-sources.ts) through each side's reader.
 */
import type { FlashFreq, FlashMode } from './flash-params.js';
import { explainDifferences, type Finding } from './compare-findings.js';
import type { Layout, RegionKind } from './layout.js';
import { isBlankDigest, SECTOR_SIZE } from './sectors.js';

export type { Finding } from './compare-findings.js';

export type SectorState = 'same' | 'diff' | 'blank' | 'a-blank' | 'b-blank';

export interface HeaderFields {
  flashMode: FlashMode | null;
  flashSize: number | null;
  flashFreq: FlashFreq | null;
}

export interface SectorSide {
  label: string;
  md5: string[];
  layout: Layout | null;
  header?: HeaderFields | null;
  /** Whole sectors read for targeted checks: sector index → its bytes. */
  sectors?: ReadonlyMap<number, Uint8Array>;
}

export interface RegionDiff {
  name: string;
  start: number;
  size: number;
  kind: RegionKind;
  expectedToDiffer: boolean;
  diffSectors: number;
  /** Bytes covered by the differing sectors (MD5s tell which sectors differ, not which bytes). */
  diffBytes: number;
  blankSectors: { a: number; b: number };
}

export interface CompareReport {
  a: { label: string; flashSize: number; family: string; header: HeaderFields | null };
  b: { label: string; flashSize: number; family: string; header: HeaderFields | null };
  sectorSize: number;
  sectors: SectorState[];
  regions: RegionDiff[];
  counts: Record<SectorState, number>;
  findings: Finding[];
  summary: string;
  /**
   * The range both sides were compared over, and the largest flash involved: a part that could not be
   * read (beyond a stub's reach, or beyond the smaller side) is never counted as identical.
   */
  compared: { offset: number; size: number; total: number };
}

export function sectorState(a: string | undefined, b: string | undefined): SectorState {
  const ab = isBlankDigest(a);
  const bb = isBlankDigest(b);
  if (a === b) return ab ? 'blank' : 'same';
  if (ab) return 'a-blank';
  if (bb) return 'b-blank';
  return 'diff';
}

function rollUp(layout: Layout | null, sectors: SectorState[]): RegionDiff[] {
  const total = sectors.length * SECTOR_SIZE;
  const regions = layout?.regions ?? [
    {
      name: 'unknown',
      start: 0,
      size: total,
      kind: 'unknown' as const,
      expectedToDiffer: false,
      description: '',
    },
  ];
  return regions
    .filter((r) => r.start < total)
    .map((r) => {
      const first = Math.floor(r.start / SECTOR_SIZE);
      const last = Math.min(Math.ceil((r.start + r.size) / SECTOR_SIZE), sectors.length);
      const slice = sectors.slice(first, last);
      const diffSectors = slice.filter((s) => s === 'diff' || s === 'a-blank' || s === 'b-blank').length;
      return {
        name: r.name,
        start: r.start,
        size: r.size,
        kind: r.kind,
        expectedToDiffer: r.expectedToDiffer,
        diffSectors,
        diffBytes: diffSectors * SECTOR_SIZE,
        blankSectors: {
          a: slice.filter((s) => s === 'blank' || s === 'a-blank').length,
          b: slice.filter((s) => s === 'blank' || s === 'b-blank').length,
        },
      };
    });
}

export function compareSectorMaps(a: SectorSide, b: SectorSide): CompareReport {
  const n = Math.min(a.md5.length, b.md5.length);
  const sectors: SectorState[] = [];
  for (let i = 0; i < n; i++) sectors.push(sectorState(a.md5[i], b.md5[i]));
  const counts: Record<SectorState, number> = { same: 0, diff: 0, blank: 0, 'a-blank': 0, 'b-blank': 0 };
  for (const s of sectors) counts[s]++;
  const regions = rollUp(a.layout ?? b.layout, sectors);
  const findings = explainDifferences({ a, b, sectors, regions });
  const side = (s: SectorSide) => ({
    label: s.label,
    flashSize: s.md5.length * SECTOR_SIZE,
    family: s.layout?.family ?? 'unknown',
    header: s.header ?? null,
  });
  const changed = counts.diff + counts['a-blank'] + counts['b-blank'];
  const suspicious = findings.filter((f) => f.severity === 'suspicious');
  const summary =
    changed === 0
      ? 'The two flashes are identical.'
      : `${changed} of ${n} sectors differ: ${suspicious.length} suspicious` +
        (suspicious.length ? ` (${suspicious.map((f) => f.region).join(', ')})` : '') +
        `, ${findings.filter((f) => f.severity === 'expected').length} expected between healthy boards.`;
  const size = n * SECTOR_SIZE;
  return {
    a: side(a),
    b: side(b),
    sectorSize: SECTOR_SIZE,
    sectors,
    regions,
    counts,
    findings,
    summary,
    compared: { offset: 0, size, total: size },
  };
}
