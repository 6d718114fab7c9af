/**
 * The far end of a real pty, for tests of links that open a tty (serial, ser2net). The pty is held by
 * test/support/pty-relay.py, which reports the rate set on the tty (termios) before each chunk written
 * to it. `boardOnPty` puts a virtual board there: its wire hears that rate, so a baud change that never
 * reaches the tty garbles the line as it would on hardware. A pty has no modem lines, so such a board
 * must be created in download mode (GPIO0 strapped low).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VirtualBoard } from '../../main/sim/index.js';
import { systemTool } from './system-tools.js';

const RELAY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pty-relay.py');
/** python3 holds the pty (Node cannot open a pty master); tests skip when it is missing. */
export const python3 = systemTool('python3');

export interface PtyPeer {
  /** The tty path (a symlink to /dev/pts/N) for the code under test to open. */
  path: string;
  /** Rates the tty was set to, in order (the first is the pty's default). */
  bauds: number[];
  /** Bytes written to the tty, each chunk preceded by the rate it was written at. */
  onData(listener: (chunk: Uint8Array, baud: number) => void): void;
  /** Delivers bytes to whoever reads the tty. */
  write(bytes: Uint8Array): void;
  /** Stops (true) or restarts (false) reading the tty: a writer to a held tty finds it full. */
  hold(on: boolean): void;
  close(): Promise<void>;
}

export async function openPtyPeer(ttyPath: string): Promise<PtyPeer> {
  const relay = spawn(python3.path, [RELAY, ttyPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const bauds: number[] = [];
  const listeners: Array<(chunk: Uint8Array, baud: number) => void> = [];
  let buf = Buffer.alloc(0);
  relay.stdout.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length >= 5 && buf[0] === 0x42 /* B */) {
        bauds.push(buf.readUInt32BE(1));
        buf = buf.subarray(5);
      } else if (buf.length >= 3 && buf[0] === 0x44 /* D */ && buf.length >= 3 + buf.readUInt16BE(1)) {
        const data = new Uint8Array(buf.subarray(3, 3 + buf.readUInt16BE(1)));
        buf = buf.subarray(3 + data.length);
        for (const l of listeners) l(data, bauds.at(-1) ?? 0);
      } else break;
    }
  });
  const end = Date.now() + 5000;
  while (!fs.existsSync(ttyPath) || bauds.length === 0) {
    if (relay.exitCode !== null || Date.now() > end) throw new Error('pty-relay.py did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    path: ttyPath,
    bauds,
    onData: (l) => void listeners.push(l),
    write: (bytes) => {
      if (relay.stdin.writable) relay.stdin.write(bytes);
    },
    hold: (on) => void relay.kill(on ? 'SIGUSR1' : 'SIGUSR2'),
    close: async () => {
      if (relay.exitCode === null) {
        const exited = new Promise((r) => relay.once('exit', r));
        relay.stdin.end();
        setTimeout(() => relay.kill(), 1000).unref();
        await exited;
      }
      fs.rmSync(ttyPath, { force: true });
    },
  };
}

/** A virtual board as the far end of a pty: it hears bytes at the rate the tty is set to. */
export async function boardOnPty(board: VirtualBoard, ttyPath: string): Promise<PtyPeer> {
  const peer = await openPtyPeer(ttyPath);
  const wire = board.wire();
  let baud = 0;
  peer.onData((chunk, at) => {
    if (at !== baud) wire.setHostBaud((baud = at));
    wire.hostWrite(chunk);
  });
  const off = wire.onBoardData((chunk) => peer.write(chunk));
  return {
    ...peer,
    close: async () => {
      off();
      wire.detach();
      await peer.close();
    },
  };
}
