/**
 * What a shared image may still give away (issue 11 item 10): `scrub` blanks the SDK's WiFi sectors,
 * but applications keep their own copies — WiFiManager/ESPHome/Tasmota config, JSON files in LittleFS
 * or SPIFFS, the EEPROM emulation sector, a password compiled into the sketch. This scanner finds
 * credential-like text and known application config records with their offsets, so an export can say
 * what it did not remove. Values are reported masked, never in full.
 *
 * Kept low on false positives for ordinary firmware: a value must look like data, not code — printf
 * formats ("pass=%s"), template placeholders and empty fields are firmware strings, not secrets.
 */
import { detectLayout, type Region } from './layout.js';
import { SECTOR_SIZE } from './sectors.js';
import { dataSectorOffsets, readStationConfig, sdkTailSize } from './secrets.js';
import { STATION_PASSWORD } from './sysparam.js';

export type FindingKind =
  /** The SDK's own station config (only when the SDK sectors were not blanked). */
  | 'sdk-wifi'
  /** A byte-for-byte copy of the WiFi password the SDK stored, elsewhere in the image. */
  | 'wifi-password-copy'
  /** A JSON field with a password-like key: {"pass":"…"}. */
  | 'json'
  /** key=value or key: value text with a password-like key. */
  | 'key-value'
  /** user:password in a URL (mqtt://user:pass@host). */
  | 'url'
  /** A config area known to hold credentials (Tasmota settings), not removed. */
  | 'config-record'
  /** Text in the Arduino EEPROM emulation sector, where sketches often keep WiFi/MQTT settings. */
  | 'eeprom-text';

export interface CredentialFinding {
  /** Flash offset of the value (or of the record). */
  offset: number;
  /** Bytes the value (or the record) spans. */
  length: number;
  kind: FindingKind;
  /** `secret`: it looks like a password; `possible`: an area that usually holds them. */
  severity: 'secret' | 'possible';
  /** The key it was found under ("mqtt_pass"), when there is one. */
  key?: string;
  /** The value with all but its first character masked, and its length: never the value itself. */
  masked?: string;
  /** The layout region it lies in ("littlefs", "sketch", "eeprom", …). */
  region: string;
  /** One line for the user, with the offset. */
  hint: string;
}

const KEY_SUFFIXES = ['password', 'passwd', 'passphrase', 'pass', 'pwd', 'psk', 'secret', 'token', 'apikey'];
const NOT_SECRET = ['bypass', 'compass', 'nopass', 'onepass', 'multipass', 'tokens'];

/** Is `key` the name of a credential? ("mqtt_pass", "wifiPassword", "api-key"; not "bypass"). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (k.length === 0 || k.length > 32 || NOT_SECRET.some((n) => k.endsWith(n))) return false;
  return KEY_SUFFIXES.some((s) => k.endsWith(s));
}

const PLACEHOLDERS =
  /^(?:\*+|x+|\.+|-+|_+|null|none|undefined|true|false|changeme|password|your[_ -]?\w*|<[^>]*>|\[[^\]]*\]|\$\{?\w+\}?|!\w+)$/i;

/**
 * Does `v` look like a stored value rather than firmware text? Not empty, no printf format or
 * template, not a placeholder such as "********", "YOUR_PASSWORD" or a YAML tag ("!secret").
 */
export function looksLikeValue(v: string): boolean {
  if (v.length === 0 || v.length > 64) return false;
  if (/%[-+ #0]*\d*(?:\.\d+)?[sdiuxXcpf]|%%|\{\{|\}\}|\{\w*\}|\$\{|\\[nrt]/.test(v)) return false;
  return !PLACEHOLDERS.test(v.trim());
}

/** First character and stars (at most 12), then the length: enough to recognise, not to use. */
export function maskSecret(v: string): string {
  const stars = '*'.repeat(Math.min(12, Math.max(3, v.length - 1)));
  return `${v.length > 3 ? v[0] : ''}${stars} (${v.length} chars)`;
}

const PRINTABLE_MIN = 6;

/** Runs of printable ASCII (with tab/CR/LF) at least `min` long: [offset, text]. */
function* printableRuns(bytes: Uint8Array, min = PRINTABLE_MIN): Generator<[number, string]> {
  let start = -1;
  const flush = function* (end: number): Generator<[number, string]> {
    if (start >= 0 && end - start >= min)
      yield [start, Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1')];
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const printable = (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d;
    if (printable) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      yield* flush(i);
      start = -1;
    }
  }
  yield* flush(bytes.length);
}

const JSON_FIELD = /"([A-Za-z][\w.-]{0,31})"\s*:\s*"((?:[^"\\]|\\.){0,64})"/g;
const KEY_VALUE = /(?:^|[\s&;,?{(])([A-Za-z][\w.-]{0,31})\s*[=:]\s*([^\s"'&;,<>(){}[\]]{1,64})/g;
const URL_USERINFO = /\b[a-z][a-z0-9+.-]{1,10}:\/\/([^\s:@/]{1,64}):([^\s@/]{1,64})@[\w.-]+/gi;

/** File names (as stored in a LittleFS/SPIFFS directory entry) of known binary credential stores. */
const FS_CREDENTIAL_FILES: Array<[string, string]> = [
  ['security.dat', "ESPEasy's security.dat (its WiFi keys and controller passwords, binary)"],
];

interface Span {
  start: number;
  end: number;
}

export interface ScanOptions {
  /** Secrets known from elsewhere (the SDK's WiFi password before scrubbing): every copy is found. */
  knownSecrets?: Array<{ value: string; what: string }>;
  /** Ranges not to scan (the sectors scrub blanked). */
  skip?: Span[];
}

function regionAt(regions: Region[], offset: number): string {
  return regions.find((r) => offset >= r.start && offset < r.start + r.size)?.name ?? 'unknown';
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;

/** The SDK's stored station password and SSID (the current or the other data sector). */
export function sdkWifi(
  bytes: Uint8Array,
): { offset: number; ssid: string | null; password: string | null } | null {
  if (bytes.length < 0x10000) return null;
  for (const offset of dataSectorOffsets(sdkTailSize(bytes, bytes.length))) {
    const station = readStationConfig(bytes.subarray(offset, offset + 0x80));
    if (station) return { offset, ...station };
  }
  return null;
}

/** Scans a whole-flash image; findings sorted by offset, one per offset. */
export async function scanCredentials(
  bytes: Uint8Array,
  opts: ScanOptions = {},
): Promise<CredentialFinding[]> {
  const layout = await detectLayout(async (o, n) => bytes.subarray(o, o + n), bytes.length);
  const regions = layout.regions;
  const skip = opts.skip ?? [];
  const skipped = (o: number) => skip.some((s) => o >= s.start && o < s.end);
  const found = new Map<number, CredentialFinding>();
  const add = (f: Omit<CredentialFinding, 'region' | 'hint'> & { what: string }) => {
    if (skipped(f.offset) || found.has(f.offset)) return;
    const { what, ...rest } = f;
    const region = regionAt(regions, f.offset);
    const hint =
      f.severity === 'secret'
        ? `This image still contains what looks like a password at ${hex(f.offset)} (${what}, in ${region}); do not share it publicly.`
        : `${what} at ${hex(f.offset)} (in ${region}) may hold passwords; check before sharing the image.`;
    found.set(f.offset, { ...rest, region, hint });
  };

  // 1. The SDK's station config, where it was not blanked.
  const sdk = sdkWifi(bytes);
  if (sdk?.password && !skipped(sdk.offset))
    add({
      offset: sdk.offset + STATION_PASSWORD.offset,
      length: sdk.password.length,
      kind: 'sdk-wifi',
      severity: 'secret',
      key: 'station_config.password',
      masked: maskSecret(sdk.password),
      what: `the SDK's WiFi password for "${sdk.ssid ?? ''}" (export with --scrub to blank it)`,
    });

  // 2. Copies of a known secret anywhere else (an app's own WiFi config, a password compiled in).
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const k of opts.knownSecrets ?? []) {
    if (k.value.length < 4) continue; // too short to tell a copy from chance
    const needle = Buffer.from(k.value, 'latin1');
    for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1))
      add({
        offset: at,
        length: needle.length,
        kind: 'wifi-password-copy',
        severity: 'secret',
        masked: maskSecret(k.value),
        what: `a copy of ${k.what}`,
      });
  }

  // 3. Credential-like text: JSON fields, key=value, URL user info.
  for (const [at, text] of printableRuns(bytes)) {
    if (skipped(at)) continue;
    for (const m of text.matchAll(JSON_FIELD)) {
      const [whole, key, value] = m as unknown as [string, string, string];
      if (!isSecretKey(key) || !looksLikeValue(value)) continue;
      add({
        offset: at + m.index + whole.length - 1 - value.length, // the value ends before the closing quote
        length: value.length,
        kind: 'json',
        severity: 'secret',
        key,
        masked: maskSecret(value),
        what: `JSON "${key}"`,
      });
    }
    for (const m of text.matchAll(KEY_VALUE)) {
      const [whole, key, value] = m as unknown as [string, string, string];
      if (!isSecretKey(key) || !looksLikeValue(value)) continue;
      add({
        offset: at + m.index + whole.length - value.length,
        length: value.length,
        kind: 'key-value',
        severity: 'secret',
        key,
        masked: maskSecret(value),
        what: `"${key}=" value`,
      });
    }
    for (const m of text.matchAll(URL_USERINFO)) {
      const [whole, user, password] = m as unknown as [string, string, string];
      if (!looksLikeValue(password) || !looksLikeValue(user)) continue;
      add({
        offset: at + m.index + whole.indexOf(`:${password}@`) + 1,
        length: password.length,
        kind: 'url',
        severity: 'secret',
        key: 'url password',
        masked: maskSecret(password),
        what: 'a password in a URL (scheme://user:password@host)',
      });
    }
  }

  // 4. Known application config areas that keep credentials in their own layout.
  for (const r of regions) {
    const area = bytes.subarray(r.start, r.start + r.size);
    if (r.name === 'tasmota-settings' && area.some((b) => b !== 0xff && b !== 0x00))
      add({
        offset: r.start,
        length: r.size,
        kind: 'config-record',
        severity: 'possible',
        what: 'Tasmota settings (its WiFi, MQTT and web passwords in plain text, not removed by scrub)',
      });
    if (r.kind === 'fs') {
      // Files applications keep credentials in as binary structs (the JSON ones are found above).
      const buf = Buffer.from(area.buffer, area.byteOffset, area.byteLength);
      for (const [name, what] of FS_CREDENTIAL_FILES)
        for (let at = buf.indexOf(name); at >= 0; at = buf.indexOf(name, at + 1))
          add({
            offset: r.start + at,
            length: name.length,
            kind: 'config-record',
            severity: 'possible',
            what,
          });
    }
    if (r.kind === 'eeprom') {
      // Fixed char arrays a sketch puts there (WiFiManager-style ssid/pass): text of WPA length.
      for (const [at, text] of printableRuns(area, 8)) {
        const value = text.trim();
        if (!looksLikeValue(value) || !/[A-Za-z]/.test(value)) continue;
        add({
          offset: r.start + at,
          length: text.length,
          kind: 'eeprom-text',
          severity: 'possible',
          masked: maskSecret(value),
          what: 'text in the Arduino EEPROM sector, where sketches keep WiFi and MQTT settings',
        });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.offset - b.offset);
}

/** What scrub blanked and what it found but left: the report an export carries. */
export interface ScrubReport {
  /** Sector offsets blanked (the SDK's WiFi config). */
  blanked: number[];
  findings: CredentialFinding[];
}

/**
 * The report for exporting `original` as `out` (scrubbed or not): the scan of what is written, with
 * the SDK's WiFi password (read before blanking) searched for everywhere else.
 */
export async function exportReport(
  original: Uint8Array,
  out: Uint8Array,
  blanked: number[],
): Promise<ScrubReport> {
  const sdk = sdkWifi(original);
  const knownSecrets = sdk?.password
    ? [{ value: sdk.password, what: `the WiFi password the SDK stored for "${sdk.ssid ?? ''}"` }]
    : [];
  const skip = blanked.map((start) => ({ start, end: start + SECTOR_SIZE }));
  return { blanked, findings: await scanCredentials(out, { knownSecrets, skip }) };
}
