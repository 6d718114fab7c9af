/**
 * Why a real image may fail the plain XOR checksum and still be fine (ESP8266-NOTES 4.1, 4.3): Arduino
 * core 3.x writes a CRC-32 over the whole bin into flash 0x1010/0x1014 after the checksum was computed;
 * Tasmota on core 2.7 keeps a CRC at 0xFF8; MicroPython carries a size word at 0x8FFC.
 */
import type { ImageHeader } from './header.js';

export type ChecksumScheme = 'xor' | 'arduino-crc' | 'build-crc' | 'micropython' | 'bad';

export interface ChecksumVerdict {
  /** True when the image is intact by its own scheme. */
  ok: boolean;
  scheme: ChecksumScheme;
  note: string;
}

const u32 = (b: Uint8Array, at: number) =>
  ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;

/** MSB-first CRC-32, poly 0x04C11DB7, init 0xFFFFFFFF, as Arduino's elf2bin/checkFlashCRC use it. */
export function crc32Msb(data: Uint8Array, crc = 0xffffffff): number {
  for (const byte of data) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

/** Checks Arduino's __crc_len/__crc_val over flash [0, len) with those 8 bytes counted as zero. */
export function arduinoCrcOk(flash: Uint8Array): boolean {
  const len = u32(flash, 0x1010);
  const val = u32(flash, 0x1014);
  if (len < 0x1018 || len > flash.length || (len === 0 && val === 0)) return false;
  let crc = crc32Msb(flash.subarray(0, 0x1010));
  crc = crc32Msb(new Uint8Array(8), crc);
  crc = crc32Msb(flash.subarray(0x1018, len), crc);
  return crc === val || (crc ^ 0xffffffff) >>> 0 === val;
}

/**
 * Judges the checksum of the image whose header was parsed from `flash` at `at` (0 or 0x1000).
 * `flash` is the whole file/flash so the build CRCs, which live at fixed flash offsets, can be checked.
 */
export function checksumVerdict(flash: Uint8Array, header: ImageHeader, at: number): ChecksumVerdict {
  if (header.checksum.ok && (header.crc32?.ok ?? true))
    return { ok: true, scheme: 'xor', note: 'Checksum valid.' };
  if (at === 0x1000 && arduinoCrcOk(flash)) {
    return {
      ok: true,
      scheme: 'arduino-crc',
      note: 'XOR checksum does not match, but the Arduino core 3.x CRC at 0x1010 does: the build wrote it after the checksum. Image intact.',
    };
  }
  if (
    at === 0x1000 &&
    flash.length >= 0x1000 &&
    flash.subarray(0xff8, 0x1000).some((b) => b !== 0xaa && b !== 0xff)
  ) {
    return {
      ok: true,
      scheme: 'build-crc',
      note: 'XOR checksum does not match; a build CRC sits at 0xFF8 (Tasmota on core 2.7). Not judged broken.',
    };
  }
  const mpSize = u32(flash, 0x8ffc);
  if (at === 0 && mpSize > 0x9000 && mpSize <= flash.length) {
    return {
      ok: true,
      scheme: 'micropython',
      note: 'XOR checksum does not match; a MicroPython size word at 0x8FFC covers the firmware (it carries its own MD5). Not judged broken.',
    };
  }
  return {
    ok: false,
    scheme: 'bad',
    note: `Checksum mismatch (stored 0x${header.checksum.stored.toString(16)}, computed 0x${header.checksum.computed.toString(16)}): the image is damaged or was cut.`,
  };
}
