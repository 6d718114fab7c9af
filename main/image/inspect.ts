/**
 * `flashback inspect`: everything we can say about one image or full-flash dump, in the DESIGN.md
 * inspect keys (header, family, regions with state, rfInitData, wifiCredentials) plus the app image
 * at 0x1000 for Arduino layouts and the factory-data judgements.
 */
import { checksumVerdict, type ChecksumScheme } from './build-crc.js';
import { judgeFactoryData, type FactoryReport } from './factory.js';
import { parseImage, type ImageHeader } from './header.js';
import { FLASH_SIZES, identifyFile, productInFlash, type FileIdentity } from './firmware-id.js';
import { detectLayout, factoryRule, type FactoryRule, type Layout } from './layout.js';
import { isBlankDigest, SECTOR_SIZE, sectorDigests } from './sectors.js';

export interface HeaderSummary {
  magic: number;
  format: 'v1' | 'v2';
  segments: { addr: number; length: number }[];
  entry: number;
  flashMode: string | null;
  flashSize: number | null;
  flashFreq: string | null;
  checksumOk: boolean;
  checksumScheme: ChecksumScheme;
  checksumNote: string;
}

export interface InspectReport {
  size: number;
  /** What the file is as a thing to write (firmware-id.ts): kind, description, evidence. */
  identity: FileIdentity;
  header: HeaderSummary | null;
  /** Why there is no header (not an ESP8266 image, truncated, erased). */
  headerError: string | null;
  app: HeaderSummary | null;
  family: Layout['family'];
  regions: { name: string; start: number; size: number; kind: string; state: string; description: string }[];
  fs: Layout['fs'];
  /** Where this firmware keeps factory data: 'arduino' (init data in the firmware), 'nonos', 'unknown'. */
  factoryRule: FactoryRule;
  rfInitData: FactoryReport['rfInitData'];
  rfCal: FactoryReport['rfCal'];
  sysParams: FactoryReport['sysParams'] | null;
  wifiCredentials: { present: boolean; ssid: string | null };
  notes: string[];
}

function summarize(flash: Uint8Array, h: ImageHeader, at: number): HeaderSummary {
  const v = checksumVerdict(flash, h, at);
  return {
    magic: h.magic,
    format: h.format,
    segments: h.segments.map((s) => ({ addr: s.addr, length: s.length })),
    entry: h.entry,
    flashMode: h.flashMode,
    flashSize: h.flashSize,
    flashFreq: h.flashFreq,
    checksumOk: v.ok,
    checksumScheme: v.scheme,
    checksumNote: v.note,
  };
}

function regionState(
  kind: string,
  digests: string[],
  start: number,
  size: number,
  factory: FactoryReport | null,
): string {
  if (kind === 'rf-init' && factory?.rfInitData?.offset === start) return factory.rfInitData.state;
  const first = Math.floor(start / SECTOR_SIZE);
  const slice = digests.slice(first, Math.ceil((start + size) / SECTOR_SIZE));
  const blanks = slice.filter(isBlankDigest).length;
  return blanks === slice.length ? 'blank' : blanks === 0 ? 'data' : 'partly-blank';
}

/** `name` (the file's name, optional) only breaks ties the bytes leave open (a user1/user2 slot). */
export async function inspectImage(bytes: Uint8Array, name = ''): Promise<InspectReport> {
  const read = async (o: number, n: number) => bytes.subarray(o, o + n);
  const parsed = parseImage(bytes);
  const header = parsed.ok ? summarize(bytes, parsed.header, 0) : null;
  const detected = await detectLayout(read, bytes.length);
  // Name the product inside (ESPHome, NodeMCU, MicroPython…) from its own strings; the rule stays the
  // structure's, so a product we do not know changes nothing.
  const scanEnd =
    detected.family === 'arduino' ? (detected.appEnd ?? 0x1000) : Math.min(bytes.length, 0x100000);
  const product = productInFlash(bytes.subarray(0, scanEnd), detected.family);
  const layout: Layout = product ? { ...detected, family: product } : detected;
  let app: HeaderSummary | null = null;
  if (factoryRule(layout.family) === 'arduino') {
    const sketch = parseImage(bytes.subarray(0x1000));
    if (sketch.ok) app = summarize(bytes, sketch.header, 0x1000);
  }
  // Factory data only makes sense for a whole flash, not for a bare app .bin.
  const dump = FLASH_SIZES.includes(bytes.length);
  const wholeFlash = factoryRule(layout.family) !== 'unknown' && dump;
  // A firmware file holds no end-of-flash sectors: the tail a layout places by the file's length is
  // not there, so only what the file itself contains is listed.
  const tailKinds = new Set(['rf-cal', 'rf-init', 'sysparam', 'eeprom', 'settings']);
  const regions = dump
    ? layout.regions
    : layout.regions
        .filter((r) => r.start < bytes.length && !tailKinds.has(r.kind) && r.name !== 'beyond-header')
        .map((r) => ({ ...r, size: Math.min(r.size, bytes.length - r.start) }));
  const factory = wholeFlash ? await judgeFactoryData(read, bytes.length, layout) : null;
  const digests = sectorDigests(bytes);
  return {
    size: bytes.length,
    identity: identifyFile(bytes, name),
    header,
    headerError: parsed.ok ? null : parsed.reason,
    app,
    family: layout.family,
    regions: regions.map((r) => ({
      name: r.name,
      start: r.start,
      size: r.size,
      kind: r.kind,
      state: regionState(r.kind, digests, r.start, r.size, factory),
      description: r.description,
    })),
    fs: layout.fs,
    factoryRule: factoryRule(layout.family),
    rfInitData: factory?.rfInitData ?? null,
    rfCal: factory?.rfCal ?? null,
    sysParams: factory?.sysParams ?? null,
    wifiCredentials: {
      present: factory?.wifiCredentials.present ?? false,
      ssid: factory?.wifiCredentials.ssid ?? null,
    },
    notes: [
      ...layout.notes,
      ...(wholeFlash
        ? []
        : [
            dump
              ? 'Not a whole-flash dump of a recognised firmware: factory data (RF init, WiFi config) not judged.'
              : 'A file to write, not a whole flash: the end-of-flash sectors (RF data, WiFi settings) are not in it.',
          ]),
      ...(wholeFlash && factoryRule(layout.family) === 'arduino'
        ? [
            'Arduino-core firmware: PHY init data is compiled into the firmware, so S−0x4000 holds RF calibration, not init data.',
          ]
        : []),
    ],
  };
}
