/**
 * verify checks what `write` left on the chip (issue 10 item 4): a file whose length is not a multiple
 * of 4 written over existing data, and a file at an unaligned offset, verify clean; a real difference
 * is reported with its sector and the address of the first differing byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

useTempHome();
const { verifyBoard, writeRegion } = await import('../../main/flash/index.js');
const { boardFactory } = await import('../support/boards.js');

const boards = boardFactory('v');
afterEach(() => boards.closeAll());
const MB = 1024 * 1024;

/** A board full of 0x5a: no neighbour byte is 0xFF. */
function busyBoard() {
  return boards.make(new Uint8Array(1 * MB).fill(0x5a));
}

describe('verify after write', () => {
  it('a 1001-byte file written over data verifies (the 3 bytes after it are the old neighbours, not 0xFF)', async () => {
    const b = busyBoard();
    const file = Uint8Array.from({ length: 1001 }, (_, i) => (i * 13) & 0xff);
    const w = await writeRegion({ port: b.port, baud: 921600, offset: 0x10000 }, file);
    expect(w.verified).toBe(true);
    expect(Array.from(b.flash().subarray(0x10000 + 1001, 0x10000 + 1004))).toEqual([0x5a, 0x5a, 0x5a]);
    const v = await verifyBoard({ port: b.port, baud: 921600, offset: 0x10000 }, file);
    expect(v).toMatchObject({ verified: true, diffSectors: [], firstDiff: null });
  });

  it('a file at an unaligned offset verifies, and a changed byte is reported at its own address', async () => {
    const b = busyBoard();
    const file = new Uint8Array(10).fill(0xf7);
    await writeRegion({ port: b.port, baud: 921600, offset: 0x1f803 }, file);
    const ok = await verifyBoard({ port: b.port, baud: 921600, offset: 0x1f803 }, file);
    expect(ok.verified).toBe(true);
    b.shared.board.flash.program(0x1f805, Uint8Array.of(0x00)); // NOR: clears bits
    const bad = await verifyBoard({ port: b.port, baud: 921600, offset: 0x1f803 }, file);
    expect(bad).toMatchObject({ verified: false, diffSectors: [0x1f000], firstDiff: 0x1f805 });
  });

  it('a file spanning sectors reports each differing sector and the first byte', async () => {
    const b = busyBoard();
    const file = Uint8Array.from({ length: 3 * 4096 + 6 }, (_, i) => (i % 251) | 0x80);
    await writeRegion({ port: b.port, baud: 921600, offset: 0x20ffe }, file);
    expect((await verifyBoard({ port: b.port, baud: 921600, offset: 0x20ffe }, file)).verified).toBe(true);
    b.shared.board.flash.program(0x22100, Uint8Array.of(0x00));
    b.shared.board.flash.program(0x24002, Uint8Array.of(0x00));
    const bad = await verifyBoard({ port: b.port, baud: 921600, offset: 0x20ffe }, file);
    expect(bad).toMatchObject({ verified: false, diffSectors: [0x22000, 0x24000], firstDiff: 0x22100 });
  });
});
