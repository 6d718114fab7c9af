/**
 * Reads a board's boot + app log from a Link as lines: opens at the ROM's 74880 baud so the banner is
 * readable (notes 3.3), then switches to the monitor baud once the ROM is done — after its `csum` line,
 * a boot failure, a quiet gap after the banner, or as soon as bytes at another rate show up (the app
 * has started). Links that cannot change baud (socket://) stay at the monitor baud throughout.
 */
import type { Link } from '../transport/link.js';
import { parseBootFailure, parseRomBanner } from './boot-banner.js';
import { LineSplitter, splitGarbage } from './log-parser.js';

export const ROM_BAUD = 74_880;
/** The ROM prints its banner and load lines within a few ms; the app starts ~100 ms later. */
const ROM_QUIET_MS = 120;
const ROM_MAX_MS = 1500;

export interface SerialLogOptions {
  monitorBaud: number;
  /** Start at the ROM rate and switch (default true when the link can change baud). */
  romFirst?: boolean;
  /** Each line as received (latin1 text, line ending stripped) with the baud it was read at. */
  onLine: (raw: string, baud: number) => void;
  signal?: AbortSignal;
}

export interface SerialLog {
  /** Lines delivered so far. */
  readonly lines: number;
  readonly bytes: number;
  /** Flushes a partial last line and stops listening (does not close the link). */
  stop(): Promise<void>;
}

/**
 * Starts listening on an open link. Call before resetting the board so the banner is not missed;
 * the link should already be at ROM_BAUD when `romFirst`.
 */
export function readSerialLog(link: Link, opts: SerialLogOptions): SerialLog {
  const romFirst = (opts.romFirst ?? true) && link.capabilities.baudChange;
  let phase: 'rom' | 'app' = romFirst ? 'rom' : 'app';
  let lines = 0;
  let bytes = 0;
  let bannerAt = 0;
  let lastByteAt = performance.now();
  const started = performance.now();
  let switching: Promise<void> | null = null;

  const switchToApp = () => {
    if (phase !== 'rom' || switching) return;
    phase = 'app';
    switching = link.isOpen ? link.setBaud(opts.monitorBaud).catch(() => undefined) : Promise.resolve();
  };

  const splitter = new LineSplitter((raw) => {
    lines++;
    const baud = phase === 'rom' ? ROM_BAUD : opts.monitorBaud;
    opts.onLine(raw, baud);
    if (phase !== 'rom') return;
    const { garbage, text } = splitGarbage(raw);
    if (parseRomBanner(text)) bannerAt = performance.now();
    else if (bannerAt && (garbage > 0 || /^csum 0x/.test(text.trim()) || parseBootFailure(text)))
      switchToApp();
  });

  const off = link.onData((chunk) => {
    bytes += chunk.length;
    lastByteAt = performance.now();
    splitter.push(chunk);
  });

  const timer = setInterval(() => {
    const now = performance.now();
    if (phase === 'rom' && ((bannerAt && now - lastByteAt > ROM_QUIET_MS) || now - started > ROM_MAX_MS))
      switchToApp();
    // A line left without its newline for a while (a prompt, a cut-off line) is still evidence.
    if (splitter.pending.length && now - lastByteAt > 500) splitter.flush();
  }, 20);
  const onAbort = () => clearInterval(timer);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    get lines() {
      return lines;
    },
    get bytes() {
      return bytes;
    },
    async stop() {
      clearInterval(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      off();
      splitter.flush();
      await switching;
    },
  };
}
