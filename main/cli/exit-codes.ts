/**
 * The one exit-code table for every command. A command's errors map through it by their kind
 * (main/errors.ts `errorKind`); commands that give a verdict (mqtt-check) set PASS/FAIL/INCONCLUSIVE.
 */
import { errorKind, FlashbackError } from '../errors.js';

export const EXIT = {
  /** Done, or the verdict is PASS. */
  pass: 0,
  /** The operation failed, or the verdict is FAIL. */
  fail: 1,
  /** Usage or setup error: bad option, port missing/busy/not permitted, file missing or unreadable. */
  usage: 2,
  /** The check ran but could not decide. */
  inconclusive: 3,
  /** Interrupted (Ctrl-C / SIGINT), as shells report it. */
  interrupted: 130,
} as const;

export const EXIT_TABLE: ReadonlyArray<readonly [number, string]> = [
  [EXIT.pass, 'done / PASS'],
  [EXIT.fail, 'operation failed / FAIL'],
  [EXIT.usage, 'usage or setup error (bad option, port missing or busy, file missing)'],
  [EXIT.inconclusive, 'inconclusive (mqtt-check could not decide)'],
  [EXIT.interrupted, 'interrupted (Ctrl-C)'],
];

/** The table as `--help` prints it. */
export function exitCodeHelp(): string {
  return [
    'Exit codes:',
    ...EXIT_TABLE.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`),
  ].join('\n');
}

/** The exit code for an error a command threw; `interrupted` when the user cancelled, whatever it says. */
export function exitCodeFor(e: unknown, interrupted = false): number {
  if (interrupted) return EXIT.interrupted;
  if (!(e instanceof FlashbackError)) return EXIT.fail;
  switch (errorKind(e.code)) {
    case 'usage':
      return EXIT.usage;
    case 'interrupted':
      return EXIT.interrupted;
    case 'failed':
      return EXIT.fail;
  }
}

/**
 * Kept for callers that mark errors raised while a check sets up; every usage-kind error already
 * exits 2 through `exitCodeFor`, so this only returns the error.
 */
export function setupExit(e: unknown): unknown {
  return e;
}
