/**
 * Flash parameters as the ESP8266 image header encodes them in bytes 2 and 3 (ESP8266-NOTES 4.1).
 * The size nibble follows the SDK's `flash_size_map`, where 0 (512 KB) and 1 (256 KB) are swapped.
 */
export type FlashMode = 'qio' | 'qout' | 'dio' | 'dout';
export type FlashFreq = '40m' | '26m' | '20m' | '80m';

export const FLASH_MODES: readonly FlashMode[] = ['qio', 'qout', 'dio', 'dout'];

const KB = 1024;
const MB = 1024 * KB;

/** Size nibble → bytes. 5/6/7 are the SDK's "-c1" / 2048+2048 maps of the same chip sizes. */
export const SIZE_BY_CODE: ReadonlyMap<number, number> = new Map([
  [0, 512 * KB],
  [1, 256 * KB],
  [2, 1 * MB],
  [3, 2 * MB],
  [4, 4 * MB],
  [5, 2 * MB],
  [6, 4 * MB],
  [7, 4 * MB],
  [8, 8 * MB],
  [9, 16 * MB],
]);

/** Bytes → the size nibble esptool writes (never the -c1 variants). */
export function sizeCode(bytes: number): number | null {
  const order = [1, 0, 2, 3, 4, 8, 9];
  for (const code of order) if (SIZE_BY_CODE.get(code) === bytes) return code;
  return null;
}

export const FREQ_BY_CODE: ReadonlyMap<number, FlashFreq> = new Map([
  [0x0, '40m'],
  [0x1, '26m'],
  [0x2, '20m'],
  [0xf, '80m'],
]);

export function freqCode(freq: FlashFreq): number {
  for (const [code, f] of FREQ_BY_CODE) if (f === freq) return code;
  throw new Error(`unknown flash frequency ${freq}`);
}

/** "4MB", "512KB": how users and esptool name sizes. */
export function formatSize(bytes: number): string {
  return bytes >= MB && bytes % MB === 0 ? `${bytes / MB}MB` : `${Math.round(bytes / KB)}KB`;
}

/** Parses "4MB", "1M", "512KB", "4194304", "0x400000". Returns null when it cannot. */
export function parseSize(text: string): number | null {
  const m = /^(0x[0-9a-f]+|\d+)\s*(k|kb|m|mb)?$/i.exec(text.trim());
  if (!m || !m[1]) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  return unit.startsWith('m') ? n * MB : unit.startsWith('k') ? n * KB : n;
}
