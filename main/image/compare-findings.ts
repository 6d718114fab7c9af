/**
 * Explains a sector diff region by region: what differs between any two healthy boards (flasher-patched
 * header bytes 2–3, RF calibration, SDK WiFi config, EEPROM, OTA leftovers; ESP8266-NOTES 4.2, 5.5,
 * 5.6) versus what is suspicious (different firmware, corrupt RF init data, a calibration cut short, data in
 * free space).
 */
import { judgeRfInit } from './rf-init.js';
import type { RegionDiff, SectorSide, SectorState } from './compare.js';
import { SECTOR_SIZE } from './sectors.js';

export interface Finding {
  severity: 'suspicious' | 'expected' | 'info';
  region: string;
  /** Sector indexes involved (offset = index × 4096). */
  sectors: number[];
  message: string;
  why: string;
}

interface Input {
  a: SectorSide;
  b: SectorSide;
  sectors: SectorState[];
  regions: RegionDiff[];
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;

function changedIn(sectors: SectorState[], r: RegionDiff): number[] {
  const out: number[] = [];
  const end = Math.min(Math.ceil((r.start + r.size) / SECTOR_SIZE), sectors.length);
  for (let i = Math.floor(r.start / SECTOR_SIZE); i < end; i++) {
    const s = sectors[i];
    if (s === 'diff' || s === 'a-blank' || s === 'b-blank') out.push(i);
  }
  return out;
}

function headerFinding({ a, b }: Input, r: RegionDiff, idx: number[]): Finding {
  const sa = a.sectors?.get(0);
  const sb = b.sectors?.get(0);
  const modes = `${a.label}: ${a.header?.flashMode ?? '?'}, ${b.label}: ${b.header?.flashMode ?? '?'}`;
  if (sa && sb && idx.length === 1 && idx[0] === 0 && sa.every((x, i) => i === 2 || i === 3 || x === sb[i])) {
    return {
      severity: 'expected',
      region: r.name,
      sectors: idx,
      message: `Only header bytes 2–3 differ (flash mode/size/frequency; ${modes}).`,
      why: 'Flashers rewrite these two bytes on write (esptool --flash-mode/--flash-size); fine as long as each suits its board.',
    };
  }
  return {
    severity: 'suspicious',
    region: r.name,
    sectors: idx,
    message: 'The bootloader differs.',
    why: 'Boards built from the same firmware carry the same bootloader; one of them was flashed with something else.',
  };
}

function rfFinding({ a, b }: Input, r: RegionDiff, idx: number[]): Finding | null {
  const sector = Math.floor(r.start / SECTOR_SIZE);
  const ja = a.sectors?.get(sector);
  const jb = b.sectors?.get(sector);
  if (!ja || !jb) {
    if (idx.length === 0) return null;
    return {
      severity: 'expected',
      region: r.name,
      sectors: idx,
      message: 'RF init/calibration sector differs (contents not checked).',
      why: 'Calibration is chip-specific; inspect both sides to check byte 0 is 0x05.',
    };
  }
  const [va, vb] = [judgeRfInit(ja), judgeRfInit(jb)];
  const broken = [
    { side: a, v: va },
    { side: b, v: vb },
  ].filter((x) => x.v.state !== 'valid');
  if (broken.length > 0) {
    const who = broken.map((x) => x.side.label).join(' and ');
    const first = broken[0]!.v;
    return {
      severity: 'suspicious',
      region: r.name,
      sectors: [sector],
      message:
        first.state === 'blank'
          ? `${who}: RF init data at ${hex(r.start)} is blank (erased).`
          : `${who}: RF init data at ${hex(r.start)} is corrupt — byte 0 is ${hex(first.magic)}, not 0x05.`,
      why: first.explanation,
    };
  }
  if (idx.length === 0) return null;
  return {
    severity: 'expected',
    region: r.name,
    sectors: idx,
    message: 'RF init/calibration data differs but both are valid (byte 0 = 0x05).',
    why: 'Each chip keeps its own calibration.',
  };
}

/** How much of a sector was programmed: up to its last byte that is not 0xFF. */
function programmedLength(b: Uint8Array): number {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0xff) n--;
  return n;
}

/**
 * RF_CAL (Arduino S−0x4000, NONOS S−0x5000) differs between healthy boards: each chip has its own
 * calibration and any content is legitimate. One thing is still telling: with the same firmware on both
 * sides the same SDK writes calibrations of the same length, so a much shorter one was cut short while
 * being saved, and the SDK reuses it (notes 5.5: erase it so a full calibration runs).
 */
function rfCalFinding(input: Input, r: RegionDiff, idx: number[]): Finding | null {
  if (idx.length === 0) return null;
  const { a, b } = input;
  const sector = Math.floor(r.start / SECTOR_SIZE);
  const ja = a.sectors?.get(sector);
  const jb = b.sectors?.get(sector);
  const sameApp = input.regions.filter((x) => x.kind === 'app').every((x) => x.diffSectors === 0);
  if (ja && jb && sameApp) {
    const [la, lb] = [programmedLength(ja), programmedLength(jb)];
    if (la > 0 && lb > 0 && Math.min(la, lb) * 2 <= Math.max(la, lb)) {
      const [short, long] = la < lb ? [a, b] : [b, a];
      return {
        severity: 'suspicious',
        region: r.name,
        sectors: idx,
        message: `${short.label}: RF calibration at ${hex(r.start)} looks cut short (${Math.min(la, lb)} bytes programmed, ${long.label} has ${Math.max(la, lb)}).`,
        why: 'Both run the same firmware, whose SDK writes calibrations of one length; a shorter one was interrupted while being saved, and the SDK reuses it, so the radio runs miscalibrated. Erase it so the SDK recalibrates (`flashback repair`), or restore from the good board.',
      };
    }
  }
  const blankOn = [
    ja && programmedLength(ja) === 0 ? a.label : null,
    jb && programmedLength(jb) === 0 ? b.label : null,
  ].filter(Boolean);
  return {
    severity: 'expected',
    region: r.name,
    sectors: idx,
    message: blankOn.length
      ? `RF calibration is erased on ${blankOn.join(' and ')} (the SDK recalibrates at the next boot).`
      : 'RF calibration differs (chip-specific).',
    why: 'Each chip keeps its own RF calibration; any content is legitimate and an erased one is rebuilt by the SDK.',
  };
}

const EXPECTED_WHY: Partial<Record<string, string>> = {
  sysparam:
    'The SDK keeps each board’s WiFi config, AP cache and save counters here; they differ between healthy boards.',
  eeprom: 'Application data the sketch stores per board.',
  ota: 'Leftovers of earlier OTA updates; never executed.',
  settings: 'Per-device settings (Tasmota rotates them across these sectors).',
};

export function explainDifferences(input: Input): Finding[] {
  const out: Finding[] = [];
  for (const r of input.regions) {
    const idx = changedIn(input.sectors, r);
    if (r.kind === 'rf-init') {
      const f = rfFinding(input, r, idx);
      if (f) out.push(f);
      continue;
    }
    if (r.kind === 'rf-cal') {
      const f = rfCalFinding(input, r, idx);
      if (f) out.push(f);
      continue;
    }
    if (r.kind === 'app' && idx.length === 0) {
      out.push({
        severity: 'info',
        region: r.name,
        sectors: [],
        message: `The ${r.name} is identical on both.`,
        why: 'Both run the same firmware build.',
      });
      continue;
    }
    if (idx.length === 0) continue;
    if (r.kind === 'bootloader') out.push(headerFinding(input, r, idx));
    else if (r.kind === 'app') {
      out.push({
        severity: 'suspicious',
        region: r.name,
        sectors: idx,
        message: `The ${r.name} differs in ${idx.length} sectors.`,
        why: 'The boards run different firmware builds.',
      });
    } else if (r.kind === 'fs') {
      out.push({
        severity: 'suspicious',
        region: r.name,
        sectors: idx,
        message: `Filesystem content differs in ${idx.length} sectors.`,
        why: 'Config files or logs differ; review them if the boards behave differently.',
      });
    } else if (EXPECTED_WHY[r.kind]) {
      out.push({
        severity: 'expected',
        region: r.name,
        sectors: idx,
        message: `${r.name} differs in ${idx.length} sector(s).`,
        why: EXPECTED_WHY[r.kind]!,
      });
    } else {
      out.push({
        severity: r.kind === 'free' ? 'suspicious' : 'info',
        region: r.name,
        sectors: idx,
        message: `${idx.length} sector(s) differ in ${r.kind === 'free' ? 'space the layout leaves free' : 'unmapped flash'}.`,
        why: 'No known role for this area; data here is unexpected.',
      });
    }
  }
  const rank = { suspicious: 0, expected: 1, info: 2 } as const;
  return out.sort((x, y) => rank[x.severity] - rank[y.severity]);
}
