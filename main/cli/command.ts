/**
 * The shape of one CLI command. Each command lives in its own file under main/cli/commands/ and is
 * listed in commands/index.ts. `run` returns the JSON result (printed with --json) and writes its human
 * summary through ctx.out; failures throw FlashbackError (printed as one line + hint, exit 1).
 */
import type { ParseArgsConfig } from 'node:util';
import type { OpOptions } from '../progress.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CliContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  /** Human output (stdout when not --json, else stderr so stdout stays one JSON object). */
  out: (line: string) => void;
  /** Diagnostics and progress (stderr). */
  err: (line: string) => void;
  /** Progress bar + cancel (Ctrl-C) wired for long operations. */
  op: (label: string) => OpOptions;
  signal: AbortSignal;
  /** A command that completed but whose answer is "no" (e.g. an MQTT check that FAILs) sets this. */
  exitCode?: number;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  run(ctx: CliContext): Promise<unknown>;
}

/** Options shared by every command that talks to a board. */
export const boardOptions: OptionSpec = {
  port: { type: 'string', short: 'p' },
  baud: { type: 'string', short: 'b' },
  before: { type: 'string' },
  after: { type: 'string' },
  'no-stub': { type: 'boolean' },
  library: { type: 'string' },
};
