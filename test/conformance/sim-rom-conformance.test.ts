/**
 * Raw-protocol conformance of the virtual ROM loader: byte sequences as a host (or a broken host) would
 * put them on the wire, and the replies the ESP8266 ROM gives (notes 1.1–1.7, 1.12; the ROM's recv_packet
 * and UartDwnLdProc). No client code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VirtualBoard } from '../../main/sim/board.js';
import { C0, DB, dataPacket, le32, packet, rawBoard, SYNC_DATA } from './raw-host.js';

const MAGIC = 0xfff0c101;
const MAGIC_REG = 0x40001000;
const READ_REG = 0x0a;
const WRITE_REG = 0x09;
const SYNC = 0x08;
const FLASH_BEGIN = 0x02;
const FLASH_DATA = 0x03;
const FLASH_END = 0x04;
const MEM_BEGIN = 0x05;
const SPI_SET_PARAMS = 0x0b;
const MB = 1024 * 1024;

let boards: VirtualBoard[] = [];
function open(opts: Parameters<typeof rawBoard>[0] = {}) {
  const r = rawBoard(opts);
  boards.push(r.board);
  return r;
}
afterEach(() => {
  for (const b of boards) b.close();
  boards = [];
});

async function synced(opts: Parameters<typeof rawBoard>[0] = {}) {
  const r = open(opts);
  const replies = await r.host.sync();
  expect(replies).toHaveLength(8);
  return r;
}

describe('ROM: before and at SYNC', () => {
  it('ignores everything until a SYNC; answers it eight times with the first data word as value', async () => {
    const { host } = open();
    expect(await host.exchange(packet(READ_REG, le32(MAGIC_REG)))).toEqual([]);
    const replies = await host.sync();
    expect(replies).toHaveLength(8);
    for (const r of replies) {
      expect(r).toMatchObject({ direction: 1, op: SYNC, value: 0x20120707, status: [0, 0] });
    }
  });
});

describe('ROM: SLIP decoding', () => {
  it('an invalid escape stores the escaped byte itself (DB 10 → 10), and DB C0 stores C0 without ending the frame', async () => {
    const { host } = await synced();
    // READ_REG 0x40001000 with its 0x10 address byte sent as the invalid escape DB 10.
    const pkt = packet(READ_REG, le32(MAGIC_REG));
    const wire = [C0, ...pkt.slice(0, 9), DB, 0x10, ...pkt.slice(10), C0];
    host.bytes(wire);
    const [r] = await host.replies();
    expect(r).toMatchObject({ op: READ_REG, value: MAGIC, status: [0, 0] });
    // WRITE_REG to a scratch register whose value holds a C0, sent as DB C0: the frame does not end there.
    const scratch = 0x3ff00100;
    const w = packet(WRITE_REG, le32(scratch, 0x11c022, 0xffffffff, 0));
    const at = w.indexOf(0xc0);
    host.bytes([C0, ...w.slice(0, at), DB, C0, ...w.slice(at + 1), C0]);
    expect((await host.replies())[0]).toMatchObject({ op: WRITE_REG, status: [0, 0] });
    expect((await host.exchange(packet(READ_REG, le32(scratch))))[0]?.value).toBe(0x11c022);
  });

  it('C0 C0 <frame> C0 is answered normally (the empty frame is skipped)', async () => {
    const { host } = await synced();
    host.bytes([C0, C0, ...packet(READ_REG, le32(MAGIC_REG)), C0]);
    const replies = await host.replies();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ op: READ_REG, value: MAGIC, status: [0, 0] });
  });

  it('a malformed frame right after SYNC is answered eight times, as SYNC, with status 1 error 5', async () => {
    const { host } = await synced();
    // Direction byte 1 (not a request).
    const replies = await host.exchange(packet(READ_REG, le32(MAGIC_REG), 0, 1));
    expect(replies).toHaveLength(8);
    for (const r of replies) expect(r).toMatchObject({ op: SYNC, value: 0x20120707, status: [1, 5] });
  });
});

describe('ROM: the persistent reply header', () => {
  it('an unsupported opcode is answered with the PREVIOUS opcode and value, status 1 error 5', async () => {
    const { host } = await synced();
    await host.exchange(packet(READ_REG, le32(MAGIC_REG)));
    for (const op of [0xd2, 0x13, 0x0f, 0x10, 0x11, 0x12, 0xd0, 0xd1, 0x0d, 0x14]) {
      const replies = await host.exchange(packet(op, le32(0, 0, 0, 0)));
      expect(replies, `op 0x${op.toString(16)}`).toHaveLength(1);
      expect(replies[0]).toMatchObject({ op: READ_REG, value: MAGIC, status: [1, 5] });
    }
  });

  it('the value field persists across commands that do not set it', async () => {
    const { host } = await synced();
    expect((await host.exchange(packet(READ_REG, le32(MAGIC_REG))))[0]?.value).toBe(MAGIC);
    const [w] = await host.exchange(packet(WRITE_REG, le32(0x3ff00100, 1, 0xffffffff, 0)));
    expect(w).toMatchObject({ op: WRITE_REG, value: MAGIC, status: [0, 0] });
    const [m] = await host.exchange(packet(MEM_BEGIN, le32(0x100, 1, 0x1800, 0x40100000)));
    expect(m).toMatchObject({ op: MEM_BEGIN, value: MAGIC, status: [0, 0] });
  });

  it('the error byte latches: an OK reply after a failure still carries the old error until SYNC/READ_REG/WRITE_REG', async () => {
    const { host } = await synced();
    const [bad] = await host.exchange(packet(FLASH_BEGIN, le32(0, 0, 0x400, 0, 0))); // 20 bytes
    expect(bad).toMatchObject({ op: FLASH_BEGIN, status: [1, 5] });
    const [ok] = await host.exchange(packet(MEM_BEGIN, le32(0x100, 1, 0x1800, 0x40100000)));
    expect(ok).toMatchObject({ op: MEM_BEGIN, status: [0, 5] });
    const [cleared] = await host.exchange(packet(READ_REG, le32(MAGIC_REG)));
    expect(cleared?.status).toEqual([0, 0]);
  });

  it('an empty READ_REG is accepted and reads the address left in the buffer by the last frame', async () => {
    const { host } = await synced();
    await host.exchange(packet(READ_REG, le32(MAGIC_REG)));
    const [r] = await host.exchange(packet(READ_REG, []));
    expect(r).toMatchObject({ op: READ_REG, value: MAGIC, status: [0, 0] });
  });
});

describe('ROM: flash descriptor (4 MB until SPI_SET_PARAMS)', () => {
  const sector = 0x7fc000;

  it('FLASH_BEGIN past 4 MB fails with error 6 and erases nothing; after SPI_SET_PARAMS(8 MB) it works', async () => {
    const data = new Uint8Array(8 * MB).fill(0x5a);
    const { board, host } = await synced({ flashSize: 8 * MB, jedecId: [0xef, 0x40, 0x17], flash: data });
    const [r] = await host.exchange(packet(FLASH_BEGIN, le32(0x1000, 4, 0x400, sector)));
    expect(r).toMatchObject({ op: FLASH_BEGIN, status: [1, 6] });
    expect(board.flash.peek(sector, 0x1000).every((b) => b === 0x5a)).toBe(true);

    const [bad] = await host.exchange(packet(SPI_SET_PARAMS, le32(0, 8 * MB, 0x10000, 0x1000, 256)));
    expect(bad).toMatchObject({ op: SPI_SET_PARAMS, status: [1, 5] }); // 20 bytes: refused
    const [set] = await host.exchange(packet(SPI_SET_PARAMS, le32(0, 8 * MB, 0x10000, 0x1000, 256, 0xffff)));
    expect(set).toMatchObject({ op: SPI_SET_PARAMS, status: [0, 5] }); // OK; error 5 still latched
    const [begin] = await host.exchange(packet(FLASH_BEGIN, le32(0x800, 2, 0x400, sector)), 400);
    expect(begin?.status[0]).toBe(0);
    // The ROM's over-erase: 1 sector requested (0x800 rounds up to 1), 2 erased.
    expect(board.flash.peek(sector, 0x2000).every((b) => b === 0xff)).toBe(true);
    const block = new Array<number>(0x400).fill(0x33);
    const [d] = await host.exchange(dataPacket(FLASH_DATA, 0, block));
    expect(d).toMatchObject({ op: FLASH_DATA, status: [0, 5] });
    expect(board.flash.peek(sector, 0x400).every((b) => b === 0x33)).toBe(true);
  });

  it('the descriptor goes back to 4 MB after a reset', async () => {
    const { board, host } = await synced({ flashSize: 8 * MB });
    await host.exchange(packet(SPI_SET_PARAMS, le32(0, 8 * MB, 0x10000, 0x1000, 256, 0xffff)));
    expect(board.romSpi.descriptor.size).toBe(8 * MB);
    board.powerCycle();
    expect(board.romSpi.descriptor.size).toBe(4 * MB);
  });
});

describe('ROM variant without SPI_SET_PARAMS (romSetParams: false)', () => {
  it('answers 0x0B as an unknown command: the previous opcode, status 1, error 5; the descriptor stays 4 MB', async () => {
    const { board, host } = await synced({ flashSize: 8 * MB, romSetParams: false });
    await host.exchange(packet(READ_REG, le32(MAGIC_REG)));
    const replies = await host.exchange(
      packet(SPI_SET_PARAMS, le32(0, 8 * MB, 0x10000, 0x1000, 256, 0xffff)),
    );
    expect(replies[0]).toMatchObject({ op: READ_REG, value: MAGIC, status: [1, 5] });
    expect(board.romSpi.descriptor.size).toBe(4 * MB);
  });
});

describe('ROM: FLASH_DATA and FLASH_END', () => {
  it('needs the exact next sequence number (a repeated block is refused), a size ≤ block and a multiple of 4', async () => {
    const { host } = await synced({ flashSize: 1 * MB });
    await host.exchange(packet(FLASH_BEGIN, le32(0x1000, 2, 0x400, 0x10000)), 400);
    const block = new Array<number>(0x400).fill(0x11);
    expect((await host.exchange(dataPacket(FLASH_DATA, 0, block)))[0]?.status).toEqual([0, 0]);
    expect((await host.exchange(dataPacket(FLASH_DATA, 0, block)))[0]?.status).toEqual([1, 5]);
    expect((await host.exchange(dataPacket(FLASH_DATA, 1, block.slice(0, 3))))[0]?.status).toEqual([1, 5]);
    expect((await host.exchange(dataPacket(FLASH_DATA, 1, [...block, 0, 0, 0, 0])))[0]?.status).toEqual([
      1, 5,
    ]);
    expect((await host.exchange(dataPacket(FLASH_DATA, 1, block)))[0]?.status[0]).toBe(0);
  });

  it('reads each block back: writing over unerased data fails with error 8', async () => {
    const { host } = await synced({ flashSize: 1 * MB, flash: new Uint8Array(1 * MB).fill(0) });
    // Erase size 0: nothing is erased, the zeros stay and the block cannot be programmed.
    await host.exchange(packet(FLASH_BEGIN, le32(0, 1, 0x400, 0)));
    // (A uniform block would XOR to the same checksum as the zeros read back: start it with 0x01.)
    const block = [0x01, ...new Array<number>(0x3ff).fill(0xa5)];
    const [r] = await host.exchange(dataPacket(FLASH_DATA, 0, block));
    expect(r).toMatchObject({ op: FLASH_DATA, status: [1, 8] });
  });

  it('FLASH_END checks blocks and bytes against FLASH_BEGIN (error 6) and leaves the loader either way', async () => {
    const { board, host } = await synced({ flashSize: 1 * MB });
    await host.exchange(packet(FLASH_BEGIN, le32(0x800, 2, 0x400, 0)), 400);
    await host.exchange(dataPacket(FLASH_DATA, 0, new Array<number>(0x400).fill(0x22)));
    const [end] = await host.exchange(packet(FLASH_END, le32(1)));
    expect(end).toMatchObject({ op: FLASH_END, status: [1, 6] });
    expect(board.state).not.toBe('rom');
  });
});

describe('ROM: SYNC data', () => {
  it('a SYNC carrying other words still syncs, and its first word becomes the value', async () => {
    const { host } = await synced();
    const replies = await host.exchange(packet(SYNC, [0x44, 0x33, 0x22, 0x11, ...SYNC_DATA.slice(4)]));
    expect(replies).toHaveLength(8);
    expect(replies[0]).toMatchObject({ value: 0x11223344, status: [0, 0] });
  });
});
