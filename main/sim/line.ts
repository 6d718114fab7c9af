/**
 * One direction of a serial line: delivers chunks in order, either at once (next macrotask, for unit
 * tests) or paced to the line rate (bytes × 10 / baud, in chunks of about 5 ms of line time). The board
 * can hold the line (a flash erase in progress, USB latency) so that later chunks leave later.
 */
import { wireMs } from './timing.js';

interface Pending {
  due: number;
  chunk: Uint8Array;
  baud: number;
}

export class Line {
  private queue: Pending[] = [];
  private freeAt = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private closed = false;

  constructor(
    private readonly deliver: (chunk: Uint8Array, baud: number) => void,
    readonly pace: boolean,
  ) {}

  send(chunk: Uint8Array, baud: number): void {
    if (this.closed || chunk.length === 0) return;
    if (!this.pace) {
      this.queue.push({ due: 0, chunk, baud });
    } else {
      const step = Math.max(16, Math.ceil(baud / 10 / 200));
      for (let i = 0; i < chunk.length; i += step) {
        const part = chunk.subarray(i, Math.min(chunk.length, i + step));
        this.freeAt = Math.max(this.freeAt, performance.now()) + wireMs(part.length, baud);
        this.queue.push({ due: this.freeAt, chunk: part, baud });
      }
    }
    this.schedule();
  }

  /** Keeps the line idle for `ms` more (paced mode only): models the board being busy or USB latency. */
  hold(ms: number): void {
    if (this.pace && ms > 0) this.freeAt = Math.max(this.freeAt, performance.now()) + ms;
  }

  /** Drops everything not yet delivered. */
  clear(): void {
    this.queue = [];
    this.freeAt = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const head = this.queue[0]!;
    if (!this.pace) {
      this.timer = setImmediate(() => this.drain());
      return;
    }
    const delay = Math.max(0, head.due - performance.now());
    this.timer = setTimeout(() => this.drain(), delay);
  }

  private drain(): void {
    this.timer = null;
    const now = performance.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (this.pace && head.due > now + 0.5) break;
      this.queue.shift();
      this.deliver(head.chunk, head.baud);
      if (this.closed) return;
    }
    this.schedule();
  }
}
