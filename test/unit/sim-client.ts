/**
 * A tiny hand-written host for the virtual board tests: raw request bytes built here (not main/esp),
 * SLIP via the shared codec, and a frame queue to await replies.
 */
import { SlipDecoder, slipEncode } from '../../main/esp/slip.js';
import type { BoardWire } from '../../main/sim/wire.js';

export function le32(...nums: number[]): Uint8Array {
  const out = new Uint8Array(nums.length * 4);
  const dv = new DataView(out.buffer);
  nums.forEach((n, i) => dv.setUint32(i * 4, n >>> 0, true));
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function request(op: number, data: Uint8Array, checksum = 0): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const dv = new DataView(out.buffer);
  out[0] = 0;
  out[1] = op;
  dv.setUint16(2, data.length, true);
  dv.setUint32(4, checksum, true);
  out.set(data, 8);
  return out;
}

export function xor(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** `[len, seq, 0, 0] + payload` with its checksum. */
export function dataCmd(op: number, seq: number, payload: Uint8Array): Uint8Array {
  return request(op, concat(le32(payload.length, seq, 0, 0), payload), xor(payload));
}

export const SYNC_BODY = concat(Uint8Array.of(0x07, 0x07, 0x12, 0x20), new Uint8Array(32).fill(0x55));

export interface Reply {
  op: number;
  value: number;
  data: Uint8Array;
  /** First two status bytes (the last two of data). */
  status: [number, number];
}

export function parseReply(f: Uint8Array): Reply | null {
  if (f.length < 10 || f[0] !== 1) return null;
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const len = dv.getUint16(2, true);
  const data = f.subarray(8, 8 + len);
  return {
    op: f[1]!,
    value: dv.getUint32(4, true),
    data,
    status: [data[len - 2] ?? -1, data[len - 1] ?? -1],
  };
}

export class TestHost {
  readonly frames: Uint8Array[] = [];
  readonly raw: number[] = [];
  private waiters: (() => void)[] = [];
  private readonly decoder = new SlipDecoder((f) => {
    this.frames.push(f);
    for (const w of this.waiters.splice(0)) w();
  });

  constructor(readonly wire: BoardWire) {
    wire.onBoardData((c) => {
      this.raw.push(...c);
      this.decoder.push(c);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get rawText(): string {
    return Buffer.from(this.raw).toString('latin1');
  }

  write(payload: Uint8Array): void {
    this.wire.hostWrite(slipEncode(payload));
  }

  /** Next frame, or rejects after `ms`. */
  async frame(ms = 2000): Promise<Uint8Array> {
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

  /** Resolves true if no frame arrives within `ms`. */
  async silent(ms: number): Promise<boolean> {
    try {
      await this.frame(ms);
      return false;
    } catch {
      return true;
    }
  }

  async waitRaw(text: string, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.rawText.includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`timeout waiting for ${JSON.stringify(text)}; got ${JSON.stringify(this.rawText)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Sends a request and returns the first reply with that opcode. */
  async command(op: number, data: Uint8Array, checksum = 0, ms = 2000): Promise<Reply> {
    this.write(request(op, data, checksum));
    return this.replyTo(op, ms);
  }

  async replyTo(op: number, ms = 2000): Promise<Reply> {
    for (;;) {
      const r = parseReply(await this.frame(ms));
      if (r && r.op === op) return r;
    }
  }

  async sync(): Promise<Reply[]> {
    this.write(request(0x08, SYNC_BODY));
    const replies: Reply[] = [];
    for (let i = 0; i < 8; i++) replies.push(await this.replyTo(0x08));
    return replies;
  }
}
