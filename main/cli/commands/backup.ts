import { sizesLine } from '../../flash/flash-sizes.js';
import { backupBoard } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { boardTarget, num, str } from '../args.js';
import { formatBytes } from '../progress-bar.js';

export const backupCommand: CliCommand = {
  name: 'backup',
  summary: 'Back up the whole flash (or a range) into the image library, verified by MD5',
  usage:
    'flashback backup --port P [--out FILE] [--label TEXT] [--baud N] [--offset A --size N|ALL] [--no-library] [--json]',
  options: {
    ...boardOptions,
    out: { type: 'string', short: 'o' },
    label: { type: 'string' },
    offset: { type: 'string' },
    size: { type: 'string' },
    'no-library': { type: 'boolean' },
  },
  async run(ctx) {
    const offset = num(ctx, 'offset');
    // esptool's `read_flash 0 ALL`: the whole chip, sized from its JEDEC id (the default anyway).
    const size = /^all$/i.test(str(ctx, 'size') ?? '') ? undefined : num(ctx, 'size');
    const out = str(ctx, 'out');
    const label = str(ctx, 'label');
    const library = ctx.values['no-library'] === true ? null : str(ctx, 'library');
    const r = await backupBoard(
      {
        ...boardTarget(ctx),
        ...(offset !== undefined ? { offset } : {}),
        ...(size !== undefined ? { size } : {}),
        ...(out ? { out } : {}),
        ...(label ? { label } : {}),
        ...(library !== undefined ? { library } : {}),
      },
      ctx.op('backup'),
    );
    ctx.out(
      `Backed up ${formatBytes(r.size)} from ${r.info.chip} ${r.info.mac} in ${r.seconds.toFixed(1)} s (read ${formatBytes(r.bytesRead)}; blank sectors proven by on-chip MD5)`,
    );
    ctx.out(`MD5 ${r.md5}  SHA-256 ${r.sha256}`);
    if (r.libraryId) ctx.out(`Library id ${r.libraryId.slice(0, 12)}  (${r.file})`);
    if (out) ctx.out(`Written to ${out}`);
    if (r.info.sizes && !r.info.sizes.agree) ctx.out(`Flash sizes: ${sizesLine(r.info.sizes)}`);
    const { info, ...result } = r;
    return { ...result, chip: info.chip, mac: info.mac, sizes: info.sizes ?? null };
  },
};
