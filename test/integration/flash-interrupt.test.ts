/**
 * Nothing waits forever: a serial port whose other end stops reading (a real pty pair made by socat,
 * bridged to a virtual board that goes deaf mid-restore) ends the job with a clear error and the port
 * closed; cancel ends it within a second whatever it waits on; Ctrl-C during a long chip erase stops the
 * CLI at once with exit 130 and says the erase may still run on the chip.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { boardBehindPty, socat } from '../support/stalled-pty.js';

const home = useTempHome();
const { executeRestore, writeRegion } = await import('../../main/flash/index.js');
const { VirtualBoard, startSimServer } = await import('../../main/sim/index.js');
const { demo } = await import('../support/boards.js');
const ROOT = path.resolve(import.meta.dirname, '../..');

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

/** A virtual board behind a real pty whose board side can stop reading (test/support/stalled-pty.ts). */
async function boardOnPty(mac: string) {
  const board = new VirtualBoard({
    flash: Uint8Array.from(demo.bad),
    mac,
    bootMode: 'download',
    pace: false,
  });
  board.powerOn();
  cleanups.push(() => board.close());
  const pty = await boardBehindPty(board);
  cleanups.push(() => pty.close());
  return pty;
}

describe.skipIf(socat.missing)('a stalled serial port', () => {
  it('ends a restore with a clear error and the port released, instead of hanging', async () => {
    const pty = await boardOnPty('18:fe:34:5a:11:00');
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, demo.good);
    // Mid-write (a clean run sends about 220 kB): decided as the bytes arrive, so never too late.
    pty.deafenAfter(100_000);
    const started = Date.now();
    const err = await executeRestore(
      { port: pty.path, before: 'no-reset', baud: 115200, image: img, backup: false, full: true },
      {},
    ).catch((e: unknown) => e);
    expect(pty.deaf, 'the restore ended before the board stopped reading').toBe(true);
    expect(err).toMatchObject({
      code: 'PORT_STALLED',
      message: expect.stringMatching(/stopped answering/),
      details: { halfWritten: true, journal: true },
    });
    expect((err as { hint: string }).hint).toMatch(/half written.*--resume/);
    // Three silent replies in a row (the pending one, the audit's MD5 and its retry), not a minute.
    expect(Date.now() - started).toBeLessThan(30_000);
    // The port is free again: it can be opened at once.
    const again = new SerialPort({ path: pty.path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => again.open((e) => (e ? rej(e) : res())));
    await new Promise((r) => again.close(r));
  }, 120_000);

  it('ends a raw write that stalls mid-way saying its range may be half written', async () => {
    const pty = await boardOnPty('18:fe:34:5a:11:03');
    // Incompressible, so the write takes several blocks and the stall comes between them.
    const data = new Uint8Array(0x20000);
    for (let i = 0; i < data.length; i += 16) data.set(createHash('md5').update(`w${i}`).digest(), i);
    const err = await writeRegion(
      { port: pty.path, before: 'no-reset', baud: 115200, offset: 0x100000 },
      data,
      { onProgress: (p) => p.phase === 'write' && p.done > 0 && pty.deafen() },
    ).catch((e: unknown) => e);
    expect(pty.deaf, 'the write ended before the board stopped reading').toBe(true);
    expect(err).toMatchObject({
      code: 'PORT_STALLED',
      message: expect.stringMatching(/^Write interrupted: .* stopped answering/),
      details: { halfWritten: true, range: [0x100000, 0x120000] },
    });
    expect((err as { hint: string }).hint).toMatch(/0x100000–0x11ffff may be half written.*same write again/);
  }, 120_000);

  it('cancel ends a job stalled on a port within a second', async () => {
    const pty = await boardOnPty('18:fe:34:5a:11:02');
    const img = path.join(home, 'good.bin');
    fs.writeFileSync(img, demo.good);
    const ctl = new AbortController();
    pty.deafenAfter(100_000);
    let settled: unknown;
    const job = executeRestore(
      { port: pty.path, before: 'no-reset', baud: 115200, image: img, backup: false, full: true },
      { signal: ctl.signal },
    ).then(
      (r: unknown) => (settled = { resolved: r }),
      (e: unknown) => (settled = e),
    );
    await waitFor(() => pty.deaf || settled !== undefined, 60_000);
    expect(settled, 'the restore ended before the board stopped reading').toBeUndefined();
    await new Promise((r) => setTimeout(r, 1500)); // now the job is waiting on the deaf board
    const t0 = Date.now();
    ctl.abort();
    await job;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(settled).toMatchObject({ code: 'ABORTED' });
    expect((settled as { hint: string }).hint).toMatch(/half written/);
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
