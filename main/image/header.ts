/**
 * Parses the ESP8266 image at the start of a buffer (ESP8266-NOTES 4.1, 4.4): V1 (0xE9) and V2 (0xEA).
 * Never throws on foreign or garbage input: `parseImage` answers "not an ESP8266 image" with a reason;
 * `requireImage` turns that into a FlashbackError for callers that need an image.
 */
import { FlashbackError } from '../errors.js';
import { MAX_FLASH_BYTES } from '../flash-geometry.js';
import { FLASH_MODES, FREQ_BY_CODE, SIZE_BY_CODE, type FlashFreq, type FlashMode } from './flash-params.js';
import { IMAGE_MAGIC_V1, IMAGE_MAGIC_V2, CHECKSUM_SEED } from './v1-image.js';

export interface ImageSegment {
  addr: number;
  length: number;
  /** Offset of the segment's data in the buffer. */
  dataOffset: number;
}

export interface ImageHeader {
  format: 'v1' | 'v2';
  magic: number;
  segments: ImageSegment[];
  entry: number;
  /** null when byte 2 is not 0–3 (the SDK's AT user1/user2 images use it for the slot, notes 4.1). */
  flashMode: FlashMode | null;
  flashModeByte: number;
  flashSizeCode: number;
  flashSize: number | null;
  flashFreq: FlashFreq | null;
  checksum: { stored: number; computed: number; ok: boolean };
  /** Bytes the image occupies, checksum (and V2 CRC) included. */
  length: number;
  /** V2 only: the trailing esp8266_crc32 and whether it matches. */
  crc32?: { stored: number; computed: number; ok: boolean };
}

export type ImageParse =
  { ok: true; header: ImageHeader } | { ok: false; reason: string; truncated: boolean };

const MAX_SEGMENTS = 16; // esptool refuses more

function notImage(reason: string, truncated = false): ImageParse {
  return { ok: false, reason, truncated };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

/**
 * A segment longer than any ESP8266 flash (16 MB) is not a cut-short file but a foreign or damaged
 * header: telling the user to "take the backup again" would send them after the wrong fault.
 */
function implausible(what: string, length: number): ImageParse | null {
  return length > MAX_FLASH_BYTES
    ? notImage(
        `${what} claims ${length} bytes, more than any ESP8266 flash holds: a foreign or damaged header`,
      )
    : null;
}

/** Walks `count` segment headers from `at`; XORs their data into the checksum. */
function walkSegments(
  b: Uint8Array,
  at: number,
  count: number,
  list: ImageSegment[],
): { end: number; xor: number } | ImageParse {
  let xor = CHECKSUM_SEED;
  let p = at;
  for (let i = 0; i < count; i++) {
    if (p + 8 > b.length) return notImage(`truncated in segment ${i} header`, true);
    const addr = u32(b, p);
    const length = u32(b, p + 4);
    const foreign = implausible(`segment ${i}`, length);
    if (foreign) return foreign;
    if (p + 8 + length > b.length)
      return notImage(`truncated in segment ${i} (needs ${length} bytes at 0x${(p + 8).toString(16)})`, true);
    list.push({ addr, length, dataOffset: p + 8 });
    for (let k = p + 8; k < p + 8 + length; k++) xor ^= b[k] ?? 0;
    p += 8 + length;
  }
  return { end: p, xor };
}

function flashFields(b: Uint8Array) {
  const modeByte = b[2] ?? 0xff;
  const sizeFreq = b[3] ?? 0;
  return {
    flashModeByte: modeByte,
    flashMode: FLASH_MODES[modeByte] ?? null,
    flashSizeCode: sizeFreq >> 4,
    flashSize: SIZE_BY_CODE.get(sizeFreq >> 4) ?? null,
    flashFreq: FREQ_BY_CODE.get(sizeFreq & 0xf) ?? null,
  };
}

function parseV1(b: Uint8Array): ImageParse {
  const count = b[1] ?? 0;
  if (count === 0 || count > MAX_SEGMENTS)
    return notImage(`0xE9 magic but ${count} segments (1–16 expected)`);
  const segments: ImageSegment[] = [];
  const walked = walkSegments(b, 8, count, segments);
  if ('ok' in walked) return walked;
  const checksumAt = walked.end + ((15 - (walked.end % 16) + 16) % 16);
  if (checksumAt >= b.length) return notImage('truncated before the checksum byte', true);
  const stored = b[checksumAt] ?? 0;
  return {
    ok: true,
    header: {
      format: 'v1',
      magic: IMAGE_MAGIC_V1,
      segments,
      entry: u32(b, 4),
      ...flashFields(b),
      checksum: { stored, computed: walked.xor, ok: stored === walked.xor },
      length: checksumAt + 1,
    },
  };
}

/** esp8266_crc32 as the V2 format defines it (notes 4.4): zlib CRC, then ^0xFFFFFFFF or +1. */
export function esp8266Crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  const crc = (c ^ 0xffffffff) >>> 0;
  return crc & 0x80000000 ? (crc ^ 0xffffffff) >>> 0 : (crc + 1) >>> 0;
}

function parseV2(b: Uint8Array): ImageParse {
  if (b.length < 16) return notImage('truncated V2 header', true);
  const iromLen = u32(b, 12);
  const iromData = 16;
  const foreign = implausible('the V2 irom segment', iromLen);
  if (foreign) return foreign;
  const afterIrom = iromData + iromLen + ((16 - (iromLen % 16)) % 16);
  if (afterIrom + 8 > b.length) return notImage('truncated in the V2 irom segment', true);
  if (b[afterIrom] !== IMAGE_MAGIC_V1) return notImage('V2 image without the inner 0xE9 header');
  const count = b[afterIrom + 1] ?? 0;
  if (count > MAX_SEGMENTS) return notImage(`V2 inner header has ${count} segments`);
  // The irom is mapped at 0x40200000 + its flash offset + 8 when the image sits at 0x1000 (notes 4.4).
  const segments: ImageSegment[] = [
    { addr: 0x40200000 + 0x1000 + iromData, length: iromLen, dataOffset: iromData },
  ];
  const walked = walkSegments(b, afterIrom + 8, count, segments);
  if ('ok' in walked) return walked;
  const checksumAt = walked.end + ((15 - (walked.end % 16) + 16) % 16);
  if (checksumAt + 5 > b.length) return notImage('truncated before the V2 checksum/CRC', true);
  const stored = b[checksumAt] ?? 0;
  const crcStored = u32(b, checksumAt + 1);
  const crcComputed = esp8266Crc32(b.subarray(0, checksumAt + 1));
  return {
    ok: true,
    header: {
      format: 'v2',
      magic: IMAGE_MAGIC_V2,
      segments,
      entry: u32(b, 4),
      ...flashFields(b),
      checksum: { stored, computed: walked.xor, ok: stored === walked.xor },
      length: checksumAt + 5,
      crc32: { stored: crcStored, computed: crcComputed, ok: crcStored === crcComputed },
    },
  };
}

/** Parses the image at the start of `bytes`. Never throws. */
export function parseImage(bytes: Uint8Array): ImageParse {
  if (bytes.length < 8) return notImage(`only ${bytes.length} bytes (a header needs 8)`, bytes.length > 0);
  if (bytes[0] === IMAGE_MAGIC_V1) return parseV1(bytes);
  if (bytes[0] === IMAGE_MAGIC_V2) return parseV2(bytes);
  const first = bytes.subarray(0, 8);
  if (first.every((x) => x === 0xff)) return notImage('erased flash (0xFF) at the image offset');
  return notImage(
    `magic 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')} is not 0xE9/0xEA: not an ESP8266 image`,
  );
}

/** Like parseImage, but throws FlashbackError(BAD_IMAGE | FILE_TRUNCATED) when there is no image. */
export function requireImage(bytes: Uint8Array, what = 'The file'): ImageHeader {
  const r = parseImage(bytes);
  if (r.ok) return r.header;
  if (r.truncated) {
    throw new FlashbackError(
      'FILE_TRUNCATED',
      `${what} is cut short: ${r.reason}`,
      'Back up or download the image again; the copy is incomplete.',
    );
  }
  throw new FlashbackError(
    'BAD_IMAGE',
    `${what} is not an ESP8266 image: ${r.reason}`,
    'Check that you picked a firmware or full-flash backup (.bin) for ESP8266.',
  );
}
