/**
 * Bootloader command codec: opcodes, request encoding, response decoding, checksums and timeouts.
 * Pure functions over bytes (notes 1.2–1.6). Multi-byte fields are little-endian.
 */
export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export const OP_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Op).map(([k, v]) => [v, k]),
);

/** Seed of the XOR checksum used by MEM_DATA, FLASH_DATA and FLASH_DEFL_DATA (notes 1.3). */
export const CHECKSUM_SEED = 0xef;

export function checksum(data: Uint8Array, seed = CHECKSUM_SEED): number {
  let c = seed;
  for (const b of data) c ^= b;
  return c;
}

export function u32s(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** `00 | op | u16 len | u32 checksum | data` */
export function encodeRequest(op: number, data: Uint8Array, chk = 0): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x00;
  out[1] = op;
  dv.setUint16(2, data.length, true);
  dv.setUint32(4, chk >>> 0, true);
  out.set(data, 8);
  return out;
}

/** Data-phase payload `[len, seq, 0, 0] + block` with its checksum (MEM_DATA, FLASH_DATA, FLASH_DEFL_DATA). */
export function dataBlock(block: Uint8Array, seq: number): { data: Uint8Array; chk: number } {
  const data = new Uint8Array(16 + block.length);
  data.set(u32s(block.length, seq, 0, 0), 0);
  data.set(block, 16);
  return { data, chk: checksum(block) };
}

export const SYNC_PAYLOAD = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);

export interface Response {
  op: number;
  value: number;
  /** Response data including the two trailing status bytes. */
  data: Uint8Array;
  /** The payload before the status bytes (MD5 digest, etc.). */
  body: Uint8Array;
  /** status[0]: 0 = OK. */
  status: number;
  /** status[1] (ROM error code); stubs put their code in `status` itself. */
  error: number;
  /** The loader does not know this command (a reply with another opcode, status 1, error 5). */
  unsupported?: boolean;
}

/** Decodes a response frame, or null if it is not one (direction byte ≠ 1 or length mismatch). */
export function decodeResponse(frame: Uint8Array): Response | null {
  if (frame.length < 8 || frame[0] !== 0x01) return null;
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const len = dv.getUint16(2, true);
  if (frame.length !== 8 + len) return null;
  const data = frame.subarray(8);
  const statusAt = Math.max(0, data.length - 2);
  return {
    op: frame[1]!,
    value: dv.getUint32(4, true),
    data,
    body: data.subarray(0, statusAt),
    status: data.length >= 2 ? data[statusAt]! : 0,
    error: data.length >= 2 ? data[statusAt + 1]! : 0,
  };
}

/** ROM error codes (status 1, code in the second byte) — notes 1.2, E-proto. */
export const ROM_ERRORS: Record<number, string> = {
  0x05: 'received message is invalid (parameters or length)',
  0x06: 'failed to act on received message',
  0x07: 'invalid CRC in message',
  0x08: 'flash write error (the chip could not write: write-protected or failing flash)',
  0x09: 'flash read error',
  0x0a: 'flash read length error',
  0x0b: 'deflate error',
};

/** Stub error codes (first status byte) — notes 1.2. */
export const STUB_ERRORS: Record<number, string> = {
  0xc0: 'bad data length',
  0xc1: 'bad data checksum',
  0xc2: 'bad block size',
  0xc3: 'invalid command',
  0xc4: 'SPI flash operation failed',
  0xc5: 'SPI unlock failed',
  0xc6: 'not in flash mode (no FLASH_BEGIN before data)',
  0xc7: 'inflate (decompression) error',
  0xc8: 'not enough data',
  0xc9: 'too much data',
  0xff: 'command not implemented',
};

export function describeStatus(status: number, error: number): string {
  if (status === 1)
    return `ROM error 0x${error.toString(16).padStart(2, '0')}: ${ROM_ERRORS[error] ?? 'unknown error'}`;
  const name = STUB_ERRORS[status];
  return name
    ? `stub error 0x${status.toString(16)}: ${name}`
    : `status 0x${status.toString(16)}/0x${error.toString(16)}`;
}

/** esptool's defaults (notes 1.6). */
export const TIMEOUTS = {
  defaultMs: 3000,
  syncMs: 100,
  memEndRomMs: 200,
  erasePerMbMs: 40_000,
  md5PerMbMs: 8000,
  chipEraseMs: 120_000,
  maxMs: 240_000,
} as const;

/** `max(3 s, perMb × bytes / 1e6)`, capped (notes 1.6: decimal MB). */
export function timeoutFor(perMbMs: number, bytes: number): number {
  return Math.min(TIMEOUTS.maxMs, Math.max(TIMEOUTS.defaultMs, Math.ceil((perMbMs * bytes) / 1e6)));
}

/**
 * Ack timeout for a compressed block with the stub: it covers the previous block's inflate+erase+write,
 * allowing one 64 KiB erase per 32 KiB of output (notes 1.6, derived from E-cmds).
 */
export function deflBlockTimeout(uncompressedBytes: number): number {
  const budget = uncompressedBytes + (Math.ceil(uncompressedBytes / 0x8000) + 1) * 0x10000;
  return timeoutFor(TIMEOUTS.erasePerMbMs, budget);
}
