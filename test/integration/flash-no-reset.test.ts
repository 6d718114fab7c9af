/**
 * Boards without auto-reset (issue 10 item 3) on the strict virtual board: an ESP-01 on a bare adapter
 * (DTR/RTS reach nothing) and a socket:// bridge (no control lines at all). The stub must be put back
 * to 115200 after each operation, a stub left at a faster rate by a run that was cut short is found
 * there, and `--before manual` asks for the buttons with a deadline, then goes on when they are pressed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { RawHost, le32, packet } from '../conformance/raw-host.js';
import type { UserPrompt } from '../../main/progress.js';

useTempHome();
const { backupBoard, detectBoard, verifyBoard, writeRegion } = await import('../../main/flash/index.js');
const { openVirtualBoard, closeVirtualBoard, startSimServer } = await import('../../main/sim/index.js');
const { rememberStubLeft } = await import('../../main/settings.js');
const { FlashbackError } = await import('../../main/errors.js');
const { demo } = await import('../support/boards.js');

const MB = 1024 * 1024;
let names: string[] = [];
let seq = 0;
afterEach(() => {
  for (const n of names) closeVirtualBoard(n);
  names = [];
});

/** An ESP-01-like board: no reset circuit, GPIO0 held low (it powers up in the ROM loader). */
function bareBoard() {
  const name = `bare${seq++}`;
  names.push(name);
  const shared = openVirtualBoard(name, {
    pace: false,
    autoReset: false,
    bootMode: 'download',
    create: { flash: demo.good.slice(0, MB), flashSize: MB, mac: `18:fe:34:0c:00:${seq}` },
  });
  return { port: `virtual:${name}`, shared, board: shared.board };
}

describe('a board whose DTR/RTS reach nothing', () => {
  it('one operation after another works: the stub is put back to 115200 and reused', async () => {
    const b = bareBoard();
    const first = await backupBoard({ port: b.port, baud: 921600, library: null });
    expect(first.size).toBe(MB);
    expect(b.board.state).toBe('stub'); // the hard reset reached nothing
    expect(b.board.uart.boardBaud).toBe(115200);
    const d = await detectBoard({ port: b.port });
    expect(d.mac).toBe(b.board.mac);
    const data = new Uint8Array(4096).fill(0x42);
    const w = await writeRegion({ port: b.port, baud: 921600, offset: 0x80000 }, data);
    expect(w.verified).toBe(true);
    expect((await verifyBoard({ port: b.port, baud: 460800, offset: 0x80000 }, data)).verified).toBe(true);
  });

  it('a stub left at 921600 by a run that was cut short is found at that rate (remembered per port)', async () => {
    const b = bareBoard();
    // A run that uploaded the stub, switched to 921600 and then died.
    const w = b.shared.wire();
    const raw = new RawHost(w);
    await raw.sync();
    await raw.exchange(packet(0x05, le32(64, 1, 0x1800, 0x4010c500)));
    raw.send(packet(0x06, le32(0, 0x4010c504)));
    await raw.drain(200);
    await raw.exchange(packet(0x0f, le32(921600, 115200)));
    w.detach();
    expect(b.board.uart.boardBaud).toBe(921600);

    const lost = await detectBoard({ port: b.port }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(FlashbackError);
    expect((lost as InstanceType<typeof FlashbackError>).code).toBe('NOT_IN_BOOTLOADER');

    await rememberStubLeft(b.port, 921600);
    const logs: string[] = [];
    const d = await detectBoard({ port: b.port }, { log: (l) => logs.push(l) });
    expect(d.mac).toBe(b.board.mac);
    expect(logs.join('\n')).toMatch(/left a flasher stub at 921600 baud/);
    expect(b.board.uart.boardBaud).toBe(115200); // and put back
  });

  it('--before manual prompts for the buttons with a deadline and goes on once they are pressed', async () => {
    const name = `manual${seq++}`;
    names.push(name);
    const shared = openVirtualBoard(name, {
      pace: false,
      autoReset: false,
      create: { flash: demo.good.slice(0, MB), flashSize: MB, mac: '18:fe:34:0d:00:01' },
    });
    const board = shared.board;
    board.powerOn(); // runs its firmware: GPIO0 high
    const prompts: Array<UserPrompt | null> = [];
    const d = await detectBoard(
      { port: `virtual:${name}`, before: 'manual' },
      {
        onPrompt: (p) => {
          prompts.push(p);
          // The user holds FLASH and taps RST: the chip comes up in the ROM loader.
          if (p) setTimeout(() => board.resetIntoBootloader(), 300);
        },
      },
    );
    expect(d.mac).toBe('18:fe:34:0d:00:01');
    expect(prompts[0]).toMatchObject({ kind: 'manual-reset' });
    expect(prompts[0]!.steps.join(' ')).toMatch(/hold FLASH.*RST.*Release FLASH/s);
    expect(prompts[0]!.until).toBeGreaterThan(Date.now());
    expect(prompts.at(-1)).toBeNull();
  });
});

describe('socket:// (no control lines)', () => {
  it('detect, backup, write and verify one after another over TCP', async () => {
    const name = `tcp${seq++}`;
    names.push(name);
    const shared = openVirtualBoard(name, {
      pace: false,
      autoReset: false,
      bootMode: 'download',
      create: { flash: demo.good.slice(0, MB), flashSize: MB, mac: '18:fe:34:0e:00:01' },
    });
    const server = await startSimServer(shared.board, { wire: () => shared.wire() });
    try {
      const port = server.url;
      expect((await detectBoard({ port })).mac).toBe('18:fe:34:0e:00:01');
      expect((await backupBoard({ port, library: null })).size).toBe(MB);
      const data = new Uint8Array(8192).fill(0x17);
      expect((await writeRegion({ port, offset: 0xf0000 }, data)).verified).toBe(true);
      expect((await verifyBoard({ port, offset: 0xf0000 }, data)).verified).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a 40 MHz crystal behind a bridge running at 921600 is reported as 40 MHz', async () => {
    const name = `xtal${seq++}`;
    names.push(name);
    const shared = openVirtualBoard(name, {
      pace: false,
      bootMode: 'download',
      create: { flash: demo.good.slice(0, MB), flashSize: MB, mac: '18:fe:34:0e:00:02', crystalMHz: 40 },
    });
    const server = await startSimServer(shared.board, { wire: () => shared.wire(), lineBaud: 921600 });
    try {
      const d = await detectBoard({ port: server.url });
      expect(d.crystalMHz).toBe(40);
    } finally {
      await server.close();
    }
  });
});
