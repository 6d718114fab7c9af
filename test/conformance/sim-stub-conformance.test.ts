/**
 * Raw-protocol conformance of the two virtual flasher stubs and of the board around them: each stub's
 * own SLIP decoding, the ROM descriptor bounding the v2 stub, mislabelled flash (addresses wrap), and a
 * stub that outlives a reset the board never got. Bytes built by hand (raw-host.ts), no client code.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { VirtualBoard } from '../../main/sim/board.js';
import { C0, DB, le32, packet, RawHost, rawBoard, SYNC_DATA, type Reply } from './raw-host.js';

const READ_REG = 0x0a;
const SYNC = 0x08;
const MEM_BEGIN = 0x05;
const MEM_DATA = 0x07;
const MEM_END = 0x06;
const SPI_SET_PARAMS = 0x0b;
const SPI_FLASH_MD5 = 0x13;
const READ_FLASH = 0xd2;
const CHANGE_BAUDRATE = 0x0f;
const FLASH_BEGIN = 0x02;
const FLASH_END = 0x04;
const MAGIC_REG = 0x40001000;
const MAGIC = 0xfff0c101;
const MB = 1024 * 1024;
const ENTRY = { v2: 0x4010c504, legacy: 0x4010d004 } as const;

let boards: VirtualBoard[] = [];
afterEach(() => {
  for (const b of boards) b.close();
  boards = [];
});

async function romSynced(opts: Parameters<typeof rawBoard>[0] = {}) {
  const r = rawBoard(opts);
  boards.push(r.board);
  expect(await r.host.sync()).toHaveLength(8);
  return r;
}

/** Uploads "a stub" (the board only looks at the entry point) and waits for OHAI. */
async function startStub(host: RawHost, kind: keyof typeof ENTRY): Promise<void> {
  const code = new Array<number>(64).fill(0x11);
  await host.exchange(packet(MEM_BEGIN, le32(code.length, 1, 0x1800, 0x4010c500)));
  let c = 0xef;
  for (const b of code) c ^= b;
  await host.exchange(packet(MEM_DATA, [...le32(code.length, 0, 0, 0), ...code], c));
  host.send(packet(MEM_END, le32(0, ENTRY[kind])));
  const frames = await host.drain(200);
  expect(frames.some((f) => String.fromCharCode(...f) === 'OHAI')).toBe(true);
}

async function stubBoard(kind: keyof typeof ENTRY, opts: Parameters<typeof rawBoard>[0] = {}) {
  const r = await romSynced(opts);
  await startStub(r.host, kind);
  return r;
}

function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

function md5OfReply(r: Reply | undefined): string {
  return Buffer.from(r!.data.slice(0, 16)).toString('hex');
}

describe('legacy stub SLIP', () => {
  it('C0 C0 <frame> C0 executes the stale buffer again and drops the frame', async () => {
    const { host } = await stubBoard('legacy');
    const scratchA = 0x3ff00100;
    // Two commands fill both receive buffers: A = READ_REG(magic), B = READ_REG(scratch).
    expect((await host.exchange(packet(READ_REG, le32(MAGIC_REG))))[0]?.value).toBe(MAGIC);
    expect((await host.exchange(packet(READ_REG, le32(scratchA))))[0]?.value).toBe(0);
    // C0 C0 ends an empty frame: the stub runs buffer A (READ_REG magic) again; the SYNC is dropped.
    host.bytes([C0, C0, ...packet(SYNC, SYNC_DATA), C0]);
    const replies = await host.replies();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ op: READ_REG, value: MAGIC, status: [0, 0] });
  });

  it('an invalid escape drops bytes until DC/DD: the command comes out short and runs on stale bytes', async () => {
    const { host } = await stubBoard('legacy');
    await host.exchange(packet(READ_REG, le32(MAGIC_REG))); // buffer A
    await host.exchange(packet(READ_REG, le32(0x3ff00050))); // buffer B
    // Into buffer A: the header survives, then DB 41 drops the address bytes that follow.
    const pkt = packet(READ_REG, le32(0x3ff00100));
    host.bytes([C0, ...pkt.slice(0, 8), DB, 0x41, ...pkt.slice(8), C0]);
    const [r] = await host.replies();
    // The stale address in buffer A (the magic register) is read, not 0x3ff00100.
    expect(r).toMatchObject({ op: READ_REG, value: MAGIC, status: [0, 0] });
  });
});

describe('v2 stub SLIP', () => {
  it('after C0 C0 the receiver is out of phase: that frame and the next get no reply; a lone C0 recovers', async () => {
    const { host } = await stubBoard('v2');
    host.bytes([C0, C0, ...packet(READ_REG, le32(MAGIC_REG)), C0]);
    expect(await host.replies()).toEqual([]);
    expect(await host.exchange(packet(READ_REG, le32(MAGIC_REG)))).toEqual([]);
    host.bytes([C0]);
    expect((await host.exchange(packet(READ_REG, le32(MAGIC_REG))))[0]).toMatchObject({
      op: READ_REG,
      value: MAGIC,
    });
  });

  it('an invalid escape drops the frame silently (and the next frame with it)', async () => {
    const { host } = await stubBoard('v2');
    const pkt = packet(READ_REG, le32(MAGIC_REG));
    host.bytes([C0, ...pkt.slice(0, 9), DB, 0x10, ...pkt.slice(10), C0]);
    expect(await host.replies()).toEqual([]);
  });

  it('a frame whose length disagrees with its header is refused with C0 00; a bad direction byte with C3 00', async () => {
    const { host } = await stubBoard('v2');
    const short = packet(READ_REG, le32(MAGIC_REG));
    short[2] = 8;
    expect((await host.exchange(short))[0]).toMatchObject({ op: READ_REG, status: [0xc0, 0] });
    expect((await host.exchange(packet(READ_REG, le32(MAGIC_REG), 0, 1)))[0]).toMatchObject({
      op: READ_REG,
      status: [0xc3, 0],
    });
  });
});

describe('the ROM descriptor bounds the v2 stub', () => {
  const top = 8 * MB - 0x1000;

  it('without SPI_SET_PARAMS to the ROM, MD5 and READ_FLASH past 4 MB fail (C4); its own SPI_SET_PARAMS does not help', async () => {
    const { host } = await stubBoard('v2', { flashSize: 8 * MB, jedecId: [0xef, 0x40, 0x17] });
    expect((await host.exchange(packet(SPI_FLASH_MD5, le32(top, 0x1000, 0, 0))))[0]?.status).toEqual([
      0xc4, 0,
    ]);
    await host.exchange(packet(SPI_SET_PARAMS, le32(0, 8 * MB, 0x10000, 0x1000, 256, 0xffff)));
    expect((await host.exchange(packet(SPI_FLASH_MD5, le32(top, 0x1000, 0, 0))))[0]?.status).toEqual([
      0xc4, 0,
    ]);
    expect((await host.exchange(packet(READ_FLASH, le32(top, 0x1000, 0x1000, 1))))[0]?.status).toEqual([
      0xc4, 0,
    ]);
    expect((await host.exchange(packet(FLASH_BEGIN, le32(0x1000, 1, 0x4000, top))))[0]?.status).toEqual([
      0xc4, 0,
    ]);
  });

  it('SPI_SET_PARAMS sent to the ROM before the stub starts lets it hash, read and write all 8 MB', async () => {
    const flash = new Uint8Array(8 * MB).fill(0xff);
    flash.fill(0x42, top, top + 0x1000);
    const { board, host } = await romSynced({ flashSize: 8 * MB, jedecId: [0xef, 0x40, 0x17], flash });
    await host.exchange(packet(SPI_SET_PARAMS, le32(0, 8 * MB, 0x10000, 0x1000, 256, 0xffff)));
    await startStub(host, 'v2');
    const [md5] = await host.exchange(packet(SPI_FLASH_MD5, le32(top, 0x1000, 0, 0)));
    expect(md5?.status).toEqual([0, 0]);
    expect(md5OfReply(md5)).toBe(md5Hex(board.flash.peek(top, 0x1000)));
    expect((await host.exchange(packet(FLASH_BEGIN, le32(0x1000, 1, 0x4000, top))))[0]?.status).toEqual([
      0, 0,
    ]);
  });

  it('the legacy stub configures 16 MB itself', async () => {
    const { host } = await stubBoard('legacy', { flashSize: 16 * MB, jedecId: [0xef, 0x40, 0x18] });
    const [md5] = await host.exchange(packet(SPI_FLASH_MD5, le32(16 * MB - 0x1000, 0x1000, 0, 0)));
    expect(md5?.status).toEqual([0, 0]);
  });
});

describe('JEDEC ids that disagree with the array', () => {
  async function rdid(host: RawHost): Promise<number> {
    // SPI user command RDID (notes 2.5).
    const w = (addr: number, v: number) => host.exchange(packet(0x09, le32(addr, v, 0xffffffff, 0)));
    await w(0x60000220, 23 << 8);
    await w(0x6000021c, (1 << 31) | (1 << 28));
    await w(0x60000224, (7 << 28) | 0x9f);
    await w(0x60000240, 0);
    await w(0x60000200, 1 << 18);
    return (await host.exchange(packet(READ_REG, le32(0x60000240))))[0]!.value & 0xffffff;
  }

  it('a 1 MB array labelled 4 MB answers RDID with capacity 0x16 and mirrors every 1 MB', async () => {
    const flash = new Uint8Array(1 * MB);
    for (let i = 0; i < flash.length; i++) flash[i] = (i * 7) & 0xff;
    const { host } = await stubBoard('v2', { flashSize: 1 * MB, jedecId: [0xef, 0x40, 0x16], flash });
    expect(await rdid(host)).toBe(0x1640ef);
    const first = md5OfReply((await host.exchange(packet(SPI_FLASH_MD5, le32(0, 0x10000, 0, 0))))[0]);
    for (const at of [1 * MB, 2 * MB, 3 * MB]) {
      const r = (await host.exchange(packet(SPI_FLASH_MD5, le32(at, 0x10000, 0, 0))))[0];
      expect(md5OfReply(r)).toBe(first);
    }
  });

  it('a 4 MB array labelled 1 MB answers RDID with capacity 0x14 and has distinct data above 1 MB', async () => {
    const flash = new Uint8Array(4 * MB);
    for (let i = 0; i < flash.length; i++) flash[i] = (i >> 16) & 0xff;
    const { host } = await stubBoard('v2', { flashSize: 4 * MB, jedecId: [0xef, 0x40, 0x14], flash });
    expect(await rdid(host)).toBe(0x1440ef);
    const a = md5OfReply((await host.exchange(packet(SPI_FLASH_MD5, le32(0, 0x10000, 0, 0))))[0]);
    const b = md5OfReply((await host.exchange(packet(SPI_FLASH_MD5, le32(3 * MB, 0x10000, 0, 0))))[0]);
    expect(a).not.toBe(b);
  });
});

describe('a board without auto-reset', () => {
  it('keeps the v2 stub at its last baud across a host that toggles DTR/RTS and asks for a reboot', async () => {
    const { board, host } = await stubBoard('v2', { autoReset: false });
    expect((await host.exchange(packet(CHANGE_BAUDRATE, le32(921600, 115200))))[0]?.status).toEqual([0, 0]);
    host.wire.setHostBaud(921600);
    // FLASH_END(0) = reboot: the v2 stub has no reboot and stays.
    await host.exchange(packet(FLASH_BEGIN, le32(0, 0, 0x4000, 0)));
    await host.exchange(packet(FLASH_END, le32(0)));
    host.wire.detach();

    const next = new RawHost(board.wire());
    // A classic bootloader reset reaches nothing.
    next.wire.setSignals({ dtr: false, rts: true });
    next.wire.setSignals({ dtr: true, rts: false });
    await new Promise((r) => setTimeout(r, 20));
    next.wire.setSignals({ dtr: false, rts: false });
    expect(board.state).toBe('stub');
    expect(await next.sync()).toEqual([]); // 115200: garbage both ways
    next.wire.setHostBaud(921600);
    const replies = await next.sync();
    expect(replies).toHaveLength(8);
    expect(replies.every((r) => r.value === 0)).toBe(true); // value 0: a stub (notes 1.5)
    board.powerCycle();
    expect(board.state).toBe('rom');
  });
});
