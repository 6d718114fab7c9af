/**
 * Rewrites header bytes 2–3 (flash mode, size/frequency) the way esptool does on write, and only under
 * its conditions (ESP8266-NOTES 4.2): address 0, something other than `keep` asked, magic 0xE9, and the
 * image parses with a valid checksum. The checksum does not cover the header, so nothing else changes.
 */
import { FLASH_MODES, freqCode, sizeCode, type FlashFreq, type FlashMode } from './flash-params.js';
import { parseImage } from './header.js';

export interface HeaderPatch {
  flashMode?: FlashMode | 'keep';
  /** Bytes, or 'keep'. */
  flashSize?: number | 'keep';
  flashFreq?: FlashFreq | 'keep';
}

export interface PatchResult {
  bytes: Uint8Array;
  patched: boolean;
  reason: string;
}

export function patchHeader(bytes: Uint8Array, patch: HeaderPatch, address = 0): PatchResult {
  const keep = (v: unknown) => v === undefined || v === 'keep';
  const unchanged = (reason: string): PatchResult => ({ bytes, patched: false, reason });
  if (address !== 0) return unchanged('not written at 0x0');
  if (keep(patch.flashMode) && keep(patch.flashSize) && keep(patch.flashFreq))
    return unchanged('all parameters are "keep"');
  if (bytes[0] !== 0xe9)
    return unchanged(bytes[0] === 0xea ? 'V2 image (0xEA) is left alone' : 'no 0xE9 image at 0x0');
  const r = parseImage(bytes);
  if (!r.ok || r.header.format !== 'v1')
    return unchanged(`image does not parse: ${r.ok ? 'not V1' : r.reason}`);
  if (!r.header.checksum.ok) return unchanged('image checksum does not verify');
  let size = (bytes[3] ?? 0) >> 4;
  let freq = (bytes[3] ?? 0) & 0xf;
  if (typeof patch.flashSize === 'number') {
    const code = sizeCode(patch.flashSize);
    if (code === null) throw new RangeError(`no header code for flash size ${patch.flashSize}`);
    size = code;
  }
  if (patch.flashFreq !== undefined && patch.flashFreq !== 'keep') freq = freqCode(patch.flashFreq);
  const out = bytes.slice();
  if (patch.flashMode !== undefined && patch.flashMode !== 'keep')
    out[2] = FLASH_MODES.indexOf(patch.flashMode);
  out[3] = (size << 4) | freq;
  const patched = out[2] !== bytes[2] || out[3] !== bytes[3];
  return {
    bytes: out,
    patched,
    reason: patched ? 'header bytes 2–3 rewritten' : 'header already has these values',
  };
}
