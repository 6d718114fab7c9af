/**
 * Builds ESP8266 V1 images (magic 0xE9) from segments: header, `addr,len,data` per segment, zero padding
 * to length ≡ 15 (mod 16), then the checksum byte (ESP8266-NOTES 4.1). Used by the demo flash and tests.
 */
import { FLASH_MODES, type FlashMode } from './flash-params.js';

export const IMAGE_MAGIC_V1 = 0xe9;
export const IMAGE_MAGIC_V2 = 0xea;
/** The checksum seed: 0xEF XOR every data byte of every segment (headers are not covered). */
export const CHECKSUM_SEED = 0xef;

export interface Segment {
  addr: number;
  data: Uint8Array;
}

export function segmentChecksum(segments: readonly Segment[]): number {
  let c = CHECKSUM_SEED;
  for (const s of segments) for (const b of s.data) c ^= b;
  return c;
}

export interface V1ImageSpec {
  entry: number;
  flashMode: FlashMode;
  /** Header byte 3: size nibble << 4 | freq nibble. */
  sizeFreq: number;
  segments: readonly Segment[];
}

export function buildV1Image(spec: V1ImageSpec): Uint8Array {
  for (const s of spec.segments) {
    // esptool refuses segment lengths that are not word multiples; so do we.
    if (s.data.length % 4 !== 0)
      throw new Error(`segment at 0x${s.addr.toString(16)} is not a multiple of 4`);
  }
  const body = spec.segments.reduce((n, s) => n + 8 + s.data.length, 8);
  const total = body + ((15 - (body % 16) + 16) % 16) + 1;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out[0] = IMAGE_MAGIC_V1;
  out[1] = spec.segments.length;
  out[2] = FLASH_MODES.indexOf(spec.flashMode);
  out[3] = spec.sizeFreq;
  dv.setUint32(4, spec.entry >>> 0, true);
  let p = 8;
  for (const s of spec.segments) {
    dv.setUint32(p, s.addr >>> 0, true);
    dv.setUint32(p + 4, s.data.length, true);
    out.set(s.data, p + 8);
    p += 8 + s.data.length;
  }
  out[total - 1] = segmentChecksum(spec.segments);
  return out;
}
