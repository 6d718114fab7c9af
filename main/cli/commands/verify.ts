/**
 * `flashback verify --port P ADDR FILE [ADDR FILE …]` (the same pairs and header flags as `write`, so a
 * file written with `--flash-size detect` verifies as written) or `--image FILE|ID [--offset A]` (a
 * library backup too): MD5 on the chip, and on a difference the sectors that differ.
 */
import { FlashbackError } from '../../errors.js';
import { loadImage } from '../../flash/index.js';
import { verifyFiles, type VerifiedFile } from '../../flash/verify.js';
import type { WritePair } from '../../flash/write-files.js';
import { boardOptions, type CliCommand } from '../command.js';
import { bad, boardTarget, hex, num, str } from '../args.js';
import { HEADER_FLAGS, headerOptions, readPairs } from '../file-pairs.js';

const USAGE =
  'flashback verify --port P ADDR FILE [ADDR FILE …] | --image FILE|ID [--offset A] | --offset A FILE  [--flash-mode keep|qio|qout|dio|dout] [--flash-size keep|detect|1MB|…] [--flash-freq keep|40m|26m|20m|80m] [--json]';

function differs(f: VerifiedFile): string {
  const list = f.diffSectors
    .slice(0, 8)
    .map((a) => hex(a))
    .join(', ');
  return `${f.name} at ${hex(f.address)} differs in ${f.diffSectors.length} sector(s) (${list}${f.diffSectors.length > 8 ? ', …' : ''}); first differing byte at ${f.firstDiff === null ? 'an unknown address' : hex(f.firstDiff)}`;
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: "Check a board's flash against files or an image by MD5 (says which sectors differ)",
  usage: USAGE,
  options: {
    ...boardOptions,
    image: { type: 'string', short: 'i' },
    offset: { type: 'string' },
    ...HEADER_FLAGS,
  },
  allowPositionals: true,
  async run(ctx) {
    const header = headerOptions(ctx);
    const spec = str(ctx, 'image');
    let pairs: WritePair[];
    if (spec) {
      if (ctx.positionals.length)
        throw bad('Give --image or ADDRESS FILE pairs, not both', `Usage: ${USAGE}`);
      const img = await loadImage(spec, str(ctx, 'library'));
      pairs = [{ address: num(ctx, 'offset') ?? 0, name: img.source, bytes: img.bytes }];
    } else {
      if (!ctx.positionals.length && num(ctx, 'offset') === undefined)
        throw bad('Nothing to verify', `Pass ADDRESS FILE pairs or --image FILE|LIBRARY_ID. Usage: ${USAGE}`);
      pairs = await readPairs(ctx, USAGE);
    }
    const r = await verifyFiles({ ...boardTarget(ctx), ...header, pairs }, ctx.op('verify'));
    const only = r.files.length === 1 ? r.files[0]! : null;
    const result = {
      verified: r.verified,
      seconds: r.seconds,
      files: r.files,
      // One file: the keys verify always had stay for scripts.
      ...(only
        ? {
            written: { sectors: 0, bytes: 0 },
            skippedSectors: 0,
            md5: only.md5,
            diffSectors: only.diffSectors,
            firstDiff: only.firstDiff,
          }
        : {}),
    };
    for (const f of r.files)
      if (f.headerPatched)
        ctx.out(`${f.name}: compared with ${f.headerNote} (as \`write\` with these flags)`);
    if (!r.verified) {
      // With --json the error (one JSON document) carries the whole result as its details.
      const failed = r.files.filter((f) => !f.verified);
      throw new FlashbackError(
        'MD5_MISMATCH',
        failed.length === 1
          ? `Flash differs: ${differs(failed[0]!)}`
          : `${failed.length} of ${r.files.length} files differ: ${failed.map(differs).join('; ')}`,
        'Write them again (flashback write, or flashback restore for a whole image) to make them equal.',
        result,
      );
    }
    for (const f of r.files) ctx.out(`Flash matches ${f.name} at ${hex(f.address)} (MD5 ${f.md5.chip}).`);
    return result;
  },
};
