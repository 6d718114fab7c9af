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
    };
    if (!r.verified) {
      if (ctx.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      throw new FlashbackError(
        'MD5_MISMATCH',
        `Flash differs from ${img.source}: ${r.diffSectors.length} sector(s), first at ${hex(r.diffSectors[0] ?? offset)}`,
        'Restore the image (flashback restore) to make them equal.',
      );
    }
    ctx.out(`Flash matches ${img.source} (MD5 ${r.md5.chip}).`);
    return result;
  },
};
