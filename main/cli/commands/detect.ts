import { detectBoard } from '../../flash/index.js';
import { boardOptions, type CliCommand } from '../command.js';
import { boardTarget, hex } from '../args.js';
import { sizesLine, sizesWarning } from '../../flash/flash-sizes.js';
import { humanSize } from '../../units.js';

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: 'Identify the board on a port: chip, MAC, crystal, flash id and size, USB bridge',
  usage: 'flashback detect --port P [--before default-reset|no-reset|manual] [--json]',
  options: boardOptions,
  async run(ctx) {
    const r = await detectBoard(boardTarget(ctx), ctx.op('detect'));
    ctx.out(`Port:      ${r.port} (${r.bridge})`);
    ctx.out(`Chip:      ${r.chip} (${r.features.join(', ')})`);
    ctx.out(`MAC:       ${r.mac}`);
    ctx.out(`Crystal:   ${r.crystalMHz} MHz`);
    ctx.out(
      `Flash:     ${r.flash.manufacturer} device ${hex(r.flash.device)} (JEDEC ${hex(r.flash.jedecId)}), ${r.flash.size ? humanSize(r.flash.size) : 'unknown size'}`,
    );
    if (r.sizes) {
      ctx.out(`Sizes:     ${sizesLine(r.sizes)}`);
      const warning = sizesWarning(r.sizes);
      if (warning) ctx.out(`Warning:   ${warning}`);
    }
    return {
      chip: r.chip,
      mac: r.mac,
      crystalMHz: r.crystalMHz,
      chipId: r.chipId,
      features: r.features,
      flash: {
        manufacturer: r.flash.manufacturer,
        device: r.flash.device,
        jedecId: r.flash.jedecId,
        size: r.flash.size,
      },
      sizes: r.sizes ?? null,
      port: r.port,
      bridge: r.bridge,
    };
  },
};
