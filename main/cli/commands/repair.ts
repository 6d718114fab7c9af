/**
 * `flashback repair --port P [--fix-header]`: reset the board's factory data the way its firmware needs
 * it (no donor board needed), after showing which sectors change and that WiFi settings are reset.
 */
import { FlashbackError } from '../../errors.js';
import { SECTOR_SIZE } from '../../flash-geometry.js';
import { repairBoard, type RepairPlan } from '../../flash/repair.js';
import { formatSize } from '../../image/flash-params.js';
import { boardOptions, type CliCommand } from '../command.js';
import { boardTarget, hex, str } from '../args.js';
import { confirm } from '../confirm.js';

const RULE: Record<string, string> = {
  arduino: 'Arduino core (PHY init data inside the firmware, RF calibration at S−0x4000)',
  nonos: 'NONOS SDK (init data at S−0x4000, RF calibration at S−0x5000)',
};

export function printRepairPlan(out: (line: string) => void, plan: RepairPlan): void {
  const t = plan.target;
  out(
    `Repair plan for ${plan.port} (${t.chip} ${t.mac}, ${formatSize(t.flash.size)} flash by its JEDEC id):`,
  );
  out(`  firmware  ${plan.family}: ${RULE[plan.rule] ?? plan.rule}`);
  for (const a of plan.actions)
    out(`  ${a.action.padEnd(9)} ${hex(a.offset)}–${hex(a.offset + a.size - 1)}  ${a.what}`);
  out(
    `  backup    ${plan.backupFirst ? 'the whole board is backed up into the library first' : 'none (--no-backup)'}`,
  );
  out(
    `  changes   ${plan.writeSectors.length ? `${plan.writeSectors.length} sector(s): ${plan.writeSectors.map((s) => hex(s * SECTOR_SIZE)).join(', ')}` : 'none: the factory data is already reset'}`,
  );
  if (plan.resetsWifi)
    out('  NOTE      Stored WiFi settings are reset: the firmware needs its WiFi set up again.');
  for (const w of plan.warnings) out(`  WARNING   ${w}`);
}

export const repairCommand: CliCommand = {
  name: 'repair',
  summary: "Reset a board's factory data (RF calibration, init data, WiFi settings) by its firmware's layout",
  usage: 'flashback repair --port P [--fix-header] [--no-backup] [--dry-run] [--yes] [--json]',
  options: {
    ...boardOptions,
    'fix-header': { type: 'boolean' },
    'no-backup': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  async run(ctx) {
    const dryRun = ctx.values['dry-run'] === true;
    const library = str(ctx, 'library');
    const r = await repairBoard(
      {
        ...boardTarget(ctx),
        fixHeader: ctx.values['fix-header'] === true,
        backup: ctx.values['no-backup'] !== true,
        ...(library ? { library } : {}),
      },
      {
        ...ctx.op('repair'),
        confirm: async (plan) => {
          printRepairPlan(ctx.out, plan);
          if (dryRun || plan.writeSectors.length === 0) return !dryRun;
          if (await confirm('Reset the factory data as shown?', ctx.values.yes === true)) return true;
          throw new FlashbackError(
            'ABORTED',
            'Repair not confirmed; nothing was changed',
            'Re-run with --yes to accept the plan.',
          );
        },
      },
    );
    if ('dryRun' in r) {
      ctx.out('Dry run: nothing was changed.');
      return { dryRun: true, plan: r.plan };
    }
    ctx.out(
      r.changedSectors.length
        ? `Reset ${r.changedSectors.length} sector(s), verified by MD5 in ${r.seconds.toFixed(1)} s.`
        : 'Nothing to change: the factory data was already reset.',
    );
    if (r.backupId) ctx.out(`The board's previous flash is in the library as ${r.backupId.slice(0, 12)}.`);
    ctx.out(`Next: set up its WiFi again if needed, then \`flashback mqtt-check --port ${r.plan.port}\`.`);
    return r;
  },
};
