/**
 * A framed request/response channel over a Link: SLIP-decodes incoming bytes into a frame queue, sends
 * commands, and waits for the matching response with a timeout. Knows packets, not operations.
 */
import { abortedError, FlashbackError } from '../errors.js';
import type { Link } from '../transport/link.js';
import { decodeResponse, describeStatus, encodeRequest, OP_NAMES, type Response } from './commands.js';
import { SlipDecoder, slipEncode } from './slip.js';

export interface CommandOptions {
  chk?: number;
  timeoutMs?: number;
  /** Do not throw on a failure status (caller inspects it). */
  allowFailure?: boolean;
  /**
   * The loader may not know this command: a reply with another opcode, status 1, error 5 answers it
   * (returned as `unsupported` with allowFailure). Opt-in, because a request whose opcode byte was
   * damaged on the line gets the same reply and is otherwise retried after its timeout.
   */
  mayBeUnsupported?: boolean;
}

/** ROM error 0x05 "received message invalid": also what an unknown opcode gets (notes 1.2). */
const ROM_INVALID_MESSAGE = 0x05;
/** How long the extra error replies to an unknown command are waited for before they are dropped. */
const UNSUPPORTED_DRAIN_MS = 200;

/** esptool gives up after this many non-matching frames (notes 1.2). */
const MAX_STRAY_FRAMES = 100;

/**
 * A write whose callback has not come back within this (plus three times the bytes' line time) has
 * stalled: serialport write callbacks can hang forever when the other end stops reading.
 */
const WRITE_STALL_MS = 2000;

/**
 * Once a session runs, this many replies in a row that time out with not one byte from the board in
 * between (retries after resynchronising included) mean the line is dead: a board that stopped reading
 * or a hung adapter. A lost or damaged command costs one timeout, rarely two.
 */
const SILENT_TIMEOUTS = 3;
/**
 * Two silent timeouts in a row are enough when together they waited this long: after a long command
 * (an MD5 of megabytes, 8 s/MB as esptool allows) one short question settles it, instead of another
 * full timeout. Session.resync asks that question once a silent wait reaches this (one threshold, so
 * the question's timeout always closes the line).
 */
export const LONG_SILENCE_MS = 10_000;

/** Why the link was closed under a pending operation. */
type CloseReason = 'abort' | 'stall' | null;

export class Connection {
  private readonly decoder: SlipDecoder;
  private readonly queue: Uint8Array[] = [];
  private waiter: (() => void) | null = null;
  private closedError: Error | null = null;
  private readonly unsubs: Array<() => void> = [];
  private closeReason: CloseReason = null;
  private readonly pendingWrites = new Set<() => void>();
  private stallWhat = '';
  /** Bytes received (any, framed or not): the board is alive while this moves. */
  private rxBytes = 0;
  private rxAtLastTimeout = -1;
  private silentTimeouts = 0;
  private silentMs = 0;
  /** Set once connected: the sync and the stub upload time out on a silent line by design. */
  watchSilence = false;

  /** `signal` aborts whatever the connection is waiting on at once (the link is closed, see abort()). */
  constructor(
    readonly link: Link,
    private readonly signal?: AbortSignal,
  ) {
    this.decoder = new SlipDecoder((f) => {
      this.queue.push(f);
      this.wake();
    });
    this.unsubs.push(
      link.onData((chunk) => {
        this.rxBytes += chunk.length;
        this.decoder.push(chunk);
      }),
    );
    this.unsubs.push(
      link.onClose((err) => {
        this.closedError = err ?? new Error('port closed');
        this.wake();
      }),
    );
    if (signal) {
      const onAbort = () => this.abort();
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
      this.unsubs.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /**
   * Cancel: closes the link so every pending read and write settles now, whatever it waits on (a reply
   * to a 10-second chip erase, a stalled write callback).
   */
  abort(): void {
    if (this.closedError) return;
    this.closeReason = 'abort';
    this.closedError = new Error('cancelled');
    this.wake();
    void closeSoon(this.link);
  }

  private wake(): void {
    if (this.closedError) for (const w of [...this.pendingWrites]) w();
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Bytes seen outside SLIP frames since the last flush (boot log, app output, noise). */
  garbage(): { count: number; text: string } {
    return { count: this.decoder.garbageBytes, text: this.decoder.garbageText() };
  }

  async flushInput(): Promise<void> {
    await this.link.flushInput();
    this.queue.length = 0;
    this.decoder.reset();
  }

  async writeFrame(payload: Uint8Array): Promise<void> {
    await this.writeBytes(slipEncode(payload));
  }

  /** Bytes as they are, outside any frame (a receiver's resynchronisation), with the same stall guard. */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    await this.writeBytes(bytes);
  }

  private async writeBytes(bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    const lineMs = (bytes.length * 10 * 1000) / Math.max(300, this.link.baud);
    const limit = WRITE_STALL_MS + 3 * lineMs;
    let timer: NodeJS.Timeout | undefined;
    let settle: (() => void) | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), limit);
      settle = () => resolve('stalled');
    });
    // A close (abort, cable pulled) must also end a write whose callback never comes.
    const wakeWrite = () => settle?.();
    this.pendingWrites.add(wakeWrite);
    try {
      const r = await Promise.race([this.link.write(bytes).then(() => 'ok' as const), stalled]);
      if (r === 'stalled' && !this.closedError)
        this.stalled(
          `stopped accepting data (a write of ${bytes.length} bytes did not complete in ${Math.round(limit / 1000)} s)`,
        );
    } catch (e) {
      if (!this.closedError) throw e;
    } finally {
      clearTimeout(timer);
      this.pendingWrites.delete(wakeWrite);
    }
    this.assertOpen();
  }

  /** The line stopped moving: close it so every pending read and write ends, and say why. */
  private stalled(what: string): void {
    this.closeReason = 'stall';
    this.stallWhat = what;
    this.closedError = new Error(what);
    this.wake();
    void closeSoon(this.link);
  }

  /** Counts a timed-out reply; the last of a silent run closes the line as stalled. */
  private noteTimeout(timeoutMs: number): void {
    if (!this.watchSilence) return;
    const silent = this.rxBytes === this.rxAtLastTimeout;
    this.silentTimeouts = silent ? this.silentTimeouts + 1 : 1;
    this.silentMs = silent ? this.silentMs + timeoutMs : timeoutMs;
    this.rxAtLastTimeout = this.rxBytes;
    if (
      this.silentTimeouts >= SILENT_TIMEOUTS ||
      (this.silentTimeouts >= 2 && this.silentMs >= LONG_SILENCE_MS)
    )
      this.stalled(
        `stopped answering: nothing came back for the last ${this.silentTimeouts} commands, ${Math.round(this.silentMs / 1000)} s`,
      );
  }

  /** How long the line has been waited on with not one byte back (0 once anything arrives). */
  get silentWaitMs(): number {
    return this.watchSilence && this.rxBytes === this.rxAtLastTimeout ? this.silentMs : 0;
  }

  private assertOpen(): void {
    if (this.closeReason === 'abort') throw abortedError('The operation');
    if (this.closeReason === 'stall') {
      throw new FlashbackError(
        'PORT_STALLED',
        `${this.link.spec} ${this.stallWhat}; the port was closed`,
        'Unplug the USB adapter and plug it back in (or restart the program holding the other end), then run the operation again.',
        { port: this.link.spec },
      );
    }
    if (this.closedError) {
      throw new FlashbackError(
        'PORT_CLOSED',
        `The board disconnected (${this.closedError.message})`,
        this.link.kind === 'serial'
          ? 'Check the USB cable and plug the board back in, then run the operation again.'
          : `Check that ${this.link.spec} is reachable again, then run the operation again.`,
      );
    }
  }

  /** Next frame, or TIMEOUT after `timeoutMs`. */
  async readFrame(timeoutMs: number, what = 'a reply'): Promise<Uint8Array> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const f = this.queue.shift();
      if (f) return f;
      this.assertOpen();
      const left = deadline - performance.now();
      if (left <= 0) {
        this.noteTimeout(timeoutMs);
        this.assertOpen();
        throw new FlashbackError(
          'TIMEOUT',
          `Timed out waiting for ${what}`,
          'Check the connection and try again.',
          {
            timeoutMs,
          },
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          if (this.waiter === done) this.waiter = null;
          resolve();
        }, left);
        const done = () => {
          clearTimeout(t);
          resolve();
        };
        this.waiter = done;
      });
    }
  }

  /** Sends a command and returns its response; throws COMMAND_FAILED on a failure status. */
  async command(op: number, data: Uint8Array, opts: CommandOptions = {}): Promise<Response> {
    const timeoutMs = opts.timeoutMs ?? 3000;
    const name = OP_NAMES[op] ?? `0x${op.toString(16)}`;
    await this.writeFrame(encodeRequest(op, data, opts.chk ?? 0));
    const deadline = performance.now() + timeoutMs;
    for (let stray = 0; stray < MAX_STRAY_FRAMES; stray++) {
      const left = Math.max(1, deadline - performance.now());
      const frame = await this.readFrame(left, `the reply to ${name}`);
      const resp = decodeResponse(frame);
      if (!resp && frame[0] === 0x01 && frame[1] === op) {
        // Our reply, damaged on the way (a byte lost): say so now rather than wait for the timeout.
        throw new FlashbackError(
          'GARBAGE',
          `The reply to ${name} arrived damaged (${frame.length} bytes)`,
          'Bytes were lost on the line: lower the baud rate and check the cable.',
        );
      }
      if (
        opts.mayBeUnsupported &&
        resp &&
        resp.op !== op &&
        resp.status === 1 &&
        resp.error === ROM_INVALID_MESSAGE
      ) {
        // The ROM answers a command it does not know with its previous opcode, status 1, error 5 (notes
        // 1.2, 1.4; esptool's UnsupportedCommandError), possibly several times: let them come, drop them.
        await new Promise((r) => setTimeout(r, UNSUPPORTED_DRAIN_MS));
        await this.flushInput();
        if (opts.allowFailure) return { ...resp, op, unsupported: true };
        throw new FlashbackError(
          'COMMAND_FAILED',
          `${name} is not supported by the loader on the board`,
          "This chip's loader does not take that command; retry without the option that needs it.",
          { op, status: resp.status, error: resp.error, unsupported: true },
        );
      }
      if (!resp || resp.op !== op) continue;
      if (resp.status !== 0 && !opts.allowFailure) {
        throw new FlashbackError(
          'COMMAND_FAILED',
          `${name} failed: ${describeStatus(resp.status, resp.error)}`,
          hintForStatus(resp.status, resp.error),
          { op, status: resp.status, error: resp.error },
        );
      }
      return resp;
    }
    throw new FlashbackError(
      'GARBAGE',
      `The chip answered ${MAX_STRAY_FRAMES} frames that were not a reply to ${name}`,
      'Lower the baud rate (--baud 115200) and check the cable.',
    );
  }

  dispose(): void {
    for (const u of this.unsubs) u();
    this.unsubs.length = 0;
  }
}

function hintForStatus(status: number, error: number): string {
  if (status === 1 && error === 0x08)
    return 'The flash refused the write: the chip may be write-protected or failing; try a lower baud and a better power supply.';
  if (status === 1 && error === 0x07)
    return 'Data was corrupted on the way: lower the baud rate and check the cable.';
  if (status === 0xc1) return 'Data was corrupted on the way: lower the baud rate and check the cable.';
  if (status === 0xc7)
    return 'The compressed data did not inflate: retry; if it repeats, write without compression.';
  return 'Retry the operation; if it repeats, reset the board into the bootloader and lower the baud rate.';
}

/** Closes a link without waiting more than a moment: a port with a stalled write may never confirm. */
async function closeSoon(link: Link): Promise<void> {
  await Promise.race([link.close().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
}
