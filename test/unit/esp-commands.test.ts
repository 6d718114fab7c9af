import { describe, expect, it } from 'vitest';
import {
  checksum,
  dataBlock,
  decodeResponse,
  deflBlockTimeout,
  describeStatus,
  encodeRequest,
  Op,
  SYNC_PAYLOAD,
  timeoutFor,
} from '../../main/esp/commands.js';

describe('command codec', () => {
  it('encodes a SYNC request byte-exactly', () => {
    const req = encodeRequest(Op.SYNC, SYNC_PAYLOAD);
    expect(Array.from(req.subarray(0, 12))).toEqual([
      0x00, 0x08, 0x24, 0x00, 0, 0, 0, 0, 0x07, 0x07, 0x12, 0x20,
    ]);
    expect(req.length).toBe(8 + 36);
    expect(req.subarray(12).every((b) => b === 0x55)).toBe(true);
  });
  it('checksums from 0xEF over the block only', () => {
    expect(checksum(Uint8Array.of())).toBe(0xef);
    expect(checksum(Uint8Array.of(0xef))).toBe(0);
    const { data, chk } = dataBlock(Uint8Array.of(1, 2, 3), 5);
    expect(Array.from(data.subarray(0, 8))).toEqual([3, 0, 0, 0, 5, 0, 0, 0]);
    expect(chk).toBe(0xef ^ 1 ^ 2 ^ 3);
  });
  it('decodes the observed ROM SYNC reply', () => {
    const r = decodeResponse(Uint8Array.from([0x01, 0x08, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00]));
    expect(r).toMatchObject({ op: 0x08, value: 0x20120707, status: 0, error: 0 });
  });
  it('returns MD5 body before the status bytes and rejects non-responses', () => {
    const frame = new Uint8Array(8 + 18);
    frame[0] = 1;
    frame[1] = Op.SPI_FLASH_MD5;
    frame[2] = 18;
    frame.fill(0xaa, 8, 24);
    const r = decodeResponse(frame)!;
    expect(r.body.length).toBe(16);
    expect(r.status).toBe(0);
    expect(decodeResponse(Uint8Array.of(0, 8, 0, 0, 0, 0, 0, 0))).toBeNull();
    expect(decodeResponse(Uint8Array.of(1, 8, 5, 0, 0, 0, 0, 0))).toBeNull();
  });
  it('names ROM and stub failures', () => {
    expect(describeStatus(1, 0x07)).toMatch(/ROM error 0x07.*CRC/);
    expect(describeStatus(0xc1, 0)).toMatch(/stub error 0xc1: bad data checksum/);
  });
  it('scales timeouts like esptool (floor 3 s, cap 240 s)', () => {
    expect(timeoutFor(40_000, 4096)).toBe(3000);
    expect(timeoutFor(40_000, 1_000_000)).toBe(40_000);
    expect(timeoutFor(40_000, 16_000_000)).toBe(240_000);
    expect(deflBlockTimeout(0x4000)).toBeGreaterThanOrEqual(3000);
  });
});
