/**
 * Chip-side packet codec, written independently of the client's (main/esp) so the two check each other.
 * Request: `00 op len16 chk32 data`; response: `01 op len16 value32 data` (notes 1.2, little-endian).
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
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

export interface Request {
  /** First byte: 0 for a request. */
  direction: number;
  op: number;
  checksum: number;
  data: Uint8Array;
  /** The length field disagreed with the bytes received. */
  lengthMismatch: boolean;
}

export function u32(b: Uint8Array, off: number): number {
  return (
    ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16) | ((b[off + 3] ?? 0) << 24)) >>> 0
  );
}

export function words(b: Uint8Array, count: number, off = 0): number[] {
  return Array.from({ length: count }, (_, i) => u32(b, off + 4 * i));
}

/** Parses a host→chip frame; null when it is too short to hold a header. */
export function parseRequest(frame: Uint8Array): Request | null {
  if (frame.length < 8) return null;
  const op = frame[1]!;
  const len = frame[2]! | (frame[3]! << 8);
  const data = frame.subarray(8);
  return {
    direction: frame[0]!,
    op,
    checksum: u32(frame, 4),
    data: data.subarray(0, len),
    lengthMismatch: data.length !== len,
  };
}

export function buildResponse(op: number, value: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x01;
  out[1] = op;
  dv.setUint16(2, data.length, true);
  dv.setUint32(4, value >>> 0, true);
  out.set(data, 8);
  return out;
}

/** 0xEF XOR every byte (notes 1.3). */
export function xorChecksum(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** Splits a `[len, seq, 0, 0] + payload` data packet (FLASH_DATA, MEM_DATA, FLASH_DEFL_DATA). */
export function dataPacket(data: Uint8Array): { len: number; seq: number; payload: Uint8Array } | null {
  if (data.length < 16) return null;
  return { len: u32(data, 0), seq: u32(data, 4), payload: data.subarray(16) };
}
