import { afterEach, describe, expect, it } from 'vitest';
import { VirtualBoard, type VirtualBoardOptions } from '../../main/sim/board.js';
import type { FirmwareContext } from '../../main/sim/firmware-api.js';
import { wireMs } from '../../main/sim/timing.js';
import { TestHost, le32, request } from './sim-client.js';

const boards: VirtualBoard[] = [];
afterEach(() => {
  for (const b of boards.splice(0)) b.close();
});
function make(opts: VirtualBoardOptions = {}) {
  const board = new VirtualBoard({ pace: false, ...opts });
  boards.push(board);
  return board;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A minimal valid V1 image: one 16-byte segment, checksum at offset 0x1F. */
function tinyImage(corrupt = false): Uint8Array {
  const img = new Uint8Array(0x20);
  img.set([0xe9, 1, 0, 0x40, 0x00, 0x00, 0x10, 0x40], 0);
  img.set(le32(0x40100000, 16), 8);
  let c = 0xef;
  for (let i = 0; i < 16; i++) {
    img[16 + i] = i * 3;
    c ^= i * 3;
  }
  // The checksum byte sits where the file length is ≡ 15 mod 16: 0x2F.
  const out = new Uint8Array(0x30).fill(0);
  out.set(img.subarray(0, 32));
  out[0x2f] = corrupt ? c ^ 1 : c;
  return out;
}

describe('boot modes from DTR/RTS (NodeMCU circuit)', () => {
  it('power-on boots from flash by default; classic reset enters the ROM loader', async () => {
    const board = make();
    const wire = board.wire();
    wire.setHostBaud(74880);
    const host = new TestHost(wire);
    await host.waitRaw(' ets Jan  8 2013,rst cause:1, boot mode:(3,6)\r\n\r\nets_main.c ');
    expect(board.state).toBe('halted');
    // esptool ClassicReset: DTR=F, RTS=T (EN low), DTR=T, RTS=F (EN high with IO0 low), DTR=F.
    wire.setSignals({ dtr: false });
    wire.setSignals({ rts: true });
    expect(board.state).toBe('reset');
    wire.setSignals({ dtr: true });
    wire.setSignals({ rts: false });
    await sleep(10);
    wire.setSignals({ dtr: false });
    expect(board.state).toBe('rom');
    await host.waitRaw('rst cause:2, boot mode:(1,6)\r\n\r\nwaiting for host\r\n');
  });

  it('opening a port that asserts both lines does not reset; hard reset (RTS pulse) boots the app', async () => {
    const board = make({ bootMode: 'run' });
    const wire = board.wire();
    await sleep(5);
    wire.setSignals({ dtr: true, rts: true });
    await sleep(5);
    expect(board.state).toBe('halted');
    wire.setSignals({ dtr: false, rts: true });
    expect(board.state).toBe('reset');
    wire.setSignals({ dtr: false, rts: false });
    await sleep(10);
    expect(board.state).toBe('halted'); // boot from (blank) flash again
  });

  it('bootMode download: power-on enters the ROM loader', () => {
    const board = make({ bootMode: 'download' });
    board.wire();
    expect(board.state).toBe('rom');
  });
});

describe('run mode', () => {
  it('prints load lines, csum, then runs the firmware at 115200 with the board facts', async () => {
    let seen: FirmwareContext | undefined;
    const board = make({
      flash: tinyImage(),
      mac: '18:fe:34:a1:b2:01',
      firmware: (ctx) => {
        seen = ctx;
        ctx.print('hello from app\r\n');
      },
    });
    const wire = board.wire();
    wire.setHostBaud(115200);
    const host = new TestHost(wire);
    await host.waitRaw('hello from app');
    expect(board.state).toBe('app');
    expect(seen?.mac).toBe('18:fe:34:a1:b2:01');
    expect(seen?.chipId).toBe(0xa1b201);
    expect(seen?.readFlash(0, 1)[0]).toBe(0xe9);
    // The ROM's lines went out at 74880: garbled for a 115200 host.
    expect(host.rawText).not.toContain('csum');
    // Reset aborts the firmware's signal.
    wire.setSignals({ rts: true });
    expect(seen?.signal.aborted).toBe(true);
  });

  it('boot lines are readable at 74880; a bad checksum prints csum err and hangs', async () => {
    const board = make({ flash: tinyImage(true) });
    const wire = board.wire();
    wire.setHostBaud(74880);
    const host = new TestHost(wire);
    await host.waitRaw('load 0x40100000, len 16, room 16 \r\ntail 0\r\nchksum 0x');
    await host.waitRaw('csum err\r\nets_main.c ');
    expect(board.state).toBe('halted');
  });
});

describe('UART rates', () => {
  it('the ROM adopts the host rate on SYNC (auto-baud) and garbles at other rates', async () => {
    const board = make({ bootMode: 'download' });
    const wire = board.wire();
    wire.setHostBaud(230400);
    const host = new TestHost(wire);
    const r = await host.sync();
    expect(r[0]!.value).toBe(0x20120707);
    expect(board.uart.boardBaud).toBe(230400);
    const div = (await host.command(0x0a, le32(0x60000014))).value;
    expect(Math.round((230400 * div) / 1e6 / 2)).toBe(26);
    wire.setHostBaud(115200); // no re-sync: the ROM stays at 230400
    host.write(request(0x0a, le32(0x40001000)));
    expect(await host.silent(40)).toBe(true);
  });
});

describe('faults', () => {
  it('dropping a byte of a request shifts it (the ROM reads a wrong address); the next one works', async () => {
    // After the 46-byte SYNC, byte 5 of the next request is its first checksum byte: the frame comes up
    // short, and the ROM (no length check on READ_REG) reads the address shifted by one byte.
    const board = make({ bootMode: 'download', faults: { dropNth: 46 + 5, direction: 'to-board' } });
    const host = new TestHost(board.wire());
    await host.sync();
    host.write(request(0x0a, le32(0x40001000)));
    const r = await host.replyTo(0x0a);
    expect(r.status).toEqual([0, 0]);
    expect(r.value).not.toBe(0xfff0c101);
    expect(await host.sync()).toHaveLength(8);
  });

  it('corrupting every Nth byte towards the host breaks replies', async () => {
    const board = make({ bootMode: 'download', faults: { corruptEvery: 3, direction: 'to-host' } });
    const host = new TestHost(board.wire());
    host.write(request(0x0a, le32(0x40001000)));
    await sleep(30);
    const ok = host.frames.some((f) => f[0] === 1 && f[1] === 0x0a && f[4] === 0x01 && f[7] === 0xff);
    expect(ok).toBe(false);
  });

  it('disconnect after N bytes fires onDisconnect and the link stays dead', async () => {
    const board = make({ bootMode: 'download', faults: { disconnectAfter: 100 } });
    const wire = board.wire();
    let err: Error | undefined;
    wire.onDisconnect((e) => (err = e));
    const host = new TestHost(wire);
    host.write(request(0x08, new Uint8Array(36)));
    host.write(request(0x08, new Uint8Array(36)));
    host.write(request(0x08, new Uint8Array(36)));
    await sleep(20);
    expect(err?.message).toMatch(/100 bytes/);
    expect(board.uart.isDead).toBe(true);
    host.frames.length = 0;
    host.write(request(0x0a, le32(0x40001000)));
    expect(await host.silent(30)).toBe(true);
  });

  it('slow erase multiplies the modeled erase time', async () => {
    const normal = make({ bootMode: 'download' });
    const slow = make({ bootMode: 'download', faults: { slowErase: 3 } });
    const times: number[] = [];
    for (const b of [normal, slow]) {
      const host = new TestHost(b.wire());
      await host.sync();
      const before = b.modeledMs;
      await host.command(0x02, le32(0x1000, 1, 0x400, 0)); // ROM erases 2 sectors
      times.push(b.modeledMs - before);
    }
    expect(times[1]! - times[0]!).toBeCloseTo(2 * 45 * 2, 5);
  });
});

describe('timing', () => {
  it('modeled time = wire + flash + latency, identical with and without pacing', async () => {
    const run = async (pace: boolean) => {
      const b = make({ bootMode: 'download', pace, latencyMs: 16 });
      const host = new TestHost(b.wire());
      const start = b.modeledMs;
      await host.sync();
      await host.command(0x02, le32(0x2000, 2, 0x400, 0x10000));
      return b.modeledMs - start;
    };
    const unpaced = await run(false);
    const paced = await run(true);
    expect(paced).toBeCloseTo(unpaced, 6);
    // SYNC: 46 bytes out, 8 × 12 bytes back; FLASH_BEGIN 26 + 12 bytes; 2 exchanges × 16 ms; 4 sectors erased.
    const expected = wireMs(46 + 8 * 12 + 26 + 12, 115200) + 2 * 16 + 4 * 45;
    expect(unpaced).toBeCloseTo(expected, 6);
  });

  it('a paced 10 KB transfer at 115200 takes about 0.87 s', async () => {
    const b = make({ bootMode: 'download', pace: true });
    const wire = b.wire();
    let got = 0;
    const t0 = performance.now();
    const done = new Promise<number>((resolve) =>
      wire.onBoardData((c) => {
        got += c.length;
        if (got >= 10_000) resolve(performance.now() - t0);
      }),
    );
    await sleep(30); // let the power-on banner leave first
    got = 0;
    const start = performance.now();
    b.uart.boardSend(new Uint8Array(10_000).fill(0x41), 115200);
    await done;
    const secs = (performance.now() - start) / 1000;
    expect(secs).toBeGreaterThan(0.8);
    expect(secs).toBeLessThan(1.3);
  });
});

describe('fault specs (CLI --fault)', () => {
  it('parses the documented forms and rejects others', async () => {
    const { parseFaults } = await import('../../main/sim/faults.js');
    expect(
      parseFaults(['drop:1000', 'corrupt-every:500@to-host', 'disconnect:20000', 'slow-erase:2.5']),
    ).toEqual({
      dropNth: 1000,
      corruptEvery: 500,
      direction: 'to-host',
      disconnectAfter: 20000,
      slowErase: 2.5,
    });
    expect(() => parseFaults(['explode:1'])).toThrow(/unknown fault/);
    expect(() => parseFaults(['drop'])).toThrow(/bad fault/);
  });
});
