/**
 * The SDK's system-param area, the last three sectors (ESP8266-NOTES 5.2, 5.6): two data sectors that
 * alternate (S−0x3000, S−0x2000) and a flag sector (S−0x1000) saying which one is current. The data
 * sectors hold `struct station_config` in plain form; offsets are not documented, the ones below are what
 * real 4 MB dumps show (SSID at sector offset 0x10, password right after at 0x30).
 */
export const STATION_SSID = { offset: 0x10, length: 32 } as const;
export const STATION_PASSWORD = { offset: 0x30, length: 64 } as const;
/** Byte 0 of the flag sector: 0 = first data sector is current, 1 = the second. */
export const FLAG_SELECT_OFFSET = 0;

/** Reads a NUL-padded C string; null when absent or not printable. */
export function readCString(bytes: Uint8Array, offset: number, length: number): string | null {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  const raw = field.subarray(0, end < 0 ? field.length : end);
  if (raw.length === 0 || raw.every((b) => b === 0xff)) return null;
  if (!raw.every((b) => b >= 0x20 && b < 0x7f)) return null;
  return new TextDecoder().decode(raw);
}

/** Writes `text` NUL-padded into a fixed-length field. */
export function writeCString(bytes: Uint8Array, offset: number, length: number, text: string): void {
  const enc = new TextEncoder().encode(text);
  if (enc.length > length) throw new Error(`"${text}" does not fit in ${length} bytes`);
  bytes.fill(0, offset, offset + length);
  bytes.set(enc, offset);
}
