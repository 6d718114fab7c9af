/**
 * The one exit-code table for every command. A command's errors map through it by their kind
 * (main/errors.ts `errorKind`); commands that give a verdict (mqtt-check) set PASS/FAIL/INCONCLUSIVE.
 */
import { ERROR_CODES, errorKind, FlashbackError, type ErrorCode, type ErrorKind } from '../errors.js';

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

const EXIT_BY_KIND: Record<ErrorKind, number> = {
  usage: EXIT.usage,
  failed: EXIT.fail,
  interrupted: EXIT.interrupted,
};

/** The exit code an error code gives, whichever command raised it. */
export function exitCodeOf(code: ErrorCode): number {
  return EXIT_BY_KIND[errorKind(code)];
}

/** The error codes (`--json`: `error.code`) that exit with `exit`, in table order. */
export function errorCodesExiting(exit: number): ErrorCode[] {
  return ERROR_CODES.filter((c) => exitCodeOf(c) === exit);
}

/** Words joined into lines of at most `width` characters, each starting with `indent`. */
function wrap(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line.trim() !== '') {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  return [...lines, line.trimEnd()];
}

/** The table as `--help` prints it, with the error codes behind 2 and 130 (every other code exits 1). */
export function exitCodeHelp(): string {
  return [
    'Exit codes:',
    ...EXIT_TABLE.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`),
    ...wrap(
      `With --json, error.code names the error: ${errorCodesExiting(EXIT.usage).join(', ')} exit 2; ` +
        `${errorCodesExiting(EXIT.interrupted).join(', ')} exits 130; every other code exits 1.`,
      '  ',
    ),
  ].join('\n');
}

/** The exit code for an error a command threw; `interrupted` when the user cancelled, whatever it says. */
export function exitCodeFor(e: unknown, interrupted = false): number {
  if (interrupted) return EXIT.interrupted;
  if (!(e instanceof FlashbackError)) return EXIT.fail;
  return exitCodeOf(e.code);
}

/**
 * Kept for callers that mark errors raised while a check sets up; every usage-kind error already
 * exits 2 through `exitCodeFor`, so this only returns the error.
 */
export function setupExit(e: unknown): unknown {
  return e;
}
