/**
 * `flashback compare A B [--json]`: A and B are image files, library ids or live ports. Live boards are
 * compared by per-sector MD5 computed on the chip (no full read), through main/flash's quickCompare.
 */
import { FlashbackError } from '../../errors.js';
import { SECTOR_SIZE } from '../../flash-geometry.js';
import { quickCompare } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { boardTarget } from '../args.js';

const MARK: Record<string, string> = { same: '=', blank: '.', diff: 'X', 'a-blank': 'a', 'b-blank': 'b' };

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'Compare two images or backups sector by sector, explained by region',
  usage:
    'flashback compare A B [--library DIR] [--baud N] [--json]   (A, B: image files, library ids or ports)',
  options: boardOptions,
  allowPositionals: true,
  async run(ctx) {
    const [specA, specB] = ctx.positionals;
    if (!specA || !specB || ctx.positionals.length !== 2) {
      throw new FlashbackError('BAD_ARGUMENT', 'compare takes two images', 'Usage: flashback compare A B');
    }
    const library = typeof ctx.values.library === 'string' ? ctx.values.library : undefined;
    // Port options (baud, reset) apply to whichever side is a live board.
    const { port: _unused, ...common } = boardTarget({ ...ctx, values: { ...ctx.values, port: specA } });
    const report = await quickCompare(
      specA,
      specB,
      { ...common, ...(library ? { library } : {}) },
      ctx.op('compare'),
    );
    for (let i = 0; i < report.sectors.length; i += 64) {
      ctx.out(
        `0x${(i * SECTOR_SIZE).toString(16).padStart(6, '0')} ${report.sectors
          .slice(i, i + 64)
          .map((s) => MARK[s])
          .join('')}`,
      );
    }
    ctx.out('(= same, . both blank, X differ, a/b blank on that side only)');
    for (const r of report.regions.filter((x) => x.diffSectors > 0))
      ctx.out(`  ${r.name}: ${r.diffSectors} sector(s) differ`);
    for (const f of report.findings) ctx.out(`[${f.severity}] ${f.message} ${f.why}`);
    ctx.out(report.summary);
    ctx.out(`Compared in ${report.seconds.toFixed(1)} s.`);
    return report;
  },
};
