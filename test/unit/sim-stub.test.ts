import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualBoard, type VirtualBoardOptions } from '../../main/sim/board.js';
import { TestHost, dataCmd, le32 } from './sim-client.js';

const ENTRY = { v2: 0x4010c504, legacy: 0x4010d004 } as const;
const boards: VirtualBoard[] = [];
afterEach(() => {
  for (const b of boards.splice(0)) b.close();
});

async function withStub(kind: 'v2' | 'legacy', opts: VirtualBoardOptions = {}) {
  const board = new VirtualBoard({ pace: false, bootMode: 'download', ...opts });
  boards.push(board);
  const host = new TestHost(board.wire());
  await host.sync();
  await host.command(0x05, le32(4, 1, 0x1800, ENTRY[kind] - 4));
  host.write(dataCmd(0x07, 0, new Uint8Array(4)));
  await host.replyTo(0x07);
  await host.command(0x06, le32(0, ENTRY[kind]));
  expect(Buffer.from(await host.frame()).toString()).toBe('OHAI');
  return { board, host };
}

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const md5 = (d: Uint8Array) => new Uint8Array(createHash('md5').update(d).digest());

describe.each(['v2', 'legacy'] as const)('%s stub', (kind) => {
  it('answers SYNC with 8 replies of value 0', async () => {
    const { host } = await withStub(kind);
    const r = await host.sync();
    expect(r.map((x) => x.value)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('READ_FLASH is stop-and-wait with a trailing MD5; a lost ACK stalls it until resent', async () => {
    const data = pattern(10_000);
    const { host } = await withStub(kind, { flash: data });
    const r = await host.command(0xd2, le32(0, 10_000, 4096, 64));
    expect(r.status).toEqual([0, 0]);
    const got: Uint8Array[] = [await host.frame()];
    expect(got[0]!.length).toBe(4096);
    expect(await host.silent(40)).toBe(true); // the ACK is "lost": nothing more comes
    host.write(le32(4096));
    got.push(await host.frame());
    host.write(le32(8192));
    got.push(await host.frame());
    expect(got[2]!.length).toBe(10_000 - 8192);
    host.write(le32(10_000));
    const digest = await host.frame();
    expect(Buffer.concat(got)).toEqual(Buffer.from(data.subarray(0, 10_000)));
    expect(digest).toEqual(md5(data.subarray(0, 10_000)));
    expect((await host.command(0x0a, le32(0x40001000))).value).toBe(0xfff0c101);
  });

  it('an ACK that is not 4 bytes jumps straight to the MD5 frame', async () => {
    const data = pattern(0x3000);
    const { host } = await withStub(kind, { flash: data });
    await host.command(0xd2, le32(0, 0x3000, 0x1000, 1));
    const first = await host.frame();
    host.write(Uint8Array.of(1, 2, 3));
    expect(await host.frame()).toEqual(md5(first));
  });

  it('writes zlib-compressed data in 16 KiB blocks and reports its MD5', async () => {
    const { board, host } = await withStub(kind, { flash: new Uint8Array(0x40000).fill(0xff) });
    const image = pattern(100_000).map((b, i) => (i % 3 === 0 ? 0 : b));
    const z = deflateSync(image, { level: 9 });
    const blocks = Math.ceil(z.length / 0x4000);
    expect((await host.command(0x10, le32(image.length, blocks, 0x4000, 0x10000))).status).toEqual([0, 0]);
    for (let i = 0; i < blocks; i++) {
      host.write(dataCmd(0x11, i, z.subarray(i * 0x4000, (i + 1) * 0x4000)));
      expect((await host.replyTo(0x11)).status).toEqual([0, 0]);
    }
    expect((await host.command(0x12, le32(1))).status).toEqual([0, 0]);
    expect(board.flash.peek(0x10000, image.length)).toEqual(image);
    const m = await host.command(0x13, le32(0x10000, image.length, 0, 0));
    expect(m.data.subarray(0, 16)).toEqual(md5(image));
    expect(m.status).toEqual([0, 0]);
    const erases = board.flash.counters.sectorErases + board.flash.counters.blockErases;
    // The flash was blank: v2 skips erasing it, the legacy stub erases 25 sectors as 1 block + 9 sectors.
    expect(erases).toBe(kind === 'v2' ? 0 : 1 + 9);
  });

  it('writes uncompressed 0x4000 blocks (last one padded) and erases sector-aligned', async () => {
    const { board, host } = await withStub(kind, { flash: new Uint8Array(0x20000) });
    const image = pattern(0x5000);
    expect((await host.command(0x02, le32(image.length, 2, 0x4000, 0x2000))).status).toEqual([0, 0]);
    for (let i = 0; i < 2; i++) {
      const block = new Uint8Array(0x4000).fill(0xff);
      block.set(image.subarray(i * 0x4000, (i + 1) * 0x4000));
      host.write(dataCmd(0x03, i, block));
      expect((await host.replyTo(0x03)).status).toEqual([0, 0]);
    }
    expect((await host.command(0x04, le32(1))).status).toEqual([0, 0]);
    expect(board.flash.peek(0x2000, image.length)).toEqual(image);
    expect(board.flash.peek(0x1fff, 1)[0]).toBe(0);
    expect(board.flash.peek(0x7000, 1)[0]).toBe(0);
  });

  it('ERASE_REGION wants 4 KiB multiples; ERASE_FLASH blanks the chip', async () => {
    const { board, host } = await withStub(kind, { flash: new Uint8Array(0x20000), flashSize: 0x20000 });
    expect((await host.command(0xd1, le32(0x1000, 0x800))).status[0]).toBe(0xc0);
    expect((await host.command(0xd1, le32(0x1000, 0x2000))).status).toEqual([0, 0]);
    expect(board.flash.isBlank(0x1000, 0x2000)).toBe(true);
    expect(board.flash.peek(0x3000, 1)[0]).toBe(0);
    expect((await host.command(0xd0, new Uint8Array(0))).status).toEqual([0, 0]);
    expect(board.flash.isBlank(0, 0x20000)).toBe(true);
  });
});

describe('stub differences', () => {
  it('v2 reports an oversized READ_FLASH packet in the reply to the next command, which is skipped', async () => {
    const { host } = await withStub('v2');
    expect((await host.command(0xd2, le32(0, 0x4000, 0x2000, 1))).status).toEqual([0, 0]);
    expect(await host.silent(30)).toBe(true);
    const next = await host.command(0x0a, le32(0x40001000));
    expect(next.status).toEqual([0xc0, 0]);
    expect(next.value).toBe(0); // not executed
    expect((await host.command(0x0a, le32(0x40001000))).value).toBe(0xfff0c101);
  });

  it('legacy stub goes silent after OK for an oversized packet', async () => {
    const { host } = await withStub('legacy');
    expect((await host.command(0xd2, le32(0, 0x4000, 0x2000, 1))).status).toEqual([0, 0]);
    expect(await host.silent(30)).toBe(true);
    expect((await host.command(0x0a, le32(0x40001000))).status).toEqual([0, 0]);
  });

  it('v2 reports an inflate error in the reply to the next command', async () => {
    const { host } = await withStub('v2');
    await host.command(0x10, le32(0x1000, 1, 0x4000, 0));
    host.write(dataCmd(0x11, 0, Uint8Array.of(0x12, 0x34, 0x56, 0x78)));
    expect((await host.replyTo(0x11)).status).toEqual([0, 0]);
    expect((await host.command(0x13, le32(0, 0x1000, 0, 0))).status).toEqual([0xc7, 0]);
  });

  it('legacy stub keeps the inflate error for FLASH_DEFL_END', async () => {
    const { host } = await withStub('legacy');
    await host.command(0x10, le32(0x1000, 1, 0x4000, 0));
    host.write(dataCmd(0x11, 0, Uint8Array.of(0x12, 0x34, 0x56, 0x78)));
    await host.replyTo(0x11);
    expect((await host.command(0x0a, le32(0x40001000))).status).toEqual([0, 0]);
    expect((await host.command(0x12, le32(1))).status).toEqual([0xc7, 0]);
  });

  it('v2 reads sectors before erasing while they are blank, then erases the rest without looking', async () => {
    // Sector 0 blank, sector 1 dirty, sectors 2–3 blank: the v2 stub (1.1.0 "skip erase on
    // already-blank sectors") reads 0 and 1, latches on 1, and erases 1, 2 and 3 unread.
    const flash = new Uint8Array(0x20000).fill(0xff);
    flash.fill(0x00, 0x1000, 0x2000);
    const { board, host } = await withStub('v2', { flash });
    const c = board.flash.counters;
    const read0 = c.bytesRead;
    const image = new Uint8Array(0x4000).fill(0x5a);
    const z = deflateSync(image);
    await host.command(0x10, le32(image.length, 1, 0x4000, 0));
    host.write(dataCmd(0x11, 0, z));
    expect((await host.replyTo(0x11)).status).toEqual([0, 0]);
    expect((await host.command(0x12, le32(1))).status).toEqual([0, 0]);
    expect(board.flash.peek(0, 0x4000)).toEqual(image);
    expect(c.sectorErases).toBe(3);
    expect(c.bytesRead - read0).toBe(2 * 0x1000);
  });

  it('FLASH_BEGIN: v2 accepts 20 bytes, legacy only 16', async () => {
    expect((await (await withStub('v2')).host.command(0x02, le32(0x1000, 1, 0x4000, 0, 0))).status).toEqual([
      0, 0,
    ]);
    expect(
      (await (await withStub('legacy')).host.command(0x02, le32(0x1000, 1, 0x4000, 0, 0))).status,
    ).toEqual([0xc0, 0]);
  });

  it('CHANGE_BAUDRATE replies at the old rate, then the link works at the new one', async () => {
    for (const kind of ['v2', 'legacy'] as const) {
      const { board, host } = await withStub(kind);
      expect((await host.command(0x0f, le32(921600, 115200))).status).toEqual([0, 0]);
      host.wire.setHostBaud(921600);
      expect(board.uart.boardBaud).toBe(921600);
      expect((await host.sync()).length).toBe(8);
      const div = (await host.command(0x0a, le32(0x60000014))).value;
      expect(Math.round((921600 * div) / 1e6 / 2)).toBe(26);
    }
  });

  it('legacy CHANGE_BAUDRATE with a wrong old rate ends at the wrong rate (garbage)', async () => {
    const { board, host } = await withStub('legacy');
    await host.command(0x0f, le32(921600, 230400));
    host.wire.setHostBaud(921600);
    expect(board.uart.boardBaud).toBe(460800);
    host.frames.length = 0;
    host.write(new Uint8Array([0x00, 0x0a, 4, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x40]));
    expect(await host.silent(40)).toBe(true);
  });

  it('FLASH_END(0): legacy soft-resets to the ROM loader, v2 stays in the stub', async () => {
    const legacy = await withStub('legacy');
    await legacy.host.command(0x02, le32(0, 0, 0x4000, 0));
    await legacy.host.command(0x04, le32(0));
    expect(legacy.board.state).toBe('rom');
    expect((await legacy.host.sync())[0]!.value).toBe(0x20120707);
    const v2 = await withStub('v2');
    await v2.host.command(0x02, le32(0, 0, 0x4000, 0));
    await v2.host.command(0x04, le32(0));
    expect(v2.board.state).toBe('stub');
    expect((await v2.host.sync())[0]!.value).toBe(0);
  });

  it('8 MB chip: v2 cannot reach above 4 MiB (0xC4), legacy can', async () => {
    const flash = new Uint8Array(8 << 20);
    flash.fill(0x42, 5 << 20, (5 << 20) + 16);
    const v2 = await withStub('v2', { flashSize: 8 << 20, jedecId: [0xef, 0x40, 0x17], flash });
    expect((await v2.host.command(0x13, le32(5 << 20, 16, 0, 0))).status).toEqual([0xc4, 0]);
    const legacy = await withStub('legacy', { flashSize: 8 << 20, jedecId: [0xef, 0x40, 0x17], flash });
    const m = await legacy.host.command(0x13, le32(5 << 20, 16, 0, 0));
    expect(m.data.subarray(0, 16)).toEqual(md5(new Uint8Array(16).fill(0x42)));
  });

  it('RUN_USER_CODE: legacy boots the app, v2 says not implemented', async () => {
    const legacy = await withStub('legacy');
    legacy.host.write(new Uint8Array([0, 0xd3, 0, 0, 0, 0, 0, 0]));
    await new Promise((r) => setTimeout(r, 20));
    expect(legacy.board.state).toBe('halted'); // blank flash: the ROM boot path prints ets_main.c
    const v2 = await withStub('v2');
    expect((await v2.host.command(0xd3, new Uint8Array(0))).status).toEqual([0xff, 0]);
    expect(v2.board.state).toBe('stub');
  });
});
