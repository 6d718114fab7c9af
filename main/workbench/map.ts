/** Maps results of the layers below to the wire DTOs of api.ts (plain JSON, stable for the UI). */
import type { DetectResult } from '../flash/types.js';
import type { CompareReport } from '../image/compare.js';
import { SECTOR_SIZE as SECTOR } from '../flash-geometry.js';
import type { LibraryItem, LibraryMeta } from '../library/types.js';
import { humanSize } from '../units.js';
import type { BoardInfo, CompareSide, CompareView, LibraryEntry, RestorePlanView } from './api.js';

export function boardInfo(d: DetectResult): BoardInfo {
  return {
    port: d.port,
    bridge: d.bridge,
    chip: d.chip,
    mac: d.mac,
    crystalMHz: d.crystalMHz,
    chipId: d.chipId,
    flash: {
      manufacturer: d.flash.manufacturer,
      device: d.flash.device,
      jedecId: d.flash.jedecId,
      size: d.flash.size,
    },
  };
}

export function libraryEntry(m: LibraryMeta): LibraryEntry {
  return {
    id: m.id,
    label: m.label ?? `${m.chip ?? 'image'} ${m.mac ?? m.id.slice(0, 8)}`,
    board: { chip: m.chip, mac: m.mac, flashSize: m.flashSize, port: m.sourcePort },
    created: m.created,
    size: m.size,
    sha256: m.sha256,
    md5: m.md5,
    credentials: m.containsCredentials,
    ssid: m.ssid,
  };
}

/** A listed image, damaged ones included (never hidden): the sidecar's facts where it could be trusted. */
export function libraryItem(i: LibraryItem): LibraryEntry {
  const base: LibraryEntry = i.entry
    ? libraryEntry(i.entry)
    : {
        id: i.id,
        label: `image ${i.id.slice(0, 12)}`,
        board: { chip: null, mac: null, flashSize: null, port: null },
        created: '',
        size: i.size,
        sha256: i.id,
        md5: '',
        credentials: false,
        ssid: null,
      };
  if (i.status === 'ok') return base;
  return {
    ...base,
    damaged: { kind: i.status, problem: i.problem ?? '', next: i.next ?? '', fix: i.fix ?? 'rm' },
  };
}

/** Rolls the sectors to write up by region (regions that overlap none are kept with 0). */
export function planRegions(
  writeSectors: number[],
  regions: { name: string; start: number; size: number }[] | null,
  imageSize: number,
): RestorePlanView['regions'] {
  const list = regions && regions.length > 0 ? regions : [{ name: 'image', start: 0, size: imageSize }];
  const out = list.map((r) => ({ ...r, writeSectors: 0 }));
  let other = 0;
  for (const s of writeSectors) {
    const at = s * SECTOR;
    const r = out.find((x) => at >= x.start && at < x.start + x.size);
    if (r) r.writeSectors++;
    else other++;
  }
  if (other > 0) out.push({ name: 'outside named regions', start: 0, size: 0, writeSectors: other });
  return out;
}

/** Identity fields of one side: from detect for a live board, from the sidecar for a library backup. */
export type Identity = Partial<Record<'Chip' | 'MAC' | 'Flash id', string>>;

/** The JEDEC id as the library's sidecar writes it ("0x1640EF"), so board and backup columns compare equal. */
const jedecHex = (id: number) => `0x${id.toString(16).toUpperCase().padStart(6, '0')}`;

export function boardIdentity(d: DetectResult): Identity {
  return { Chip: d.chip, MAC: d.mac, 'Flash id': jedecHex(d.flash.jedecId) };
}

export function backupIdentity(m: LibraryMeta): Identity {
  return { Chip: m.chip ?? '—', MAC: m.mac ?? '—', 'Flash id': m.flashId ?? '—' };
}

function side(spec: string, s: CompareReport['a'], isPort: boolean, id: Identity = {}): CompareSide {
  const h = s.header;
  const fields: Record<string, string> = {
    ...id,
    'Firmware family': s.family,
    'Flash size': s.flashSize ? humanSize(s.flashSize) : 'unknown',
    'Header flash mode': h?.flashMode ?? 'no header',
    'Header flash size': h?.flashSize ? humanSize(h.flashSize) : 'no header',
    'Header flash freq': h?.flashFreq ?? 'no header',
  };
  return { spec, kind: isPort ? 'board' : /[\\/]|\.bin$/i.test(spec) ? 'image' : 'library', fields };
}

export function compareView(
  a: string,
  b: string,
  r: CompareReport,
  isPort: (s: string) => boolean,
  ids: { a?: Identity; b?: Identity } = {},
): CompareView {
  const differing = r.regions.filter((x) => x.diffSectors > 0);
  const view: CompareView = {
    a: side(a, r.a, isPort(a), ids.a),
    b: side(b, r.b, isPort(b), ids.b),
    sectorSize: r.sectorSize,
    sectors: r.sectors,
    regions: r.regions.map(({ name, start, size, diffSectors }) => ({ name, start, size, diffSectors })),
    summary:
      r.summary || (differing.length ? `Differs in ${differing.map((x) => x.name).join(', ')}` : 'Identical'),
  };
  const suspicious = r.findings.filter((f) => f.severity === 'suspicious');
  view.a.fields['Sectors that differ'] = String(r.counts.diff + r.counts['a-blank'] + r.counts['b-blank']);
  view.b.fields['Sectors that differ'] = view.a.fields['Sectors that differ'];
  if (suspicious.length > 0)
    view.summary = `${view.summary} — ${suspicious.map((f) => f.message).join('; ')}`;
  return view;
}
