/**
 * Nothing waits forever: a serial port whose other end stops reading (a real pty pair made by socat,
 * bridged to a virtual board that goes deaf mid-restore) ends the job with a clear error and the port
 * closed; cancel ends it within a second whatever it waits on; Ctrl-C during a long chip erase stops the
 * CLI at once with exit 130 and says the erase may still run on the chip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const { executeRestore } = await import('../../main/flash/index.js');
const { VirtualBoard, startSimServer } = await import('../../main/sim/index.js');
const { demo } = await import('../support/boards.js');
const ROOT = path.resolve(import.meta.dirname, '../..');

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(cond: () => boolean, ms = 10_000, state?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting${state ? ` (${state()})` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A virtual board behind a real pty; `deafen()` makes the board side stop reading the pty. */
async function boardOnPty(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-stall-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: 'ignore',
  });
  cleanups.push(() => socat.kill());
  await waitFor(() => fs.existsSync(a) && fs.existsSync(b));
  const board = new VirtualBoard({
    flash: Uint8Array.from(demo.bad),
    mac: '18:fe:34:5a:11:00',
    bootMode: 'download',
    pace: false,
  });
  board.powerOn();
  const wire = board.wire();
  const port = new SerialPort({ path: b, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  let received = 0;
  let deaf = false;
  port.on('data', (c: Buffer) => {
    received += c.length;
    if (!deaf) wire.hostWrite(new Uint8Array(c));
  });
  wire.onBoardData((c) => {
    if (!deaf) port.write(Buffer.from(c));
  });
  cleanups.push(() => new Promise((r) => (port.isOpen ? port.close(() => r(undefined)) : r(undefined))));
  cleanups.push(() => board.close());
  void name;
  return {
    path: a,
    get received() {
      return received;
    },
    /** The board side stops reading: the host's writes fill the pty and socat's buffers, then stall. */
    deafen() {
      deaf = true;
      port.pause();
    },
  };
}

describe.skipIf(!hasSocat)('a stalled serial port', () => {
  it('ends a restore with a clear error and the port released, instead of hanging', async () => {
    const pty = await boardOnPty('stall');
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, demo.good);
    const started = Date.now();
    let settled: unknown;
    const job = executeRestore(
      { port: pty.path, before: 'no-reset', baud: 115200, image: img, backup: false, full: true },
      {},
    ).then(
      (r: unknown) => (settled = { resolved: r }),
      (e: unknown) => (settled = e),
    );
    await waitFor(
      () => pty.received > 200_000 || settled !== undefined,
      60_000,
      () => `the board received ${pty.received} bytes`,
    );
    expect(settled, 'the restore ended before the port stalled').toBeUndefined();
    pty.deafen();
    const err = await job;
    expect(err).toMatchObject({ code: expect.stringMatching(/PORT_STALLED|TIMEOUT/) });
    expect((err as { hint: string }).hint).toMatch(/half written|Unplug|Reconnect/);
    expect(Date.now() - started).toBeLessThan(90_000);
    // The port is free again: it can be opened at once.
    const again = new SerialPort({ path: pty.path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => again.open((e) => (e ? rej(e) : res())));
    await new Promise((r) => again.close(r));
  }, 120_000);

  it('cancel ends a job stalled on a port within a second', async () => {
    const pty = await boardOnPty('cancel');
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, demo.good);
    const ctl = new AbortController();
    let settled: unknown;
    const job = executeRestore(
      { port: pty.path, before: 'no-reset', baud: 115200, image: img, backup: false, full: true },
      { signal: ctl.signal },
    ).then(
      (r: unknown) => (settled = { resolved: r }),
      (e: unknown) => (settled = e),
    );
    await waitFor(
      () => pty.received > 200_000 || settled !== undefined,
      60_000,
      () => `the board received ${pty.received} bytes`,
    );
    expect(settled, 'the restore ended before the port stalled').toBeUndefined();
    pty.deafen();
    await new Promise((r) => setTimeout(r, 1500)); // now the job is waiting on the deaf board
    const t0 = Date.now();
    ctl.abort();
    const err = await job;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect((err as { hint: string }).hint).toMatch(/half written/);
  }, 120_000);
});

describe('Ctrl-C during a long erase', () => {
  it('stops waiting within a second, exits 130 and says the chip may still be erasing', async () => {
    const board = new VirtualBoard({
      flash: Uint8Array.from(demo.good),
      mac: '18:fe:34:5a:11:01',
      bootMode: 'download',
      pace: true,
      faults: { slowErase: 20 },
    });
    const server = await startSimServer(board);
    cleanups.push(() => board.close());
    cleanups.push(() => server.close());
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin/flashback.mjs'),
        'erase',
        '--port',
        `socket://127.0.0.1:${server.port}`,
        '--before',
        'no-reset',
        '--yes',
        '--no-backup',
      ],
      { env: { ...process.env, FLASHBACK_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor(() => /Erase the whole flash/.test(stderr), 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // the chip is erasing (×20 slower: minutes)
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(code).toBe(130);
    expect(stderr).toMatch(/may still be erasing/);
  }, 90_000);
});
