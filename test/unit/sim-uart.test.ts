/**
 * The virtual UART is honest about rates: bytes sent at one rate and read at a rate more than a few
 * percent off arrive as garbage (bit-level resampling, as a real 16× oversampling receiver does), so no
 * test can pass by reading the ROM's 74880 output at 115200 or the app's at 74880.
 */
import { describe, expect, it } from 'vitest';
import { VirtualBoard } from '../../main/sim/board.js';
import { resample } from '../../main/sim/uart.js';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const BANNER = '\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n';

describe('virtual UART rates', () => {
  it('reads right within a few percent of the sender rate', () => {
    for (const rx of [115200, 113000, 117500]) expect(text(resample(enc(BANNER), 115200, rx))).toBe(BANNER);
  });

  it('garbles beyond a few percent: 74880 read at 115200, 115200 read at 74880, a 24/26 MHz crystal error', () => {
    for (const [tx, rx] of [
      [74880, 115200],
      [115200, 74880],
      [115200, Math.round((115200 * 24) / 26)],
      [115200, 9600],
    ] as const) {
      const got = text(resample(enc(BANNER), tx, rx));
      expect(got).not.toContain('rst cause');
      expect(got).not.toContain('boot mode');
    }
  });

  it('is deterministic and does not keep the byte count (frames split or merge)', () => {
    const a = resample(enc(BANNER), 74880, 115200);
    expect(a).toEqual(resample(enc(BANNER), 74880, 115200));
    expect(a.length).not.toBe(BANNER.length);
  });

  it('a board: the banner reads at 74880 only, the app at 115200 only; a 40 MHz crystal prints the banner at 115200', async () => {
    const run = async (hostBaud: number, crystalMHz = 26) => {
      const b = new VirtualBoard({
        pace: false,
        crystalMHz,
        flash: new Uint8Array(0x10000).fill(0xff),
        firmware: (ctx) => ctx.print('hello from app\r\n'),
      });
      const w = b.wire();
      w.setHostBaud(hostBaud);
      let got = '';
      w.onBoardData((c) => (got += text(c)));
      await new Promise((r) => setTimeout(r, 30));
      w.detach();
      b.close();
      return got;
    };
    const at74880 = await run(74880);
    expect(at74880).toContain('rst cause:1, boot mode:(3,6)');
    const at115200 = await run(115200);
    expect(at115200).not.toContain('rst cause');
    expect(await run(115200, 40)).toContain('rst cause:1, boot mode:(3,6)');
  });
});
