/**
 * Opens a board for one operation: link → connect (with the baud ladder) → run → leave the loader → close.
 * The baud that worked is remembered per USB adapter; a rate that fails steps down the ladder and says so.
 */
import { connect } from '../esp/index.js';
import { ROM_LOADER_BAUD } from '../esp/chips/esp8266.js';
import type { EspSession } from '../esp/types.js';
import { FlashbackError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import { hexAddr, humanSize } from '../units.js';
import { rememberBaud, rememberedBaud, rememberStubLeft, stubLeftAt } from '../settings.js';
import {
  baudLadder,
  identifyPort,
  openLink,
  parsePortSpec,
  startBaudFor,
  type PortIdentity,
} from '../transport/index.js';
import type { Link } from '../transport/link.js';
import { isRetryable } from './recovery.js';
import type { BoardTarget } from './types.js';

/** Connects tried (each with its own sync attempts) before a damaged connect is reported. */
const CONNECT_ATTEMPTS = 3;
export { identifyPort };

export interface OpenBoard {
  session: EspSession;
  link: Link;
  identity: PortIdentity;
}

/**
 * Runs `fn` with a connected session. On success the board is left per `target.after` (default
 * hard-reset into the firmware); on failure it is left in the bootloader so nothing half-written boots.
 */
export async function withBoard<T>(
  target: BoardTarget,
  opts: OpOptions,
  fn: (b: OpenBoard) => Promise<T>,
): Promise<T> {
  const identity = await identifyPort(target.port);
  const board = await openWithLadder(target, identity, opts);
  // Until the stub is back at 115200, remember where it runs: if this run is cut short on a board that
  // cannot be reset, the next connect finds it there.
  const fast = board.session.stub && board.session.baud !== ROM_LOADER_BAUD;
  if (fast) await rememberStubLeft(target.port, board.session.baud).catch(() => undefined);
  let ok = false;
  try {
    assertExpectedBoard(target, board.session);
    const result = await fn(board);
    ok = true;
    return result;
  } finally {
    try {
      if (board.link.isOpen) {
        const after = ok ? (target.after ?? 'hard-reset') : 'no-reset';
        const left = await board.session.finish(after);
        if (fast && left.stubBaud === null) await rememberStubLeft(target.port, null).catch(() => undefined);
        // A port without control lines has just said so (session.finish); say it once.
        if (
          ok &&
          after === 'hard-reset' &&
          target.before === 'manual' &&
          board.link.capabilities.controlLines
        ) {
          opts.log?.(
            'Done. If the board has no auto-reset circuit, press RST (or unplug and replug it) to run the firmware.',
          );
        }
      }
    } catch {
      // Leaving the loader is best effort; the operation's own result or error stands.
    }
    await board.link.close().catch(() => undefined);
  }
}

async function openWithLadder(
  target: BoardTarget,
  identity: PortIdentity,
  opts: OpOptions,
): Promise<OpenBoard> {
  const stub = target.stub !== false;
  // A TCP bridge fixes the UART rate at its end: the host cannot change it.
  const isTcp = parsePortSpec(target.port).kind === 'tcp';
  const wanted =
    !stub || isTcp
      ? undefined
      : (target.baud ??
        (identity.adapterKey ? await rememberedBaud(identity.adapterKey) : undefined) ??
        startBaudFor(identity.bridge));
  const rates = wanted ? baudLadder(wanted) : [undefined];
  const stubBaud = await stubLeftAt(target.port).catch(() => undefined);
  let lastError: unknown;
  let tries = 0;
  // The board answered in an earlier attempt of this run (the error that ended it, and the rate it was
  // being switched to): if it is silent now, the line stalled or the stub was stranded at that rate.
  let answered: { error: Error; rate?: number | undefined } | null = null;
  for (let r = 0; r < rates.length; r++) {
    const baud = rates[r];
    const link = await openLink(target.port, { baud: ROM_LOADER_BAUD });
    try {
      const session = await connect(link, {
        before: target.before ?? 'default-reset',
        stub,
        ...(baud && baud !== ROM_LOADER_BAUD ? { baud } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.onPrompt ? { onPrompt: opts.onPrompt } : {}),
        ...(stubBaud ? { stubBaud } : {}),
      });
      if (baud && identity.adapterKey) await rememberBaud(identity.adapterKey, baud).catch(() => undefined);
      // What was remembered about this port is replaced by what this connect found: the board there may
      // be another one (swapped on the same adapter) or power-cycled. withBoard records a stub it leaves.
      if (stubBaud) await rememberStubLeft(target.port, null).catch(() => undefined);
      return { session, link, identity };
    } catch (e) {
      await link.close().catch(() => undefined);
      lastError = e;
      if (answered && silentNow(e)) throw wentSilent(target.port, answered);
      if (rateFailed(e)) {
        answered = { error: e as Error, rate: baud };
        opts.log?.(`${baud} baud did not work on ${target.port}; stepping down.`);
        continue;
      }
      // A byte lost or damaged during connect or the stub upload: connect again (reset first).
      if (isRetryable(e) && ++tries < CONNECT_ATTEMPTS && !opts.signal?.aborted) {
        answered = { error: e as Error };
        opts.log?.(`Connecting failed (${(e as Error).message}); trying again.`);
        r--;
        continue;
      }
      throw e;
    }
  }
  throw lastError instanceof Error
    ? lastError
    : new FlashbackError(
        'BAUD_FAILED',
        'No baud rate worked',
        'Check the cable and retry with --baud 115200.',
      );
}

/** Not one byte came back to SYNC (no boot text, no noise): the line is silent. */
function silentNow(e: unknown): boolean {
  return e instanceof FlashbackError && e.code === 'NOT_IN_BOOTLOADER' && e.details?.silent === true;
}

/**
 * The board answered earlier in this run and nothing comes back now. "Did not answer at all" with
 * cable and GPIO15 hints would send the user the wrong way: say what happened and what gets it back.
 */
function wentSilent(port: string, answered: { error: Error; rate?: number | undefined }): FlashbackError {
  const { rate } = answered;
  if (rate) {
    const lower = baudLadder(rate)[1] ?? ROM_LOADER_BAUD;
    return new FlashbackError(
      'BAUD_FAILED',
      `The board on ${port} answered at ${ROM_LOADER_BAUD} baud, then went silent once switched to ${rate} baud (${answered.error.message}), and it has not answered since; nothing was written`,
      `No reset reached it, so its flasher stub still listens at ${rate} baud: power-cycle the board (holding FLASH/BOOT, or with GPIO0 low, so it starts in its bootloader), then run again with --baud ${lower}.`,
      { port, baud: rate },
    );
  }
  return new FlashbackError(
    'PORT_STALLED',
    `${port} stopped answering while connecting: the board answered, then ${lowerFirst(answered.error.message)}, and nothing has come back since; nothing was written`,
    'The board or its USB adapter hung, lost power or was reset: unplug the adapter (or power-cycle the board) and plug it back in, into its bootloader if it has no auto-reset (hold FLASH/BOOT while powering up), then run the command again.',
    { port },
  );
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The rate did not work (BAUD_FAILED), or the driver refused to set it (BAD_ARGUMENT naming the rate). */
function rateFailed(e: unknown): boolean {
  if (!(e instanceof FlashbackError)) return false;
  return e.code === 'BAUD_FAILED' || (e.code === 'BAD_ARGUMENT' && e.details?.refusedBaud !== undefined);
}

/** The board on the port is the one the caller detected (same MAC), or nothing is done. */
function assertExpectedBoard(target: BoardTarget, session: EspSession): void {
  const want = target.expectMac?.toLowerCase();
  const { mac, chip } = session.info;
  if (!want || mac.toLowerCase() === want) return;
  throw new FlashbackError(
    'WRONG_BOARD',
    `The board on ${target.port} is ${chip} ${mac}, not the board ${want} this was meant for; nothing was read or written`,
    `Another board is plugged into ${target.port} now: plug ${want} back in, or detect this board again if it is the one you mean.`,
    { expected: want, found: mac, port: target.port },
  );
}

/** Refuses, before anything is read or written, a range the session cannot address. */
export function assertReachable(session: EspSession, offset: number, size: number, what: string): void {
  if (offset + size <= session.reach) return;
  throw new FlashbackError(
    'OUT_OF_REACH',
    `${what} needs flash up to ${hexAddr(offset + size - 1)}, but this session reaches only 0x0–${hexAddr(session.reach - 1)} (${humanSize(session.reach)}) of the ${humanSize(session.info.flash.size)} chip; nothing was done`,
    'A flasher stub left running by an earlier session keeps its old reach: reset the board (RST or power-cycle) and run again.',
    { offset, size, reach: session.reach },
  );
}
