/**
 * The serial link through node-serialport over a REAL pty pair made by socat (no mocks): both ends are
 * ttys, so this exercises open/lock/read/write/baud/flush, and the "no modem lines" degradation (ptys
 * reject TIOCMSET). Skipped with a reason where socat is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { openLink } from '../../main/transport/index.js';
import type { Link } from '../../main/transport/link.js';
import { openPtyPeer, python3 } from '../support/pty-board.js';
import { systemTool } from '../support/system-tools.js';

const socatTool = systemTool('socat');

let dir: string;
let socat: ChildProcess;
let a: string;
let b: string;
const links: Link[] = [];

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function open(p: string, baud = 115200): Promise<Link> {
  const l = await openLink(p, { baud });
  links.push(l);
  return l;
}

function collect(link: Link, n: number): Promise<Uint8Array> {
  const parts: number[] = [];
  return new Promise((resolve) => {
    const off = link.onData((c) => {
      parts.push(...c);
      if (parts.length >= n) {
        off();
        resolve(Uint8Array.from(parts));
      }
    });
  });
}

describe.skipIf(socatTool.missing)('serial link over a socat pty pair', () => {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pty-'));
    a = path.join(dir, 'a');
    b = path.join(dir, 'b');
    socat = spawn(socatTool.path, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: 'ignore',
    });
    await waitFor(() => fs.existsSync(a) && fs.existsSync(b));
  });

  afterEach(async () => {
    for (const l of links.splice(0)) await l.close().catch(() => undefined);
    if (socat.exitCode === null) {
      socat.kill();
      await new Promise((r) => socat.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('carries bytes both ways', async () => {
    const la = await open(a);
    const lb = await open(b);
    expect(la.kind).toBe('serial');
    expect(la.spec).toBe(a);
    expect(la.baud).toBe(115200);
    const toB = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
    const gotB = collect(lb, toB.length);
    await la.write(toB);
    expect(Array.from(await gotB)).toEqual(Array.from(toB));
    const gotA = collect(la, 4);
    await lb.write(Uint8Array.of(0xc0, 0x00, 0xdb, 0xc0));
    expect(Array.from(await gotA)).toEqual([0xc0, 0x00, 0xdb, 0xc0]);
  });

  it('setSignals on a pty degrades to controlLines=false without throwing', async () => {
    const la = await open(a);
    expect(la.capabilities.controlLines).toBe(true);
    await la.setSignals({ dtr: false, rts: true });
    expect(la.capabilities.controlLines).toBe(false);
    await la.setSignals({ dtr: true, rts: false }); // now a no-op
    expect(la.isOpen).toBe(true);
  });

  it('changes baud and keeps working', async () => {
    const la = await open(a);
    const lb = await open(b);
    await la.setBaud(921600);
    await lb.setBaud(921600);
    expect(la.baud).toBe(921600);
    const got = collect(lb, 5);
    await la.write(Uint8Array.of(1, 2, 3, 4, 5));
    expect(Array.from(await got)).toEqual([1, 2, 3, 4, 5]);
    await la.flushInput();
    expect(la.isOpen).toBe(true);
  });

  it('a second open of the same port is PORT_BUSY (serialport locks)', async () => {
    await open(a);
    const err = await openLink(a, { baud: 115200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_BUSY');
    expect((err as FlashbackError).hint).toMatch(/serial monitor/);
  });

  it('a missing device is PORT_NOT_FOUND', async () => {
    const err = await openLink(path.join(dir, 'no-such-tty'), { baud: 115200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_NOT_FOUND');
    expect((err as FlashbackError).hint).toMatch(/flashback ports/);
  });

  it('reports the far end going away (socat killed) through onClose with an error', async () => {
    const la = await open(a);
    const closed = new Promise<Error | undefined>((r) => la.onClose(r));
    socat.kill();
    await new Promise((r) => socat.once('exit', r));
    // A pty notices the hang-up on the next I/O (reads just stop); real USB unplugs fail reads (ENXIO).
    await la.write(Uint8Array.of(0x55)).catch(() => undefined);
    const err = await closed;
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_CLOSED');
    expect(la.isOpen).toBe(false);
    await expect(la.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'PORT_CLOSED' });
  });

  it('close is clean: onClose fires once without an error and the port can be reopened', async () => {
    const la = await openLink(a, { baud: 115200 });
    const calls: Array<Error | undefined> = [];
    la.onClose((e) => calls.push(e));
    await la.close();
    await la.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([undefined]);
    const again = await open(a);
    expect(again.isOpen).toBe(true);
  });
});

describe.skipIf(python3.missing)('serial link writing to a tty that fills up', () => {
  it('finishes the write once the far end reads again, though a byte came in meanwhile', async () => {
    // The order that lost the write's wake-up in the serialport binding (a restore ended as PORT_STALLED
    // on a healthy port, under load): a write waits for room, then the reader wakes for one byte and
    // waits again; the far end then reads on without sending anything.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pty-'));
    const peer = await openPtyPeer(path.join(dir, 'tty'));
    let drained = 0;
    peer.onData((c) => (drained += c.length));
    const link = await openLink(peer.path, { baud: 115200 });
    try {
      peer.hold(true);
      await new Promise((r) => setTimeout(r, 200));
      const big = new Uint8Array(1 << 20).fill(0x42);
      let written = false;
      const write = link.write(big).then(
        () => (written = true),
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(written, 'the far end is not reading: the write must be waiting for room').toBe(false);
      const got: number[] = [];
      const off = link.onData((c) => got.push(...c));
      peer.write(Uint8Array.of(0x55));
      await waitFor(() => got.length > 0, 5000); // (without the fix the wait for room hid this too)
      off();
      expect(got).toEqual([0x55]);
      await new Promise((r) => setTimeout(r, 100)); // the link's reader is waiting again
      peer.hold(false);
      await waitFor(() => written, 5000);
      expect(await write).toBe(true);
      await waitFor(() => drained === big.length, 5000);
    } finally {
      await link.close();
      await peer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
