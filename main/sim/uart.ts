/**
 * The board's UART0 plus the USB bridge in front of it: two paced byte lines, the board's current UART
 * rate (garbling both directions when the host's rate differs), the ROM's auto-baud on the SYNC's 0x55
 * run (notes 1.5), fault injection, and the modeled-time account (wire + flash + per-exchange latency),
 * which is deterministic whether or not pacing is on.
 */
import { FlashbackError } from '../errors.js';
import type { BoardWire } from './wire.js';
import { corruptByte, FaultInjector, type FaultOptions } from './faults.js';
import { Line } from './line.js';
import { DEFAULT_LATENCY_MS, ROM_SYNC_BAUD, wireMs } from './timing.js';

export interface UartOptions {
  pace?: boolean;
  latencyMs?: number;
  faults?: FaultOptions;
}

/**
 * What a real UART receiver makes of 8N1 bytes sent at `fromBaud` when it runs at `toBaud`: the
 * sender's bit stream is rebuilt and sampled the way a 16× oversampling receiver does (start bit found
 * on a falling edge after idle, checked at its middle, data bits at their middles, stop bit ignored as
 * the common USB bridges do). Rates within a few percent read correctly (the drift over 9.5 bits stays
 * under half a bit); further off, bytes come out wrong, split or merged — deterministic garbage, as on
 * a real wire. The chunk is taken as one burst with the line idle before and after.
 */
export function resample(bytes: Uint8Array, fromBaud: number, toBaud: number): Uint8Array {
  if (fromBaud === toBaud || bytes.length === 0) return bytes;
  const total = bytes.length * 10; // sender bit times
  // Line level in sender bit k: start 0, data LSB first, stop 1; idle (1) outside the burst.
  const level = (k: number): number => {
    if (k < 0 || k >= total) return 1;
    const bit = k % 10;
    if (bit === 0) return 0;
    if (bit === 9) return 1;
    return (bytes[(k - bit) / 10]! >> (bit - 1)) & 1;
  };
  // Sender bit index at time t (seconds).
  const at = (t: number): number => level(Math.floor(t * fromBaud + 1e-9));
  const rxBit = 1 / toBaud;
  const tick = rxBit / 16;
  const out: number[] = [];
  let k = -1; // sender bit from which to look for the next idle→start edge (idle before the burst)
  for (;;) {
    // The receiver needs the line high, then a high→low edge.
    while (k < total && level(k) === 0) k++;
    while (k < total && level(k) === 1) k++;
    if (k >= total) break;
    // The edge is seen on the receiver's next 16× sample tick.
    const edge = Math.ceil(k / fromBaud / tick - 1e-9) * tick;
    if (at(edge + rxBit / 2) !== 0) {
      k = Math.floor((edge + tick) * fromBaud + 1e-9); // glitch, not a start bit: look again
      continue;
    }
    let v = 0;
    for (let i = 0; i < 8; i++) v |= at(edge + (1.5 + i) * rxBit) << i;
    out.push(v);
    // Ready for the next start bit after the middle of the stop bit.
    k = Math.floor((edge + 9.5 * rxBit) * fromBaud + 1e-9);
  }
  return Uint8Array.from(out);
}

export class Uart {
  /** The rate the board's UART currently runs at. */
  boardBaud = ROM_SYNC_BAUD;
  hostBaud = ROM_SYNC_BAUD;
  /** ROM loader listening for a SYNC to lock onto the host's rate. */
  autobaud = false;
  /** The board's receiver (the loader or stub engine). */
  onRx: (bytes: Uint8Array) => void = () => {};
  /** DTR/RTS changes from the attached host. */
  onSignals: (dtr: boolean, rts: boolean) => void = () => {};
  readonly latencyMs: number;
  readonly pace: boolean;

  private modeled = 0;
  private readonly faults: FaultOptions;
  private readonly injector: FaultInjector;
  private totalBytes = 0;
  private dead = false;
  private runOf55 = 0;
  private readonly toBoard: Line;
  private readonly toHost: Line;
  private hostListeners = new Set<(chunk: Uint8Array) => void>();
  private disconnectListeners = new Set<(err: Error) => void>();
  private attached: object | null = null;
  private dtr = false;
  private rts = false;

  constructor(opts: UartOptions = {}) {
    this.pace = opts.pace ?? true;
    this.latencyMs = opts.latencyMs ?? DEFAULT_LATENCY_MS;
    this.faults = opts.faults ?? {};
    this.injector = new FaultInjector(this.faults);
    this.toBoard = new Line((c, baud) => this.arriveAtBoard(c, baud), this.pace);
    this.toHost = new Line((c, baud) => this.arriveAtHost(c, baud), this.pace);
  }

  /** Modeled milliseconds so far: wire time both ways + flash busy time + latency per exchange. */
  get modeledMs(): number {
    return this.modeled;
  }

  get isDead(): boolean {
    return this.dead;
  }

  /** The board sends bytes at `baud` (default: its UART's current rate). */
  boardSend(bytes: Uint8Array, baud = this.boardBaud): void {
    if (this.dead) return;
    const out = this.cut(this.injector.toHost(bytes));
    this.modeled += wireMs(out.length, baud);
    this.toHost.send(out, baud);
  }

  /** The board is busy (flash erase/program/read) for `ms`: replies leave later. */
  busy(ms: number): void {
    this.modeled += ms;
    this.toHost.hold(ms);
  }

  /** One request/response exchange crossed the USB bridge. */
  exchange(): void {
    this.modeled += this.latencyMs;
    this.toHost.hold(this.latencyMs);
  }

  /** Drops board output not yet delivered (reset: the chip stops transmitting). */
  clearOutput(): void {
    this.toHost.clear();
  }

  /** Attaches a host. One at a time; the previous one must detach first. */
  attach(): BoardWire {
    if (this.attached) {
      throw new FlashbackError(
        'PORT_BUSY',
        'The virtual board is already in use',
        'Close the other connection to this board first.',
      );
    }
    const token = {};
    this.attached = token;
    const mine = new Set<() => void>();
    const live = () => this.attached === token;
    return {
      hostWrite: (data) => {
        if (live()) this.hostWrite(data);
      },
      onBoardData: (listener) => {
        const wrapped = (c: Uint8Array) => live() && listener(c);
        this.hostListeners.add(wrapped);
        const off = () => void this.hostListeners.delete(wrapped);
        mine.add(off);
        return off;
      },
      onDisconnect: (listener) => {
        this.disconnectListeners.add(listener);
        const off = () => void this.disconnectListeners.delete(listener);
        mine.add(off);
        return off;
      },
      setSignals: ({ dtr, rts }) => {
        if (!live()) return;
        if (dtr !== undefined) this.dtr = dtr;
        if (rts !== undefined) this.rts = rts;
        this.onSignals(this.dtr, this.rts);
      },
      setHostBaud: (baud) => {
        if (live()) this.hostBaud = baud;
      },
      detach: () => {
        if (!live()) return;
        for (const off of mine) off();
        this.attached = null;
        this.hostBaud = ROM_SYNC_BAUD;
        // Closing a serial port deasserts DTR and RTS.
        if (this.dtr || this.rts) {
          this.dtr = false;
          this.rts = false;
          this.onSignals(false, false);
        }
      },
    };
  }

  get hasHost(): boolean {
    return this.attached !== null;
  }

  close(): void {
    this.toBoard.close();
    this.toHost.close();
    this.hostListeners.clear();
    this.disconnectListeners.clear();
  }

  private hostWrite(data: Uint8Array): void {
    if (this.dead) return;
    const out = this.cut(this.injector.toBoard(data));
    this.modeled += wireMs(out.length, this.hostBaud);
    this.toBoard.send(out, this.hostBaud);
  }

  /** Disconnect-after-N: passes the bytes before the cut, then kills the link. */
  private cut(bytes: Uint8Array): Uint8Array {
    const limit = this.faults.disconnectAfter;
    if (limit === undefined) return bytes;
    const room = limit - this.totalBytes;
    if (room >= bytes.length) {
      this.totalBytes += bytes.length;
      return bytes;
    }
    this.totalBytes = limit;
    this.dead = true;
    const err = new FlashbackError(
      'PORT_CLOSED',
      `Virtual link cut after ${limit} bytes (injected fault)`,
      'Reconnect and retry.',
    );
    setImmediate(() => {
      for (const l of [...this.disconnectListeners]) l(err);
    });
    return bytes.subarray(0, Math.max(0, room));
  }

  private arriveAtBoard(raw: Uint8Array, baud: number): void {
    const chunk = this.overRate(raw, baud);
    if (this.autobaud) this.detectSync(chunk, baud);
    this.onRx(resample(chunk, baud, this.boardBaud));
  }

  /** The ESP8266 ROM measures the 0x55 run of SYNC and adopts the host's rate (notes 1.5). */
  private detectSync(chunk: Uint8Array, baud: number): void {
    for (const b of chunk) {
      this.runOf55 = b === 0x55 ? this.runOf55 + 1 : 0;
      if (this.runOf55 >= 8) {
        this.boardBaud = baud;
        this.autobaud = false;
        this.runOf55 = 0;
        return;
      }
    }
  }

  /** Above the link's maximum rate every byte arrives damaged (fault `maxBaud`). */
  private overRate(chunk: Uint8Array, baud: number): Uint8Array {
    const max = this.faults.maxBaud;
    return max && baud > max ? chunk.map((b, i) => corruptByte(b, i)) : chunk;
  }

  private arriveAtHost(raw: Uint8Array, baud: number): void {
    const chunk = this.overRate(raw, baud);
    const seen = resample(chunk, baud, this.hostBaud);
    for (const l of [...this.hostListeners]) l(seen);
  }
}
