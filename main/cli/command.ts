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

/** What the shared board options mean, printed under `--help` of every command that takes them. */
export const BOARD_OPTIONS_HELP = [
  'Board options:',
  '  -p, --port P     a serial port, socket://HOST:PORT (a TCP bridge) or virtual:NAME',
  '  -b, --baud N     transfer rate once the stub runs (SYNC is always at 115200)',
  '  --before default-reset|no-reset|manual',
  '                   how the board reaches its bootloader: a DTR/RTS pulse; it is already there (or a',
  '                   stub still runs); or you hold FLASH and tap RST when told, within a countdown',
  '  --after hard-reset|no-reset',
  '                   leave it running its firmware (RST pulse), or as it is (the stub set back to 115200)',
  '  --no-stub        ROM loader only (write --offset A FILE): no reads, so no backup and no MD5 check',
].join('\n');

/** Options shared by every command that talks to a board. */
export const boardOptions: OptionSpec = {
  port: { type: 'string', short: 'p' },
  baud: { type: 'string', short: 'b' },
  before: { type: 'string' },
  after: { type: 'string' },
  'no-stub': { type: 'boolean' },
  library: { type: 'string' },
};
