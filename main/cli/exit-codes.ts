/**
 * Process exit codes for commands that give a verdict (mqtt-check, monitor): 0 PASS, 1 FAIL,
 * 3 INCONCLUSIVE, 2 usage or setup error — a bad option, a port that is missing, busy or not ours,
 * an unreadable file — so a script can tell "the board failed" from "the check could not run".
 */
import { FlashbackError } from '../errors.js';

export const EXIT = { pass: 0, fail: 1, usage: 2, inconclusive: 3 } as const;

/** Errors that mean the check could not start (not a verdict about the board). */
const SETUP: ReadonlySet<string> = new Set([
  'BAD_ARGUMENT',
  'BAD_PORT_SPEC',
  'PORT_NOT_FOUND',
  'PORT_BUSY',
  'PORT_PERMISSION',
  'FILE_NOT_FOUND',
  'BAD_IMAGE',
  'BROKER_UNREACHABLE',
]);

/** Marks a setup error so the CLI exits 2 (main.ts reads `exitCode`); other errors pass unchanged. */
export function setupExit(e: unknown): unknown {
  if (e instanceof FlashbackError && SETUP.has(e.code)) return Object.assign(e, { exitCode: EXIT.usage });
  return e;
}
