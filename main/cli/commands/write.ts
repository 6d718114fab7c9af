import { readImageFile } from '../../flash/files.js';
import { writeRegion } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { bad, boardTarget, hex, num } from '../args.js';

export const writeCommand: CliCommand = {
  name: 'write',
  summary: 'Write a raw file at an offset (e.g. esp_init_data_default.bin at size-0x4000), verified',
  usage: 'flashback write --port P --offset A FILE [--full] [--json]',
  options: { ...boardOptions, offset: { type: 'string' }, full: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file) throw bad('No file given', 'Usage: flashback write --port P --offset A FILE');
    const offset = num(ctx, 'offset');
    if (offset === undefined)
      throw bad('No --offset given', 'Pass --offset, e.g. --offset 0x3fc000 for init data on a 4 MB board.');
    const data = await readImageFile(file);
    const r = await writeRegion(
      { ...boardTarget(ctx), offset, full: ctx.values.full === true },
      data,
      ctx.op('write'),
    );
    ctx.out(
      `Wrote ${file} (${data.length} bytes) at ${hex(offset)}: ${r.written.sectors} sector(s) written, ${r.skippedSectors} unchanged, ${r.verified ? 'verified by MD5' : 'NOT verified (ROM mode)'}.`,
    );
    return {
      written: r.written,
      skippedSectors: r.skippedSectors,
      verified: r.verified,
      seconds: r.seconds,
      offset,
      size: data.length,
    };
  },
};
