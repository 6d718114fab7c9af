import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../main/esp/slip.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { startSimServer, type SimServer } from '../../main/sim/tcp-server.js';

const SYNC = Uint8Array.from([
  0,
  0x08,
  36,
  0,
  0,
  0,
  0,
  0,
  0x07,
  0x07,
  0x12,
  0x20,
  ...new Array<number>(32).fill(0x55),
]);

/** Connects, sends one SYNC, returns the frames received within `ms`. */
function syncOver(port: number, ms = 300): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const frames: Uint8Array[] = [];
    const dec = new SlipDecoder((f) => frames.push(f));
    const s = net.connect(port, '127.0.0.1', () => s.write(slipEncode(SYNC)));
    s.on('data', (d) => dec.push(d));
    s.on('error', reject);
    setTimeout(() => {
      s.end();
      s.on('close', () => resolve(frames));
    }, ms);
  });
}

let server: SimServer | undefined;
let board: VirtualBoard | undefined;
afterEach(async () => {
  await server?.close();
  board?.close();
});

describe('flashback sim TCP server', () => {
  it('accepts two successive connections, each answered by the ROM loader', async () => {
    board = new VirtualBoard({ pace: false, bootMode: 'download' });
    server = await startSimServer(board);
    expect(server.url).toMatch(/^socket:\/\/127\.0\.0\.1:\d+$/);
    const first = await syncOver(server.port);
    expect(first.length).toBe(8);
    expect(first[0]![1]).toBe(0x08);
    expect(Array.from(first[0]!.subarray(4, 8))).toEqual([0x07, 0x07, 0x12, 0x20]);
    const second = await syncOver(server.port);
    expect(second.length).toBe(8);
    expect(server.connections).toBe(2);
  });

  it('refuses a second simultaneous client', async () => {
    board = new VirtualBoard({ pace: false, bootMode: 'download' });
    server = await startSimServer(board);
    const a = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => a.once('connect', r));
    await new Promise((r) => setTimeout(r, 30));
    const closed = await new Promise<boolean>((resolve) => {
      const b = net.connect(server!.port, '127.0.0.1');
      b.on('close', () => resolve(true));
      b.on('error', () => resolve(true));
      setTimeout(() => resolve(false), 1000);
    });
    expect(closed).toBe(true);
    a.destroy();
  });
});
