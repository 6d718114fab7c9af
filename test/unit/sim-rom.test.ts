import { afterEach, describe, expect, it } from 'vitest';
import { VirtualBoard } from '../../main/sim/board.js';
import { TestHost, concat, dataCmd, le32, request } from './sim-client.js';

const boards: VirtualBoard[] = [];
function open(opts: ConstructorParameters<typeof VirtualBoard>[0] = {}) {
  const board = new VirtualBoard({ pace: false, bootMode: 'download', ...opts });
  boards.push(board);
  return { board, host: new TestHost(board.wire()) };
}
afterEach(() => {
  for (const b of boards.splice(0)) b.close();
});

/** RDID through the SPI user-command registers, the way notes 2.5 describe it. */
async function rdid(host: TestHost): Promise<number> {
  const w = (addr: number, v: number) => host.command(0x09, le32(addr, v, 0xffffffff, 0));
  await w(0x60000220, 23 << 8);
  await w(0x6000021c, (1 << 31) | (1 << 28));
  await w(0x60000224, (7 << 28) | 0x9f);
  await w(0x60000240, 0);
  await w(0x60000200, 1 << 18);
  expect((await host.command(0x0a, le32(0x60000200))).value & (1 << 18)).toBe(0);
  return (await host.command(0x0a, le32(0x60000240))).value;
}

describe('ROM loader', () => {
  it('prints the download banner at 74880 and answers one SYNC with 8 replies of 0x20120707', async () => {
    const { board, host } = open();
    expect(board.state).toBe('rom');
    expect(board.romBaud).toBe(74880);
    const replies = await host.sync();
    expect(replies).toHaveLength(8);
    for (const r of replies) {
      expect(r.value).toBe(0x20120707);
      expect(r.status).toEqual([0, 0]);
    }
    expect(await host.silent(30)).toBe(true);
    // The banner went out at 74880 while the host listened at 115200: garbage, not text.
    expect(host.rawText).not.toContain('waiting for host');
  });

  it('banner is readable at 74880', async () => {
    const board = new VirtualBoard({ pace: false, bootMode: 'download' });
    boards.push(board);
    const wire = board.wire();
    // Listen at 74880 from the start: re-attach is not needed, the banner goes out on power-on,
    // so this board is powered on by wire() before we change baud; use a reset instead.
    wire.setHostBaud(74880);
    const host = new TestHost(wire);
    wire.setSignals({ dtr: false, rts: true });
    wire.setSignals({ dtr: true, rts: false });
    await host.waitRaw(' ets Jan  8 2013,rst cause:2, boot mode:(1,6)\r\n\r\nwaiting for host\r\n');
  });

  it('identifies as ESP8266 with MAC eFuses and crystal', async () => {
    const { host } = open({ mac: '18:fe:34:a1:b2:02' });
    await host.sync();
    expect((await host.command(0x0a, le32(0x40001000))).value).toBe(0xfff0c101);
    const w = [];
    for (const a of [0x3ff00050, 0x3ff00054, 0x3ff00058, 0x3ff0005c])
      w.push((await host.command(0x0a, le32(a))).value);
    expect((w[0]! >>> 24) & 0xff).toBe(0x02);
    expect(w[1]! & 0xffff).toBe(0xa1b2);
    expect((w[1]! >>> 16) & 0xff).toBe(0);
    expect(w[3]).toBe(0);
    const div = (await host.command(0x0a, le32(0x60000014))).value & 0xfffff;
    expect(Math.round((115200 * div) / 1e6 / 2)).toBe(26);
  });

  it('reads the JEDEC id through the SPI user command (RDID)', async () => {
    const { host } = open({ jedecId: [0xc8, 0x40, 0x16] });
    await host.sync();
    expect(await rdid(host)).toBe(0x1640c8);
  });

  it('FLASH_BEGIN erases up front with the real 2N bug, FLASH_DATA writes 1 KiB blocks', async () => {
    const { board, host } = open({ flash: new Uint8Array(0x20000) });
    await host.sync();
    const r = await host.command(0x02, le32(0x1000, 1, 0x400, 0));
    expect(r.status).toEqual([0, 0]);
    expect(board.flash.isBlank(0, 0x2000)).toBe(true); // 1 sector asked, 2 erased
    expect(board.flash.peek(0x2000, 1)[0]).toBe(0);
    const block = new Uint8Array(0x400).fill(0xa5);
    expect((await (host.write(dataCmd(0x03, 0, block)), host.replyTo(0x03))).status).toEqual([0, 0]);
    expect(board.flash.peek(0, 4)).toEqual(Uint8Array.of(0xa5, 0xa5, 0xa5, 0xa5));
    // Crossing a block boundary: 1 block + 1.5 sectors from 0 → 34 sectors erased.
    board.flash.program(0, new Uint8Array(0x30000));
    await host.command(0x02, le32(0x11800, 0x47, 0x400, 0));
    expect(board.flash.isBlank(0, 34 * 0x1000)).toBe(true);
    expect(board.flash.peek(34 * 0x1000, 1)[0]).toBe(0);
  });

  it('checks the data checksum (0x07) and rejects a 20-byte FLASH_BEGIN (0x05)', async () => {
    const { host } = open();
    await host.sync();
    expect((await host.command(0x02, le32(0, 0, 0x400, 0, 0))).status).toEqual([1, 0x05]);
    await host.command(0x02, le32(0x1000, 1, 0x400, 0));
    const payload = new Uint8Array(0x400).fill(1);
    host.write(request(0x03, concat(le32(0x400, 0, 0, 0), payload), 0x12));
    expect((await host.replyTo(0x03)).status).toEqual([1, 0x07]);
  });

  it('answers ops the ROM lacks with status 1, error 0x05, under the previous opcode', async () => {
    const { host } = open();
    await host.sync();
    await host.command(0x0a, le32(0x40001000));
    for (const op of [0xd2, 0x13, 0x0f, 0x10, 0x11, 0x12, 0xd0, 0xd1, 0x0d, 0x14]) {
      host.write(request(op, le32(0, 0, 0, 0)));
      const r = await host.replyTo(0x0a);
      expect(r.status, `op 0x${op.toString(16)}`).toEqual([1, 0x05]);
    }
  });

  it('native write-enable + sector erase via SPI_CMD bits erases exactly one sector', async () => {
    const { board, host } = open({ flash: new Uint8Array(0x10000) });
    await host.sync();
    const w = (addr: number, v: number) => host.command(0x09, le32(addr, v, 0xffffffff, 0));
    await w(0x60000200, 1 << 30); // WREN
    await w(0x60000204, 0x3000);
    await w(0x60000200, 1 << 24); // SE
    await w(0x60000200, 1 << 27); // RDSR
    expect((await host.command(0x0a, le32(0x60000210))).value & 1).toBe(0);
    expect(board.flash.isBlank(0x3000, 0x1000)).toBe(true);
    expect(board.flash.peek(0x2fff, 1)[0]).toBe(0);
    expect(board.flash.peek(0x4000, 1)[0]).toBe(0);
    // User-command route: 0x06 then 0x20 with a 24-bit MSB-aligned address, as esptool would send it.
    await w(0x60000220, 23 << 26);
    await w(0x6000021c, (1 << 31) | (1 << 30));
    await w(0x60000224, (7 << 28) | 0x06);
    await w(0x60000200, 1 << 18);
    await w(0x60000224, (7 << 28) | 0x20);
    await w(0x60000204, 0x5000 << 8);
    await w(0x60000200, 1 << 18);
    expect(board.flash.isBlank(0x5000, 0x1000)).toBe(true);
    expect(board.flash.peek(0x6000, 1)[0]).toBe(0);
  });

  it('uploads a stub by MEM_BEGIN/DATA/END and greets with OHAI for the v2 entry point', async () => {
    const { board, host } = open();
    await host.sync();
    const text = new Uint8Array(100).fill(7);
    expect((await host.command(0x05, le32(100, 1, 0x1800, 0x4010c500))).status).toEqual([0, 0]);
    host.write(dataCmd(0x07, 0, text));
    expect((await host.replyTo(0x07)).status).toEqual([0, 0]);
    host.write(request(0x07, concat(le32(100, 1, 0, 0), text), 0));
    expect((await host.replyTo(0x07)).status).toEqual([1, 0x07]);
    await host.command(0x06, le32(0, 0x4010c504));
    expect(Buffer.from(await host.frame()).toString()).toBe('OHAI');
    expect(board.state).toBe('stub');
    expect(board.stub).toBe('v2');
    const r = await host.sync();
    expect(r.every((x) => x.value === 0)).toBe(true);
  });

  it('goes silent after jumping to unknown code', async () => {
    const { board, host } = open();
    await host.sync();
    await host.command(0x06, le32(0, 0x40100000));
    expect(board.state).toBe('halted');
    host.write(request(0x08, new Uint8Array(36)));
    expect(await host.silent(50)).toBe(true);
  });

  it('FLASH_END(1) leaves the loader and runs the app (blank flash: ets_main.c and a hang)', async () => {
    const { board, host } = open();
    await host.sync();
    await host.command(0x02, le32(0, 0, 0x400, 0));
    const before = host.raw.length;
    expect((await host.command(0x04, le32(1))).status).toEqual([0, 0]);
    expect(board.state).toBe('halted');
    await new Promise((r) => setTimeout(r, 20));
    // ets_main.c went out at 74880: the host (115200) sees garbled bytes after the 12-byte reply.
    expect(host.raw.length - before).toBeGreaterThan(12);
    expect(host.rawText).not.toContain('ets_main.c');
  });
});
