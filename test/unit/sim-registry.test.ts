import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import {
  closeVirtualBoard,
  factoryReset,
  listVirtualBoards,
  openVirtualBoard,
} from '../../main/sim/index.js';

let home: string;
const oldHome = process.env.FLASHBACK_HOME;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sim-reg-'));
  process.env.FLASHBACK_HOME = home;
});
afterAll(() => {
  for (const n of ['good', 'bad', 'mine']) closeVirtualBoard(n);
  if (oldHome === undefined) delete process.env.FLASHBACK_HOME;
  else process.env.FLASHBACK_HOME = oldHome;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('virtual board registry', () => {
  it('lists the demo boards and shares one instance per name', () => {
    expect(listVirtualBoards()).toEqual(['bad', 'good']);
    const a = openVirtualBoard('good', { pace: false });
    expect(openVirtualBoard('good')).toBe(a);
    expect(a.board.mac).toBe('18:fe:34:a1:b2:01');
    expect(openVirtualBoard('bad', { pace: false }).board.mac).toBe('18:fe:34:a1:b2:02');
    expect(a.board.flash.size).toBe(4 << 20);
    expect(a.board.flash.jedecWord).toBe(0x1640ef);
    expect(Buffer.from(a.board.flash.peek(0, 4 << 20)).equals(buildDemoImage('good', 4 << 20))).toBe(true);
  });

  it('one host at a time', () => {
    const b = openVirtualBoard('good');
    const w = b.wire();
    expect(() => b.wire()).toThrow(/already in use/);
    w.detach();
    b.wire().detach();
  });

  it('keeps flash between runs: detaching after a change saves it; factoryReset restores the demo', () => {
    const b = openVirtualBoard('bad', { pace: false });
    const w = b.wire();
    b.board.flash.eraseSector(0x3fc000);
    w.detach();
    expect(fs.existsSync(path.join(home, 'virtual', 'bad.bin'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(home, 'virtual', 'bad.json'), 'utf8')).mac).toBe(
      '18:fe:34:a1:b2:02',
    );
    closeVirtualBoard('bad');
    const again = openVirtualBoard('bad', { pace: false });
    expect(again).not.toBe(b);
    expect(again.board.flash.isBlank(0x3fc000, 0x1000)).toBe(true);
    expect(factoryReset()).toEqual(['good', 'bad']);
    const shipped = openVirtualBoard('bad', { pace: false });
    expect(
      Buffer.from(shipped.board.flash.peek(0x3fc000, 0x1000)).equals(
        buildDemoImage('bad', 4 << 20).subarray(0x3fc000, 0x3fd000),
      ),
    ).toBe(true);
  });

  it('unknown names fail with a hint; create makes and saves a new board', () => {
    expect(() => openVirtualBoard('nope')).toThrow(/No virtual board named "nope"/);
    const b = openVirtualBoard('mine', {
      pace: false,
      create: { flashSize: 1 << 20, mac: 'ac:d0:74:00:00:09' },
    });
    expect(b.board.flash.size).toBe(1 << 20);
    expect(b.board.flash.jedecWord).toBe(0x1440ef);
    expect(listVirtualBoards()).toContain('mine');
    expect(() => openVirtualBoard('../etc')).toThrow(/Bad virtual board name/);
  });
});
