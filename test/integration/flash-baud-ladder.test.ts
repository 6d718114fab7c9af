/**
 * The baud ladder steps down when the driver refuses a rate (BAD_ARGUMENT from setBaud, as a CH340
 * driver does above its cap) exactly as when the rate fails on the line (BAUD_FAILED). The refusing
 * adapter is a virtual board behind a Link whose setBaud throws like serial-link.ts does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { withBoard } from '../../main/flash/board-session.js';
import { openVirtualLink, registerVirtualBoards } from '../../main/sim/index.js';
import { listVirtualPorts, registerVirtualPorts } from '../../main/transport/virtual-ports.js';
import type { Link } from '../../main/transport/link.js';
import { boardFactory, demo } from '../support/boards.js';
import { useTempHome } from '../support/home.js';

useTempHome('flashback-ladder-');
const boards = boardFactory('ladder');
afterAll(() => {
  registerVirtualBoards();
  boards.closeAll();
});

/** A link that refuses rates above `cap` the way serial-link.ts reports a driver's refusal. */
function capped(link: Link, cap: number, refused: number[]): Link {
  return new Proxy(link, {
    get(target, prop, receiver) {
      if (prop === 'setBaud')
        return async (baud: number) => {
          if (baud > cap) {
            refused.push(baud);
            throw new FlashbackError(
              'BAD_ARGUMENT',
              `${target.spec} refused ${baud} baud`,
              'Pick a lower rate.',
              {
                refusedBaud: baud,
              },
            );
          }
          return target.setBaud(baud);
        };
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('baud ladder', () => {
  it('steps down past rates the driver refuses and connects at the first it accepts', async () => {
    const b = boards.make(demo.good);
    const refused: number[] = [];
    registerVirtualPorts({
      open: async (name, o) => capped(await openVirtualLink(name, o), 230_400, refused),
      list: () => listVirtualPorts(),
    });
    const logs: string[] = [];
    const baud = await withBoard(
      { port: b.port, baud: 921_600 },
      { log: (l) => logs.push(l) },
      async ({ link }) => link.baud,
    );
    expect(refused).toEqual([921_600, 460_800]);
    expect(baud).toBe(230_400);
    expect(logs.filter((l) => /stepping down/.test(l))).toHaveLength(2);
  });

  it('a rate the driver refuses never reaches the stub: a board no reset reaches still connects', async () => {
    // An ESP-01 on a bare adapter: DTR/RTS reach nothing, so a stub switched alone to 921600 would be
    // stranded there and every lower rung would find silence.
    const b = boards.make(demo.good, { autoReset: false, bootMode: 'download' });
    const refused: number[] = [];
    registerVirtualPorts({
      open: async (name, o) => capped(await openVirtualLink(name, o), 230_400, refused),
      list: () => listVirtualPorts(),
    });
    const baud = await withBoard(
      { port: b.port, baud: 921_600, before: 'no-reset' },
      {},
      async ({ link }) => link.baud,
    );
    expect(refused).toEqual([921_600, 460_800]);
    expect(baud).toBe(230_400);
    expect(b.shared.board.uart.boardBaud).toBe(115_200); // put back when the session ended
  });
});
