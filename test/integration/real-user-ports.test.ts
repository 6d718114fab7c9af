/**
 * Ports the way real users meet them: a board that answers and then hangs while connecting, a line that
 * cannot carry the rate the stub was switched to on a board no reset reaches. Each must end with a
 * message that says what happened and what gets the board back, not "the board did not answer at all"
 * with cable and GPIO15 hints. Real ptys made by socat (skipped where socat is missing).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf } from '../support/errors.js';
import { useTempHome } from '../support/home.js';
import { boardBehindPty, socat } from '../support/stalled-pty.js';

const home = useTempHome('flashback-realports-');
const { backupBoard, detectBoard, planRestore, restoreBoard } = await import('../../main/flash/index.js');
const { saveJournal } = await import('../../main/flash/journal.js');
const { rememberStubLeft, stubLeftAt } = await import('../../main/settings.js');
const { withBoard } = await import('../../main/flash/board-session.js');
const { hashRange } = await import('../../main/flash/block-hashes.js');
const { VirtualBoard, startSimServer } = await import('../../main/sim/index.js');
const { demo } = await import('../support/boards.js');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function board(mac: string, size = 1 << 20) {
  const b = new VirtualBoard({
    flash: Uint8Array.from(demo.good.subarray(0, size)),
    flashSize: size,
    mac,
    bootMode: 'download',
    autoReset: false,
    pace: false,
  });
  b.powerOn();
  cleanups.push(() => b.close());
  return b;
}

/**
 * A pty whose other end is socat's `address`: a TCP bridge at a fixed 115200 (ser2net, ESP-Link: rate
 * changes stay local), or a program instead of a board (EXEC/SYSTEM). `at` re-creates a given path, as
 * re-plugging an adapter does.
 */
async function ptyTo(address: string, at?: string): Promise<string> {
  const dir = at ? path.dirname(at) : fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pty-'));
  const tty = at ?? path.join(dir, 'tty');
  const proc = spawn(socat.path, [`pty,raw,echo=0,link=${tty}`, address], { stdio: 'ignore' });
  cleanups.push(async () => {
    if (proc.exitCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill();
      await gone;
    }
    if (!at) fs.rmSync(dir, { recursive: true, force: true });
  });
  const end = Date.now() + 10_000;
  while (!fs.existsSync(tty)) {
    if (Date.now() > end) throw new Error('socat did not create the pty');
    await new Promise((r) => setTimeout(r, 20));
  }
  return tty;
}

/** A pty behind a raw TCP bridge to `url` (socket://HOST:PORT). */
const ptyToBridge = (url: string, at?: string) => ptyTo(`tcp:${url.replace('socket://', '')}`, at);

describe.skipIf(socat.missing)('a port that goes quiet while connecting', () => {
  it('a board that answered and then hung is a stalled port, not "no bootloader"', async () => {
    const pty = await boardBehindPty(board('18:fe:34:6c:00:01'));
    cleanups.push(() => pty.close());
    pty.deafenAfter(400); // after SYNC, during the chip checks
    const e = await errorOf(detectBoard({ port: pty.path, before: 'no-reset' }));
    expect(e.code).toBe('PORT_STALLED');
    expect(e.message).toMatch(/stopped answering while connecting: the board answered, then timed out/);
    expect(e.message).toMatch(/nothing was written/);
    expect(e.hint).toMatch(/unplug the adapter/i);
    expect(e.message).not.toMatch(/did not answer at all/);
  }, 60_000);

  it('a rate the line cannot carry, on a board no reset reaches, says the stub is stranded and how to recover', async () => {
    const b = board('18:fe:34:6c:00:02');
    const server = await startSimServer(b);
    cleanups.push(() => server.close());
    const tty = await ptyToBridge(server.url);
    const e = await errorOf(withBoard({ port: tty, before: 'no-reset', baud: 921600 }, {}, async () => 0));
    expect(b.state).toBe('stub');
    expect(b.uart.boardBaud).toBe(921600); // stranded: only a power-cycle brings it back
    expect(e.code).toBe('BAUD_FAILED');
    expect(e.message).toMatch(/answered at 115200 baud, then went silent once switched to 921600 baud/);
    expect(e.hint).toMatch(/still listens at 921600 baud: power-cycle the board.*--baud 460800/);
  }, 60_000);
});

describe.skipIf(socat.missing)('a port that is not an ESP8266', () => {
  it('one that echoes what is sent (TX looped to RX) is named as an echo, not as a silent board', async () => {
    const tty = await ptyTo('EXEC:cat');
    const e = await errorOf(detectBoard({ port: tty, before: 'no-reset' }));
    expect(e.code).toBe('NOT_IN_BOOTLOADER');
    expect(e.message).toMatch(/sends back what Flashback sends \(\d+ SYNC requests came back unchanged\)/);
    expect(e.hint).toMatch(/TX and RX are looped back/);
  }, 60_000);

  it('one that prints text shows a line of it, so the user sees what is talking', async () => {
    const tty = await ptyTo('SYSTEM:while true; do echo "temp=21.5 hum=40 uptime=1234"; sleep 0.1; done');
    const e = await errorOf(detectBoard({ port: tty, before: 'no-reset' }));
    expect(e.code).toBe('NOT_IN_BOOTLOADER');
    expect(e.message).toMatch(/readable at 115200 baud: "temp=21.5 hum=40 uptime=1234"/);
    expect(e.message).toMatch(/a firmware \(or another device\) is talking on it/);
  }, 60_000);
});

describe.skipIf(socat.missing)('a port that goes quiet during a long on-chip hash', () => {
  it('is closed as stalled one short question after the hash times out, not after three full timeouts', async () => {
    const pty = await boardBehindPty(board('18:fe:34:6c:00:03', 4 << 20));
    cleanups.push(() => pty.close());
    // 1.25 MiB: esptool's 8 s/MB gives the MD5 10.5 s; three such timeouts took 32 s to call it stalled.
    const size = 0x140000;
    let waited = 0;
    const e = await errorOf(
      withBoard({ port: pty.path, before: 'no-reset', baud: 115200 }, {}, async ({ session }) => {
        pty.deafen();
        const t0 = Date.now();
        try {
          await hashRange(session, 0, size);
        } finally {
          waited = Date.now() - t0;
        }
      }),
    );
    expect(e.code).toBe('PORT_STALLED');
    expect(e.message).toMatch(/stopped answering: nothing came back for the last 2 commands/);
    expect(waited).toBeGreaterThan(10_000); // the MD5 had its full timeout: the board may just be slow
    expect(waited).toBeLessThan(16_000); // then one 3 s question settled it
  }, 60_000);
});

describe.skipIf(socat.missing)('a second board plugged into the same port', () => {
  it('nothing remembered about board A is applied to board B on the same path', async () => {
    const a = board('18:fe:34:6c:0a:01');
    const b = board('18:fe:34:6c:0b:02');
    const [sa, sb] = [await startSimServer(a), await startSimServer(b)];
    cleanups.push(
      () => sa.close(),
      () => sb.close(),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-usb-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const port = path.join(dir, 'ttyUSB0');
    const target = { port, before: 'no-reset' as const, baud: 115200 };

    const unplugA = cleanups.length;
    await ptyToBridge(sa.url, port);
    expect((await detectBoard(target)).mac).toBe(a.mac);
    // A run on A was cut short with its stub at 921600, and a restore of A was interrupted half-way.
    await rememberStubLeft(port, 921600);
    await saveJournal({
      version: 2,
      port,
      board: { mac: a.mac, chip: 'ESP8266EX', jedecId: 0x1440ef, flashSize: 1 << 20 },
      startedAt: new Date().toISOString(),
      image: { source: 'good.bin', sha256: 'ab'.repeat(32), libraryId: null, size: 1 << 20 },
      flashMode: 'keep',
      preserve: [],
      backupId: null,
      planned: [1, 2, 3],
      written: [1],
    });
    // Unplug A, plug B into the same adapter: the same path.
    await cleanups.splice(unplugA, 1)[0]!();
    await ptyToBridge(sb.url, port);
    const before = b.flash.snapshot();

    // The wizard's jobs meant for A (backup of the good board, a plan made for it) refuse B.
    const library = path.join(home, 'lib-second-board');
    const wrong = await errorOf(backupBoard({ ...target, library, expectMac: a.mac }));
    expect(wrong.code).toBe('WRONG_BOARD');
    expect(wrong.message).toContain(`is ESP8266EX ${b.mac}, not the board ${a.mac}`);
    expect(wrong.message).toMatch(/nothing was read or written/);
    expect(fs.existsSync(library) ? fs.readdirSync(library) : []).toEqual([]);
    const img = path.join(home, 'a.bin');
    fs.writeFileSync(img, a.flash.snapshot());
    const planned = await errorOf(planRestore({ ...target, image: img, expectMac: a.mac }));
    expect(planned.code).toBe('WRONG_BOARD');

    // A's interrupted restore is not resumed on B.
    const resumed = await errorOf(restoreBoard({ ...target, resume: true }));
    expect(resumed.code).toBe('JOURNAL');
    expect(resumed.message).toMatch(new RegExp(`was on ESP8266EX ${a.mac}.*now is ESP8266EX ${b.mac}`));
    expect(resumed.hint).toContain(`Connect the board ${a.mac} to resume it`);

    // B answered at 115200: A's stub memory for this port is gone, and B itself is seen as B.
    expect((await detectBoard(target)).mac).toBe(b.mac);
    expect(await stubLeftAt(port)).toBeUndefined();
    expect(Buffer.compare(b.flash.snapshot(), before)).toBe(0);
  }, 120_000);
});
