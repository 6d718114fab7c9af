/**
 * The serial reader reads both rates across reboot cycles: a virtual board (honest UART, paced) whose
 * sketch prints at 115200 and then hangs until the hardware watchdog resets it; the ROM prints
 * `rst cause:4` and `wdt reset` at 74880. Both must be read, each at its own rate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readSerialLog, BOOT_LOG_BAUD } from '../../main/mqtt/serial-log.js';
import { splitGarbage } from '../../main/mqtt/log-parser.js';
import { VirtualBoard } from '../../main/sim/board.js';
import type { FirmwareRunner } from '../../main/sim/firmware-api.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import { wireLink } from '../support/wire-link.js';

const boards: VirtualBoard[] = [];
afterEach(() => boards.splice(0).forEach((b) => b.close()));

/** A sketch that starts, prints two lines and locks up; the hardware WDT resets it ~300 ms later. */
export const hangingSketch: FirmwareRunner = (ctx) => {
  const t1 = setTimeout(() => ctx.print('\r\nsetup: sensor init\r\nreading sensor...\r\n'), 60);
  const t2 = setTimeout(() => ctx.restart(4), 400);
  ctx.signal.addEventListener('abort', () => (clearTimeout(t1), clearTimeout(t2)));
};

describe('dual-rate serial reader', () => {
  it('a boot loop: ROM cause and wdt reset read at 74880, the app lines at 115200, over several cycles', async () => {
    const board = new VirtualBoard({ flash: buildDemoImage('good', 0x100000), firmware: hangingSketch });
    boards.push(board);
    const link = wireLink('virtual:loop', board.wire(), 115200);
    const lines: Array<[string, number]> = [];
    const log = readSerialLog(link, {
      monitorBaud: 115200,
      startAt: 'app',
      onLine: (raw, baud) => {
        const { text } = splitGarbage(raw);
        if (text.trim()) lines.push([text.trim(), baud]);
      },
    });
    await new Promise((r) => setTimeout(r, 2600));
    await log.stop();
    await link.close();
    const banners = lines.filter(([l]) => /rst cause:4/.test(l));
    expect(banners.length).toBeGreaterThanOrEqual(1);
    expect(banners.every(([, b]) => b === BOOT_LOG_BAUD)).toBe(true);
    expect(lines.some(([l, b]) => l === 'wdt reset' && b === BOOT_LOG_BAUD)).toBe(true);
    const app = lines.filter(([l]) => l === 'reading sensor...');
    expect(app.length).toBeGreaterThanOrEqual(2);
    expect(app.every(([, b]) => b === 115200)).toBe(true);
    expect(log.switches).toBeGreaterThanOrEqual(3);
  });
});
