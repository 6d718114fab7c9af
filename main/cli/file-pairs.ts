/**
 * The file arguments `write` and `verify` share, one definition for both: esptool's ADDRESS FILE pairs
 * (or `--offset A FILE`) and `--flash-mode/--flash-size/--flash-freq keep|…` for the header at 0x0, so a
 * verify compares exactly what the same write put on the chip.
 */
import path from 'node:path';
import { readImageFile } from '../flash/files.js';
import type { HeaderOptions, WritePair } from '../flash/write-files.js';
import { FLASH_MODES, parseSize, sizeCode, type FlashFreq } from '../image/flash-params.js';
import type { CliContext } from './command.js';
import { bad, num, parseNumber, str } from './args.js';

const FREQS: FlashFreq[] = ['40m', '26m', '20m', '80m'];

/** The option definitions of the three header flags. */
export const HEADER_FLAGS = {
  'flash-mode': { type: 'string' },
  'flash-size': { type: 'string' },
  'flash-freq': { type: 'string' },
} as const;

/** A header flag that names one of `values`; undefined for keep or absent. */
function choice<T extends string>(
  ctx: CliContext,
  flag: 'flash-mode' | 'flash-freq',
  values: readonly T[],
  hint: string,
): T | undefined {
  const v = str(ctx, flag)?.toLowerCase();
  if (v === undefined || v === 'keep') return undefined;
  if (!values.includes(v as T)) throw bad(`--${flag} ${v} is not one of keep, ${values.join(', ')}`, hint);
  return v as T;
}

/** --flash-mode/--flash-size/--flash-freq as esptool takes them (default keep). */
export function headerOptions(ctx: CliContext): HeaderOptions {
  const out: HeaderOptions = {};
  const mode = choice(ctx, 'flash-mode', FLASH_MODES, 'Most boards take dio or qio; ESP8285 needs dout.');
  if (mode) out.flashMode = mode;
  const size = str(ctx, 'flash-size')?.toLowerCase();
  if (size !== undefined && size !== 'keep') {
    if (size === 'detect') out.flashSize = 'detect';
    else {
      const n = parseSize(size);
      if (n === null || sizeCode(n) === null)
        throw bad(
          `--flash-size ${size} is not a flash size`,
          'Use keep, detect, 256KB, 512KB, 1MB, 2MB, 4MB, 8MB or 16MB.',
        );
      out.flashSize = n;
    }
  }
  const freq = choice(ctx, 'flash-freq', FREQS, 'Use 40m unless you know the flash takes 80m.');
  if (freq) out.flashFreq = freq;
  return out;
}

/** `ADDR FILE [ADDR FILE …]` or `--offset A FILE`, read from disk. */
export async function readPairs(ctx: CliContext, usage: string): Promise<WritePair[]> {
  const offset = num(ctx, 'offset');
  const args = ctx.positionals;
  const specs: [number, string][] = [];
  if (offset !== undefined) {
    if (args.length !== 1) throw bad('--offset takes exactly one FILE', `Usage: ${usage}`);
    specs.push([offset, args[0]!]);
  } else {
    if (args.length === 0) throw bad('No files given', `Usage: ${usage}`);
    if (args.length % 2 !== 0)
      throw bad(
        'Files come in ADDRESS FILE pairs',
        `e.g. ${usage.split(' ').slice(0, 2).join(' ')} --port P 0x0 boot_v1.7.bin 0x1000 user1.bin`,
      );
    for (let i = 0; i < args.length; i += 2) specs.push([parseNumber(args[i]!, 'Address'), args[i + 1]!]);
  }
  const out: WritePair[] = [];
  for (const [address, file] of specs)
    out.push({ address, name: path.basename(file), bytes: await readImageFile(file) });
  return out;
}
