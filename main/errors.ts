/**
 * Typed errors for every layer. Each carries a stable `code` (scripts and the UI switch on it) and a
 * `hint`: the one thing the user should do next. They cross IPC as plain data (see `toErrorData`),
 * because Electron and JSON drop class identity.
 */

/**
 * What kind of failure an error is, whatever layer threw it: `usage` — the request could not start as
 * given (bad option, port missing/busy/not permitted, file missing, unreadable, empty or truncated, an
 * image that does not fit the board or the upload limit, not confirmed: nothing was touched);
 * `interrupted` — the user cancelled; `failed` — the operation ran and failed. The CLI's exit code
 * follows from the kind (main/cli/exit-codes.ts).
 */
export type ErrorKind = 'usage' | 'failed' | 'interrupted';

/**
 * Every error code with its kind, in one table: a new code cannot exist without saying how it exits
 * (the type below is derived from it; test/unit/exit-codes.test.ts checks every code the sources throw).
 */
export const ERROR_KINDS = {
  PORT_NOT_FOUND: 'usage',
  PORT_BUSY: 'usage',
  PORT_PERMISSION: 'usage',
  PORT_CLOSED: 'failed',
  PORT_STALLED: 'failed',
  BAD_PORT_SPEC: 'usage',
  NOT_IN_BOOTLOADER: 'failed',
  TIMEOUT: 'failed',
  BAUD_FAILED: 'failed',
  GARBAGE: 'failed',
  COMMAND_FAILED: 'failed',
  UNSUPPORTED_CHIP: 'failed',
  ROM_CANNOT: 'failed',
  MD5_MISMATCH: 'failed',
  OUTSIDE_PLAN_CHANGED: 'failed',
  IMAGE_TOO_BIG: 'usage',
  OUT_OF_REACH: 'failed',
  FILE_NOT_FOUND: 'usage',
  FILE_TRUNCATED: 'usage',
  BAD_IMAGE: 'usage',
  LIBRARY_CORRUPT: 'failed',
  LIBRARY_NOT_FOUND: 'usage',
  JOURNAL: 'failed',
  DATA_BUSY: 'usage',
  /** Another board than the one detected is on the port (swapped on the same adapter). */
  WRONG_BOARD: 'usage',
  BROKER_UNREACHABLE: 'usage',
  ABORTED: 'interrupted',
  BAD_ARGUMENT: 'usage',
  NOT_CONFIRMED: 'usage',
  PLAN_STALE: 'failed',
  INTERNAL: 'failed',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_KINDS;

export const ERROR_CODES = Object.keys(ERROR_KINDS) as ErrorCode[];

export function errorKind(code: ErrorCode): ErrorKind {
  return ERROR_KINDS[code];
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
  hint: string;
  details?: Record<string, unknown>;
}

export class FlashbackError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, hint: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'FlashbackError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  get kind(): ErrorKind {
    return errorKind(this.code);
  }
}

export function isFlashbackError(e: unknown): e is FlashbackError {
  return e instanceof FlashbackError;
}

/** Thrown when an AbortSignal fires; operations check `signal` between blocks. */
export function abortedError(what = 'Operation'): FlashbackError {
  return new FlashbackError('ABORTED', `${what} was cancelled`, 'Start it again when ready.');
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortedError(what);
}

export function toErrorData(e: unknown): ErrorData {
  if (e instanceof FlashbackError) {
    return { code: e.code, message: e.message, hint: e.hint, ...(e.details ? { details: e.details } : {}) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message, hint: 'This is a bug in Flashback; please report it with the log.' };
}
