import { eraseBoard } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { boardTarget, hex, num } from '../args.js';

export const eraseCommand: CliCommand = {
  name: 'erase',
  summary: 'Erase the whole flash, or a 4 KiB-aligned region',
  usage: 'flashback erase --port P [--offset A --size N] [--json]',
  options: { ...boardOptions, offset: { type: 'string' }, size: { type: 'string' } },
  async run(ctx) {
    const offset = num(ctx, 'offset');
    const size = num(ctx, 'size');
    const r = await eraseBoard(
      {
        ...boardTarget(ctx),
        ...(offset !== undefined ? { offset } : {}),
        ...(size !== undefined ? { size } : {}),
      },
      ctx.op('erase'),
    );
    ctx.out(
      `Erased ${hex(r.erased.offset)}–${hex(r.erased.offset + r.erased.size - 1)} in ${r.seconds.toFixed(1)} s.`,
    );
    return r;
  },
};
