/**
 * Opens a board for one operation: link → connect (with the baud ladder) → run → leave the loader → close.
 * The baud that worked is remembered per USB adapter; a rate that fails steps down the ladder and says so.
 */
import { connect } from '../esp/index.js';
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

const ROM_BAUD = 115200;
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
  const fast = board.session.stub && board.session.baud !== ROM_BAUD;
  if (fast) await rememberStubLeft(target.port, board.session.baud).catch(() => undefined);
  let ok = false;
  try {
    const result = await fn(board);
    ok = true;
    return result;
  } finally {
    try {
      if (board.link.isOpen) {
        const after = ok ? (target.after ?? 'hard-reset') : 'no-reset';
        const left = await board.session.finish(after);
        if (fast && left.stubBaud === null) await rememberStubLeft(target.port, null).catch(() => undefined);
        if (ok && after === 'hard-reset' && target.before === 'manual') {
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
  for (let r = 0; r < rates.length; r++) {
    const baud = rates[r];
    const link = await openLink(target.port, { baud: ROM_BAUD });
    try {
      const session = await connect(link, {
        before: target.before ?? 'default-reset',
        stub,
        ...(baud && baud !== ROM_BAUD ? { baud } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.onPrompt ? { onPrompt: opts.onPrompt } : {}),
        ...(stubBaud ? { stubBaud } : {}),
      });
      if (baud && identity.adapterKey) await rememberBaud(identity.adapterKey, baud).catch(() => undefined);
      return { session, link, identity };
    } catch (e) {
      await link.close().catch(() => undefined);
      lastError = e;
      if (rateFailed(e)) {
        opts.log?.(`${baud} baud did not work on ${target.port}; stepping down.`);
        continue;
      }
      // A byte lost or damaged during connect or the stub upload: connect again (reset first).
      if (isRetryable(e) && ++tries < CONNECT_ATTEMPTS && !opts.signal?.aborted) {
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

/** The rate did not work (BAUD_FAILED), or the driver refused to set it (BAD_ARGUMENT naming the rate). */
function rateFailed(e: unknown): boolean {
  if (!(e instanceof FlashbackError)) return false;
  return e.code === 'BAUD_FAILED' || (e.code === 'BAD_ARGUMENT' && e.details?.refusedBaud !== undefined);
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
