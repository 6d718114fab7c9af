/**
 * Typed errors for every layer. Each carries a stable `code` (scripts and the UI switch on it) and a
 * `hint`: the one thing the user should do next. They cross IPC as plain data (see `toErrorData`),
 * because Electron and JSON drop class identity.
 */
export type ErrorCode =
  | 'PORT_NOT_FOUND'
  | 'PORT_BUSY'
  | 'PORT_PERMISSION'
  | 'PORT_CLOSED'
  | 'PORT_STALLED'
  | 'BAD_PORT_SPEC'
  | 'NOT_IN_BOOTLOADER'
  | 'TIMEOUT'
  | 'BAUD_FAILED'
  | 'GARBAGE'
  | 'COMMAND_FAILED'
  | 'UNSUPPORTED_CHIP'
  | 'ROM_CANNOT'
  | 'MD5_MISMATCH'
  | 'OUTSIDE_PLAN_CHANGED'
  | 'IMAGE_TOO_BIG'
  | 'OUT_OF_REACH'
  | 'FILE_NOT_FOUND'
  | 'FILE_TRUNCATED'
  | 'BAD_IMAGE'
  | 'LIBRARY_CORRUPT'
  | 'LIBRARY_NOT_FOUND'
  | 'JOURNAL'
  | 'DATA_BUSY'
  | 'BROKER_UNREACHABLE'
  | 'ABORTED'
  | 'BAD_ARGUMENT'
  | 'NOT_CONFIRMED'
  | 'PLAN_STALE'
  | 'INTERNAL';

/**
 * What kind of failure an error is, whatever layer threw it: `usage` — the request could not start as
 * given (bad option, port missing/busy/not permitted, file missing or unreadable, not confirmed);
 * `interrupted` — the user cancelled; `failed` — the operation ran and failed. The CLI's exit code
 * follows from the kind (main/cli/exit-codes.ts).
 */
export type ErrorKind = 'usage' | 'failed' | 'interrupted';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_ARGUMENT',
  'BAD_PORT_SPEC',
  'PORT_NOT_FOUND',
  'PORT_BUSY',
  'DATA_BUSY',
  'PORT_PERMISSION',
  'FILE_NOT_FOUND',
  'LIBRARY_NOT_FOUND',
  'BAD_IMAGE',
  'BROKER_UNREACHABLE',
  'NOT_CONFIRMED',
]);

export function errorKind(code: ErrorCode): ErrorKind {
  if (code === 'ABORTED') return 'interrupted';
  return USAGE_CODES.has(code) ? 'usage' : 'failed';
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
