import { FlashbackError } from '../../errors.js';
import { eraseBoard } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { boardTarget, hex, num, str } from '../args.js';
import { confirm } from '../confirm.js';

export const eraseCommand: CliCommand = {
  name: 'erase',
  summary: 'Erase the whole flash, or a 4 KiB-aligned region (backed up first; asks, or --yes)',
  usage: 'flashback erase --port P [--offset A --size N] [--no-backup] [--yes] [--json]',
  options: {
    ...boardOptions,
    offset: { type: 'string' },
    size: { type: 'string' },
    'no-backup': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  async run(ctx) {
    const offset = num(ctx, 'offset');
    const size = num(ctx, 'size');
    const library = str(ctx, 'library');
    const r = await eraseBoard(
      {
        ...boardTarget(ctx),
        ...(offset !== undefined ? { offset } : {}),
        ...(size !== undefined ? { size } : {}),
        backup: ctx.values['no-backup'] !== true,
        ...(library ? { library } : {}),
      },
      {
        ...ctx.op('erase'),
        confirm: async (plan) => {
          const range = `${hex(plan.offset)}–${hex(plan.offset + plan.size - 1)}`;
          const lost =
            plan.dataRanges === null
              ? 'the ROM loader cannot read flash, so what is there is unknown and is not backed up'
              : plan.dataRanges.length === 0
                ? 'it is already blank: nothing is lost'
                : `data in ${plan.dataRanges.map((d) => `${hex(d.offset)}–${hex(d.offset + d.size - 1)}`).join(', ')} (${Math.round(plan.dataRanges.reduce((n, d) => n + d.size, 0) / 1024)} KiB) will be lost`;
          ctx.err(`Erase ${plan.whole ? 'the whole flash' : range} on ${plan.port}: ${lost}.`);
          if (plan.backupFirst) ctx.err('It is backed up into the library first.');
          else if (plan.dataRanges?.length) ctx.err('No backup (--no-backup).');
          if (await confirm('Erase?', ctx.values.yes === true)) return true;
          throw new FlashbackError(
            'NOT_CONFIRMED',
            'Erase not confirmed; nothing was erased',
            'Re-run with --yes to erase.',
          );
        },
      },
    );
    if (r.backupId) ctx.out(`Backed up first: library id ${r.backupId.slice(0, 12)}.`);
    ctx.out(
      `Erased ${hex(r.erased.offset)}–${hex(r.erased.offset + r.erased.size - 1)} in ${r.seconds.toFixed(1)} s.`,
    );
    return r;
  },
};
