import { FlashbackError } from '../../errors.js';
import { loadImage, verifyBoard } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { bad, boardTarget, hex, num, str } from '../args.js';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: "Check a board's flash against an image by MD5 (says which sectors differ)",
  usage: 'flashback verify --port P --image FILE|ID [--offset A] [--json]',
  options: { ...boardOptions, image: { type: 'string', short: 'i' }, offset: { type: 'string' } },
  async run(ctx) {
    const spec = str(ctx, 'image');
    if (!spec) throw bad('No image given', 'Pass --image FILE|LIBRARY_ID.');
    const img = await loadImage(spec, str(ctx, 'library'));
    const offset = num(ctx, 'offset') ?? 0;
    const r = await verifyBoard({ ...boardTarget(ctx), offset }, img.bytes, ctx.op('verify'));
    const result = {
      verified: r.verified,
      written: r.written,
      skippedSectors: r.skippedSectors,
      seconds: r.seconds,
      md5: r.md5,
      diffSectors: r.diffSectors,
      firstDiff: r.firstDiff,
    };
    if (!r.verified) {
      if (ctx.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      throw new FlashbackError(
        'MD5_MISMATCH',
        `Flash differs from ${img.source} in ${r.diffSectors.length} sector(s) (${r.diffSectors
          .slice(0, 8)
          .map((a) => hex(a))
          .join(
            ', ',
          )}${r.diffSectors.length > 8 ? ', …' : ''}); first differing byte at ${r.firstDiff === null ? 'an unknown address' : hex(r.firstDiff)}`,
        'Restore the image (flashback restore) to make them equal.',
      );
    }
    ctx.out(`Flash matches ${img.source} (MD5 ${r.md5.chip}).`);
    return result;
  },
};
