/**
 * Reads a board's log from a Link as lines, at both of the rates an ESP8266 talks at — the way a
 * person toggles a serial monitor between them (notes 3.3, 3.4):
 * - the ROM (and the SDK before the PLL is calibrated) prints at 74880 with a 26 MHz crystal (115200
 *   with a 40 MHz one): the `rst cause` banner, `load`/`csum` lines, `wdt reset`, `rf_cal[0] !=0x05`,
 *   `system param error`, `csum err`;
 * - the app prints at its own rate (`--monitor-baud`, usually 115200).
 *
 * After a reset the reader starts at the ROM rate and moves to the app rate once the ROM is done (the
 * app's first bytes arrive garbled, or the line goes quiet after `csum`). While reading the app, a
 * garbage burst after readable app text is the next boot's banner: it switches to the ROM rate, keeps
 * what the ROM/SDK still print of that boot, waits there for the following boot's banner (so a boot
 * loop's ROM cause is read, not guessed), then returns to the app rate. Links that cannot change rate
 * (socket://) read at one fixed rate and say so.
 */
import type { Link } from '../transport/link.js';
import { parseRomBanner } from './boot-banner.js';
import { LineSplitter, splitGarbage } from './log-parser.js';

/** The rate the boot ROM prints its banner at with the usual 26 MHz crystal (not the loader's 115200). */
export const BOOT_LOG_BAUD = 74_880;
/** The ROM's rate for a crystal: 115200 × MHz / 40 (26 MHz → 74880, 40 MHz → 115200). */
export const romBaudFor = (crystalMHz: number): number => Math.round((115_200 * crystalMHz) / 40);

/** Quiet gap after `csum` (the ROM and SDK early lines come back to back; the app starts later). */
const AFTER_CSUM_QUIET_MS = 25;
/** Quiet gap after a banner without `csum` (ROM halted, or a loader banner). */
const AFTER_BANNER_QUIET_MS = 150;
/** No banner at all within this after a reset: the board is probably already in its app. */
const ROM_MAX_MS = 1500;
/** Waiting at the ROM rate for the next boot's banner gives up after this. */
const BANNER_WAIT_MS = 6000;
/** A burst is this many non-text bytes within BURST_WINDOW_MS. */
const BURST_BYTES = 6;
const BURST_WINDOW_MS = 30;
/** Two reboots within this are a boot loop. */
const LOOP_WINDOW_MS = 15_000;
/** Toggles to the ROM rate that found nothing readable before we stop toggling. */
const MAX_FUTILE_TOGGLES = 2;

export type ReaderPhase = 'rom' | 'app';

export interface SerialLogOptions {
  monitorBaud: number;
  /** The ROM's rate (default 74880; 115200 for a 40 MHz crystal). */
  romBaud?: number;
  /**
   * 'rom': a reset is about to happen, start at the ROM rate (default when the link can change rate);
   * 'app': the board is already running, start at the app rate (listening only).
   */
  startAt?: ReaderPhase;
  /** Toggle rates on reboots (default: whenever the link can change rate). */
  dualRate?: boolean;
  /** Start by waiting at the ROM rate for a banner (the user presses RESET), up to bannerWaitMs. */
  awaitBanner?: boolean;
  /** How long to wait at the ROM rate for a boot banner (default 6 s). */
  bannerWaitMs?: number;
  /** Each line as received (latin1 text, line ending stripped) with the rate it was read at. */
  onLine: (raw: string, baud: number) => void;
  /** Each rate change, with why (for the monitor's status line and the check's log). */
  onSwitch?: (baud: number, why: string) => void;
  signal?: AbortSignal;
}

export interface SerialLog {
  /** Lines delivered so far. */
  readonly lines: number;
  readonly bytes: number;
  readonly phase: ReaderPhase;
  /** Rate changes made so far. */
  readonly switches: number;
  /** Whether this reader can read both rates (false on socket://). */
  readonly dualRate: boolean;
  /** Tell the reader a reset is about to happen (monitor's reset key): read the banner at the ROM rate. */
  expectBoot(): Promise<void>;
  /** Flushes a partial last line and stops listening (does not close the link). */
  stop(): Promise<void>;
}

const isText = (c: number) => (c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Starts listening on an open link. Call before resetting the board so the banner is not missed; with
 * startAt 'rom' the link is switched to the ROM rate first (if it is not already).
 */
export function readSerialLog(link: Link, opts: SerialLogOptions): SerialLog {
  const romBaud = opts.romBaud ?? BOOT_LOG_BAUD;
  const canChange = link.capabilities.baudChange;
  const dual = canChange && (opts.dualRate ?? true) && romBaud !== opts.monitorBaud;
  let phase: ReaderPhase = canChange && (opts.startAt ?? 'rom') === 'rom' ? 'rom' : 'app';
  let lines = 0;
  let bytes = 0;
  let switches = 0;
  let phaseStart = performance.now();
  let lastByteAt = performance.now();
  // ROM phase state.
  let bannerSeen = false;
  let csumSeen = false;
  let waitingForBanner = phase === 'rom' && opts.awaitBanner === true;
  const bannerWaitMs = opts.bannerWaitMs ?? BANNER_WAIT_MS;
  let romText = false;
  // App phase state.
  let appReadable = false;
  let futile = 0;
  let rebootBursts = 0;
  let lastRebootAt = -Infinity;
  let burst: number[] = [];
  let switching: Promise<void> = Promise.resolve();

  const rateOf = (p: ReaderPhase) => (p === 'rom' ? romBaud : opts.monitorBaud);

  const splitter = new LineSplitter((raw) => {
    lines++;
    const baud = canChange ? rateOf(phase) : link.baud;
    opts.onLine(raw, baud);
    const { garbage, text } = splitGarbage(raw);
    const t = text.trim();
    if (!t) return;
    if (phase === 'rom') {
      romText = true;
      if (parseRomBanner(t)) {
        bannerSeen = true;
        waitingForBanner = false;
        csumSeen = false;
      } else if (/^csum 0x/.test(t)) csumSeen = true;
    } else if (garbage === 0 && /[A-Za-z]{2}/.test(t)) {
      appReadable = true;
      futile = 0;
    }
  });

  const switchTo = (next: ReaderPhase, why: string) => {
    if (next === phase || !canChange) return;
    // The partial line belongs to the rate it was read at.
    splitter.flush();
    if (next === 'app' && waitingForBanner === false && !romText) futile++;
    phase = next;
    switches++;
    phaseStart = performance.now();
    burst = [];
    if (next === 'rom') {
      bannerSeen = false;
      csumSeen = false;
      romText = false;
    } else {
      appReadable = false;
    }
    const baud = rateOf(next);
    opts.onSwitch?.(baud, why);
    switching = switching.then(() => (link.isOpen ? link.setBaud(baud).catch(() => undefined) : undefined));
  };

  const onBurst = () => {
    if (phase === 'app') {
      // Garbage after readable app text: a reboot's banner. Before any readable text: wrong app rate.
      if (dual && appReadable && futile < MAX_FUTILE_TOGGLES) {
        // A second reboot soon after the first is a loop: then it is worth waiting at the ROM rate for
        // the next boot's banner (its rst cause). A single reboot only costs the rest of its ROM text.
        const now = performance.now();
        const loop = rebootBursts > 0 && now - lastRebootAt < LOOP_WINDOW_MS;
        rebootBursts++;
        lastRebootAt = now;
        switchTo('rom', 'a garbage burst at the app rate: the board rebooted; reading the ROM text');
        waitingForBanner = loop;
      }
    } else if (!waitingForBanner && (bannerSeen || romText || performance.now() - phaseStart > 300)) {
      switchTo('app', 'bytes at another rate after the ROM text: the app started');
    }
  };

  const off = link.onData((chunk) => {
    bytes += chunk.length;
    const now = performance.now();
    lastByteAt = now;
    splitter.push(chunk);
    let bad = 0;
    for (const b of chunk) if (!isText(b)) bad++;
    if (bad) {
      burst.push(...Array<number>(Math.min(bad, BURST_BYTES)).fill(now));
      burst = burst.filter((t) => now - t <= BURST_WINDOW_MS);
      if (burst.length >= BURST_BYTES) onBurst();
    }
  });

  const timer = setInterval(() => {
    const now = performance.now();
    const quiet = now - lastByteAt;
    if (phase === 'rom' && canChange) {
      if (waitingForBanner) {
        if (now - phaseStart > bannerWaitMs) {
          waitingForBanner = false;
          switchTo('app', 'no new boot banner: back to the app rate');
        }
      } else if (csumSeen && quiet > AFTER_CSUM_QUIET_MS)
        switchTo('app', 'the ROM finished loading (csum): app rate');
      else if (bannerSeen && quiet > AFTER_BANNER_QUIET_MS) switchTo('app', 'the ROM went quiet: app rate');
      else if (!bannerSeen && now - phaseStart > ROM_MAX_MS) switchTo('app', 'no boot banner: app rate');
    }
    // A line left without its newline for a while (a prompt, a cut-off line) is still evidence.
    if (splitter.pending.length && quiet > 500) splitter.flush();
  }, 10);
  const onAbort = () => clearInterval(timer);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  if (canChange && link.baud !== rateOf(phase))
    switching = link.setBaud(rateOf(phase)).catch(() => undefined);

  return {
    get lines() {
      return lines;
    },
    get bytes() {
      return bytes;
    },
    get phase() {
      return phase;
    },
    get switches() {
      return switches;
    },
    dualRate: dual,
    async expectBoot() {
      waitingForBanner = false;
      if (phase === 'rom') {
        phaseStart = performance.now();
        bannerSeen = false;
        csumSeen = false;
      } else switchTo('rom', 'reset: reading the boot banner at the ROM rate');
      await switching;
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
