/**
 * A raw host for conformance tests of the virtual board: every byte on the wire is built here, with
 * its own SLIP encoder and decoder and its own packet layout (notes 1.1–1.3). Nothing from main/esp, so
 * the board is checked against the notes, not against our client.
 */
import { VirtualBoard, type VirtualBoardOptions } from '../../main/sim/board.js';
import type { BoardWire } from '../../main/sim/wire.js';

export const C0 = 0xc0;
export const DB = 0xdb;

export function le32(...nums: number[]): number[] {
  const out: number[] = [];
  for (const n of nums) out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  return out;
}

/** `00 op len16 chk32 data` (notes 1.2). */
export function packet(op: number, data: number[] | Uint8Array, checksum = 0, direction = 0): number[] {
  const d = [...data];
  return [direction, op, d.length & 0xff, d.length >> 8, ...le32(checksum), ...d];
}

export function checksum(data: number[] | Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** FLASH_DATA / MEM_DATA / FLASH_DEFL_DATA: `[len, seq, 0, 0] + payload`, checksum over the payload. */
export function dataPacket(op: number, seq: number, payload: number[] | Uint8Array): number[] {
  const p = [...payload];
  return packet(op, [...le32(p.length, seq, 0, 0), ...p], checksum(p));
}

/** Escapes DB before C0 and wraps in C0 … C0. */
export function slip(payload: number[]): number[] {
  const out = [C0];
  for (const b of payload) {
    if (b === DB) out.push(DB, 0xdd);
    else if (b === C0) out.push(DB, 0xdc);
    else out.push(b);
  }
  out.push(C0);
  return out;
}

export const SYNC_DATA = [0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)];

export interface Reply {
  direction: number;
  op: number;
  value: number;
  data: number[];
  /** The two status bytes (the last two of data). */
  status: [number, number];
}

export function parseReply(f: number[]): Reply | null {
  if (f.length < 10) return null;
  const len = f[2]! | (f[3]! << 8);
  const data = f.slice(8, 8 + len);
  return {
    direction: f[0]!,
    op: f[1]!,
    value: (f[4]! | (f[5]! << 8) | (f[6]! << 16) | (f[7]! << 24)) >>> 0,
    data,
    status: [data[len - 2] ?? -1, data[len - 1] ?? -1],
  };
}

export class RawHost {
  readonly frames: number[][] = [];
  private partial: number[] | null = null;
  private escaping = false;
  private waiters: (() => void)[] = [];

  constructor(readonly wire: BoardWire) {
    wire.onBoardData((chunk) => {
      for (const b of chunk) this.rxByte(b);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private rxByte(b: number): void {
    if (b === C0) {
      if (this.partial && this.partial.length > 0) this.frames.push(this.partial);
      this.partial = [];
      return;
    }
    if (!this.partial) return;
    if (this.escaping) {
      this.escaping = false;
      this.partial.push(b === 0xdc ? C0 : b === 0xdd ? DB : b);
    } else if (b === DB) this.escaping = true;
    else this.partial.push(b);
  }

  /** Raw bytes exactly as given. */
  bytes(b: number[]): void {
    this.wire.hostWrite(Uint8Array.from(b));
  }

  send(pkt: number[]): void {
    this.bytes(slip(pkt));
  }

  async frame(ms = 2000): Promise<number[]> {
    const deadline = Date.now() + ms;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for a frame');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.frames.shift()!;
  }

  async reply(ms = 2000): Promise<Reply> {
    const r = parseReply(await this.frame(ms));
    if (!r) throw new Error('not a reply frame');
    return r;
  }

  /** Every frame that arrives within `ms` (after the last one). */
  async drain(ms = 150): Promise<number[][]> {
    const out: number[][] = [];
    for (;;) {
      try {
        out.push(await this.frame(ms));
      } catch {
        return out;
      }
    }
  }

  async replies(ms = 150): Promise<Reply[]> {
    return (await this.drain(ms)).map((f) => parseReply(f)!).filter(Boolean);
  }

  /** Sends a packet and returns all replies that follow. */
  async exchange(pkt: number[], ms = 150): Promise<Reply[]> {
    this.send(pkt);
    return this.replies(ms);
  }

  async sync(): Promise<Reply[]> {
    return this.exchange(packet(0x08, SYNC_DATA));
  }
}

/** A board in download mode without pacing, and a raw host on its wire. */
export function rawBoard(opts: VirtualBoardOptions = {}): { board: VirtualBoard; host: RawHost } {
  const board = new VirtualBoard({ bootMode: 'download', pace: false, latencyMs: 0, ...opts });
  const host = new RawHost(board.wire());
  return { board, host };
}
