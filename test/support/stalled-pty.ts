/**
 * A virtual board behind a real pty pair made by socat, whose board side can stop reading mid-job: the
 * host's port stays open and accepts what fits in the pty and socat buffers, then nothing moves and
 * nothing answers (a hung adapter, a board that stopped listening). Used by the stalled-port tests and
 * the fault matrix's "stalled pty" family. Needs socat (skip where `socat.missing`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import type { VirtualBoard } from '../../main/sim/index.js';
import { systemTool } from './system-tools.js';

export const socat = systemTool('socat');

export interface StalledPty {
  /** The tty the code under test opens. */
  path: string;
  board: VirtualBoard;
  /** Bytes the board side read from the pty (host → board). */
  readonly received: number;
  /** The board side has stopped reading. */
  readonly deaf: boolean;
  /** Stop reading once this many bytes have been read (checked as each chunk arrives: no race). */
  deafenAfter(bytes: number): void;
  deafen(): void;
  /** Ends socat and the board side (the "unplug"); the board itself is left to the caller. */
  close(): Promise<void>;
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('socat did not create the pty pair');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Puts `board` (powered on in download mode by the caller) behind a fresh pty pair. */
export async function boardBehindPty(board: VirtualBoard): Promise<StalledPty> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-stall-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const proc: ChildProcess = spawn(socat.path, [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: 'ignore',
  });
  try {
    await waitFor(() => fs.existsSync(a) && fs.existsSync(b), 10_000);
  } catch (e) {
    proc.kill();
    throw e;
  }
  const wire = board.wire();
  const port = new SerialPort({ path: b, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  let received = 0;
  let deaf = false;
  let limit = Infinity;
  const deafen = () => {
    deaf = true;
    port.pause();
  };
  port.on('data', (c: Buffer) => {
    if (deaf) return;
    const take = Math.min(c.length, limit - received);
    received += take;
    wire.hostWrite(new Uint8Array(c.subarray(0, take)));
    if (received >= limit) deafen();
  });
  const off = wire.onBoardData((c) => {
    if (!deaf) port.write(Buffer.from(c));
  });
  return {
    path: a,
    board,
    get received() {
      return received;
    },
    get deaf() {
      return deaf;
    },
    deafenAfter(bytes: number) {
      limit = bytes;
      if (received >= limit) deafen();
    },
    deafen,
    async close() {
      off();
      wire.detach();
      if (port.isOpen) await new Promise((r) => port.close(r));
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill();
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
