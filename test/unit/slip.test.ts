import { describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../main/esp/slip.js';

function decodeAll(bytes: number[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const d = new SlipDecoder((f) => frames.push(f));
  d.push(Uint8Array.from(bytes));
  return frames;
}

describe('SLIP', () => {
  it('escapes DB before C0 and wraps in C0', () => {
    expect(Array.from(slipEncode(Uint8Array.from([0x01, 0xc0, 0xdb, 0x02])))).toEqual([
      0xc0, 0x01, 0xdb, 0xdc, 0xdb, 0xdd, 0x02, 0xc0,
    ]);
  });
  it('encodes a 0xC000 READ_FLASH ack as the notes show', () => {
    expect(Array.from(slipEncode(Uint8Array.from([0x00, 0xc0, 0x00, 0x00])))).toEqual([
      0xc0, 0x00, 0xdb, 0xdc, 0x00, 0x00, 0xc0,
    ]);
  });
  it('round-trips random payloads fed one byte at a time', () => {
    let seed = 7;
    for (let n = 0; n < 50; n++) {
      const payload = Uint8Array.from(
        { length: (n * 37) % 300 },
        () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff,
      );
      const frames: Uint8Array[] = [];
      const d = new SlipDecoder((f) => frames.push(f));
      for (const b of slipEncode(payload)) d.push(Uint8Array.of(b));
      if (payload.length === 0) expect(frames).toEqual([]);
      else expect(Array.from(frames[0]!)).toEqual(Array.from(payload));
    }
  });
  it('skips boot garbage between frames and counts it', () => {
    const banner = Array.from(Buffer.from('\r\n ets Jan  8 2013,rst cause:2, boot mode:(1,6)\r\n'));
    const frames: Uint8Array[] = [];
    const d = new SlipDecoder((f) => frames.push(f));
    d.push(Uint8Array.from([...banner, 0xc0, 1, 2, 0xc0, 0x55, 0xc0, 3, 0xc0]));
    expect(frames.map((f) => Array.from(f))).toEqual([[1, 2], [3]]);
    expect(d.garbageBytes).toBe(banner.length + 1);
    expect(d.garbageText()).toContain('boot mode:(1,6)');
  });
  it('decodes back-to-back frames that share no gap and drops a frame with a bad escape', () => {
    expect(decodeAll([0xc0, 9, 0xc0, 0xc0, 8, 0xc0]).map((f) => Array.from(f))).toEqual([[9], [8]]);
    expect(decodeAll([0xc0, 1, 0xdb, 0x00, 2, 0xc0, 0xc0, 5, 0xc0]).map((f) => Array.from(f))).toEqual([[5]]);
  });
});
