/**
 * The same client over real byte links: the virtual board served on TCP (`socket://`, as esptool and
 * ser2net use) and through a real pty pair made by socat, opened with node-serialport. Neither link has
 * control lines, so the board waits in its ROM loader (download strap) and the client must not reset.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { systemTool } from '../support/system-tools.js';

const home = useTempHome();
const { backupBoard, detectBoard, executeRestore } = await import('../../main/flash/index.js');
const { VirtualBoard, startSimServer } = await import('../../main/sim/index.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { openLink } = await import('../../main/transport/index.js');

const MB4 = 4 * 1024 * 1024;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const good = buildDemoImage('good', MB4);
const bad = buildDemoImage('bad', MB4);
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('socket:// to `flashback sim`-style TCP server', () => {
  it('detects, backs up and restores over raw TCP without resetting', async () => {
    const board = new VirtualBoard({
      flash: Uint8Array.from(bad),
      pace: false,
      bootMode: 'download',
      mac: '18:fe:34:00:00:77',
    });
    const server = await startSimServer(board);
    cleanups.push(
      () => server.close(),
      () => board.close(),
    );
    const logs: string[] = [];
    const info = await detectBoard({ port: server.url }, { log: (l) => logs.push(l) });
    expect(info).toMatchObject({ chip: 'ESP8266EX', mac: '18:fe:34:00:00:77', bridge: 'tcp' });
    expect(logs.join('\n')).toMatch(/no DTR\/RTS control lines/);
    const b = await backupBoard({ port: server.url, library: null });
    expect(b.md5).toBe(md5(bad));
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, good);
    const r = await executeRestore({ port: server.url, image: img, backup: false, after: 'no-reset' });
    expect(r.verified).toBe(true);
    expect(md5(board.flash.snapshot())).toBe(md5(good));
    expect(server.connections).toBe(3);
  });

  it('a refused connection says what to start', async () => {
    const board = new VirtualBoard({ pace: false, bootMode: 'download' });
    const server = await startSimServer(board);
    const url = server.url;
    await server.close();
    board.close();
    await expect(detectBoard({ port: url })).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
  });
});

const socatTool = systemTool('socat');
describe.skipIf(socatTool.missing)('serial device: a real pty pair (socat) through node-serialport', () => {
  it('detects and backs up a range over /dev/pts with the stub', async () => {
    const dir = fs.mkdtempSync(path.join(home, 'pty-'));
    const a = path.join(dir, 'board');
    const h = path.join(dir, 'host');
    const socat: ChildProcess = spawn(
      socatTool.path,
      [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${h}`],
      {
        stdio: 'ignore',
      },
    );
    cleanups.push(() => socat.kill());
    for (let i = 0; i < 100 && !(fs.existsSync(a) && fs.existsSync(h)); i++)
      await new Promise((r) => setTimeout(r, 20));
    // The board side: a pty end bridged to a virtual board's wire (the "USB bridge").
    const board = new VirtualBoard({
      flash: Uint8Array.from(good),
      pace: false,
      bootMode: 'download',
      mac: '18:fe:34:00:00:78',
    });
    const boardLink = await openLink(a, { baud: 115200 });
    const wire = board.wire();
    wire.setHostBaud(115200);
    const offA = boardLink.onData((c) => wire.hostWrite(c));
    const offB = wire.onBoardData((c) => void boardLink.write(c));
    cleanups.push(async () => {
      offA();
      offB();
      wire.detach();
      board.close();
      await boardLink.close();
    });
    const info = await detectBoard({ port: h });
    expect(info).toMatchObject({ chip: 'ESP8266EX', mac: '18:fe:34:00:00:78' });
    expect(info.flash.size).toBe(MB4);
    // A pty cannot carry a baud change to the far side, so stay at 115200.
    const r = await backupBoard({ port: h, baud: 115200, offset: 0, size: 0x40000, library: null });
    expect(r.md5).toBe(md5(good.subarray(0, 0x40000)));
  });
});
