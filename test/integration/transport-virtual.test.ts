/**
 * virtual:NAME through the Link interface: DTR/RTS and baud reach the in-process board (its ROM banner
 * at 74880 shows which boot mode the lines selected), a SYNC gets the ROM's reply, one host at a time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slipEncode } from '../../main/esp/slip.js';
import { FlashbackError } from '../../main/errors.js';
import { closeVirtualBoard, openVirtualBoard } from '../../main/sim/index.js';
import { registerVirtualBoards } from '../../main/sim/virtual-link.js';
import { openLink, registerVirtualPorts } from '../../main/transport/index.js';
import type { Link } from '../../main/transport/link.js';

let home: string;
const savedHome = process.env.FLASHBACK_HOME;
const links: Link[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-vlink-'));
  process.env.FLASHBACK_HOME = home;
});
afterEach(async () => {
  for (const l of links.splice(0)) await l.close().catch(() => undefined);
});
afterAll(() => {
  closeVirtualBoard('good');
  if (savedHome === undefined) delete process.env.FLASHBACK_HOME;
  else process.env.FLASHBACK_HOME = savedHome;
  fs.rmSync(home, { recursive: true, force: true });
});

async function open(baud: number): Promise<Link> {
  openVirtualBoard('good', { pace: false }); // board options apply when the process first opens it
  const l = await openLink('virtual:good', { baud });
  links.push(l);
  return l;
}

function textOf(link: Link): { text: () => string; bytes: () => number[] } {
  const got: number[] = [];
  link.onData((c) => got.push(...c));
  return { text: () => Buffer.from(got).toString('latin1'), bytes: () => got };
}

/** NodeMCU auto-reset (ESP8266-NOTES 3.2): EN low, then release EN with GPIO0 held low. */
async function resetIntoBootloader(link: Link): Promise<void> {
  await link.setSignals({ dtr: false, rts: true });
  await sleep(100);
  await link.setSignals({ dtr: true, rts: false });
  await sleep(50);
  await link.setSignals({ dtr: false });
}

/** SYNC request per NOTES 1.2/1.5: dir 0x00, op 0x08, len 36, checksum 0, data 07 07 12 20 + 32 × 0x55. */
function syncPacket(): Uint8Array {
  const data = [0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)];
  return slipEncode(Uint8Array.from([0x00, 0x08, data.length, 0x00, 0, 0, 0, 0, ...data]));
}

describe('virtual: link', () => {
  it('is a virtual link with control lines and baud change', async () => {
    const link = await open(115200);
    expect(link.kind).toBe('virtual');
    expect(link.spec).toBe('virtual:good');
    expect(link.capabilities).toEqual({ controlLines: true, baudChange: true });
    expect(link.baud).toBe(115200);
  });

  it('DTR/RTS reach the board: the ROM banner at 74880 shows download mode', async () => {
    const link = await open(74880);
    const rx = textOf(link);
    await resetIntoBootloader(link);
    await sleep(100);
    expect(rx.text()).toMatch(/boot mode:\(1,\d\)/);
    expect(rx.text()).toMatch(/waiting for host/);
  });

  it('a hard reset (EN pulse, GPIO0 high) boots from flash instead', async () => {
    const link = await open(74880);
    const rx = textOf(link);
    await link.setSignals({ dtr: false, rts: true });
    await sleep(100);
    await link.setSignals({ rts: false });
    await sleep(100);
    expect(rx.text()).toMatch(/boot mode:\(3,\d\)/);
  });

  it('a SYNC written through the link gets the ROM loader reply', async () => {
    const link = await open(115200);
    await resetIntoBootloader(link);
    await sleep(50);
    await link.flushInput();
    const rx = textOf(link);
    await link.write(syncPacket());
    await sleep(100);
    // A response frame: C0 01 08 … (direction 1, opcode SYNC).
    const b = rx.bytes();
    const i = b.findIndex((x, k) => x === 0xc0 && b[k + 1] === 0x01 && b[k + 2] === 0x08);
    expect(i).toBeGreaterThanOrEqual(0);
    await link.setBaud(460800);
    expect(link.baud).toBe(460800);
  });

  it('one host at a time: a second open is PORT_BUSY, and closing frees the board', async () => {
    const first = await openLink('virtual:good', { baud: 115200 });
    const err = await openLink('virtual:good', { baud: 115200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_BUSY');
    const calls: Array<Error | undefined> = [];
    first.onClose((e) => calls.push(e));
    await first.close();
    expect(calls).toEqual([undefined]);
    expect(first.isOpen).toBe(false);
    await expect(first.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'PORT_CLOSED' });
    const second = await open(115200);
    expect(second.isOpen).toBe(true);
  });

  it('an unknown board is PORT_NOT_FOUND naming the demo boards', async () => {
    const err = await openLink('virtual:nosuchboard', { baud: 115200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_NOT_FOUND');
    expect((err as FlashbackError).hint).toMatch(/virtual:good/);
    expect((err as FlashbackError).hint).toMatch(/virtual:bad/);
  });

  it('main/transport serves virtual: only through what a composition root registered', async () => {
    registerVirtualPorts(null);
    try {
      const err = await openLink('virtual:good', { baud: 115200 }).catch((e: unknown) => e);
      expect((err as FlashbackError).code).toBe('PORT_NOT_FOUND');
      expect((err as FlashbackError).message).toMatch(/not available here/);
    } finally {
      registerVirtualBoards();
    }
    const l = await open(115200);
    expect(l.kind).toBe('virtual');
  });
});
