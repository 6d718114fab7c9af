/** Turning CLI option strings into typed operation parameters, with clear errors. */
import { FlashbackError } from '../errors.js';
import type { AfterReset, BeforeReset } from '../esp/types.js';
import type { BoardTarget, FlashModeChoice } from '../flash/types.js';
import { BAUD_RANGE, STANDARD_BAUDS } from '../transport/bridges.js';
import type { CliContext } from './command.js';

export function bad(message: string, hint: string): FlashbackError {
  return new FlashbackError('BAD_ARGUMENT', message, hint);
}

/** 0x1000, 4096, 4K, 4KB, 1M, 4MB (binary units). */
export function parseNumber(text: string, what: string): number {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*(k|kb|kib|m|mb|mib)?\s*$/i.exec(text);
  if (!m) throw bad(`${what} "${text}" is not a number`, `Write it like 0x3fc000, 4096 or 4MB.`);
  const n = Number(m[1]!.toLowerCase().startsWith('0x') ? parseInt(m[1]!, 16) : parseInt(m[1]!, 10));
  const unit = (m[2] ?? '').toLowerCase();
  return unit.startsWith('k') ? n * 1024 : unit.startsWith('m') ? n * 1024 * 1024 : n;
}

export function str(ctx: CliContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(ctx: CliContext, name: string): number | undefined {
  const v = str(ctx, name);
  return v === undefined ? undefined : parseNumber(v, `--${name}`);
}

export function requirePort(ctx: CliContext): string {
  const port = str(ctx, 'port');
  if (!port)
    throw bad(
      'No port given',
      'Pass --port, e.g. --port /dev/ttyUSB0, --port virtual:good (see `flashback ports`).',
    );
  return port;
}

const BEFORE: BeforeReset[] = ['default-reset', 'no-reset', 'manual'];
const AFTER: AfterReset[] = ['hard-reset', 'no-reset'];
const MODES: FlashModeChoice[] = ['keep', 'qio', 'qout', 'dio', 'dout'];

function oneOf<T extends string>(value: string | undefined, allowed: T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  const v = value.replace(/_/g, '-') as T;
  if (!allowed.includes(v))
    throw bad(`--${name} ${value} is not one of ${allowed.join(', ')}`, `Use one of: ${allowed.join(', ')}.`);
  return v;
}

export function flashMode(ctx: CliContext): FlashModeChoice | undefined {
  return oneOf(str(ctx, 'flash-mode'), MODES, 'flash-mode');
}

/** `--baud`: a rate the host UART and the stub can use; 0, 1 or 10 MHz are usage errors, not ignored. */
export function baudOption(ctx: CliContext): number | undefined {
  const baud = num(ctx, 'baud');
  if (baud === undefined) return undefined;
  if (baud < BAUD_RANGE.min || baud > BAUD_RANGE.max)
    throw bad(
      `--baud ${baud} is not a usable rate (valid: ${BAUD_RANGE.min}–${BAUD_RANGE.max})`,
      `Use one of ${STANDARD_BAUDS.join(', ')}, or leave --baud out to start at the adapter's rate and step down.`,
    );
  return baud;
}

export function boardTarget(ctx: CliContext): BoardTarget {
  const before = oneOf(str(ctx, 'before'), BEFORE, 'before');
  const after = oneOf(str(ctx, 'after'), AFTER, 'after');
  const baud = baudOption(ctx);
  return {
    port: requirePort(ctx),
    ...(baud ? { baud } : {}),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    ...(ctx.values['no-stub'] === true ? { stub: false } : {}),
  };
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
