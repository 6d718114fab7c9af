import { humanSize } from '../../units.js';
import { FlashbackError } from '../../errors.js';
import { SECTOR_SIZE } from '../../flash-geometry.js';
import { restoreBoard } from '../../flash/index.js';
import type { RestorePlan } from '../../flash/types.js';
import { boardOptions, type CliCommand, type CliContext } from '../command.js';
import { boardTarget, flashMode, hex, str } from '../args.js';
import { confirm } from '../confirm.js';
import { formatBytes } from '../progress-bar.js';

function printPlan(ctx: CliContext, plan: RestorePlan): void {
  ctx.out(
    `Restore plan for ${plan.port} (${plan.target.chip} ${plan.target.mac}, ${humanSize(plan.target.flash.size)} flash):`,
  );
  ctx.out(
    `  image       ${plan.image.source} (${formatBytes(plan.image.size)}, sha256 ${plan.image.sha256.slice(0, 12)})`,
  );
  ctx.out(
    `  flash mode  ${plan.flashMode.chosen === 'keep' ? `keep (${plan.flashMode.image ?? 'unknown'})` : `${plan.flashMode.chosen} (image has ${plan.flashMode.image ?? 'unknown'})`}`,
  );
  ctx.out(
    `  backup      ${plan.backupFirst ? 'the board is backed up into the library first' : 'none (--no-backup)'}`,
  );
  ctx.out(
    `  clone       ${plan.resetFactoryData ? "the firmware, with this board's factory data reset (the donor's RF calibration and WiFi settings are not copied)" : 'exact: every sector as in the image, factory data included (--reset-factory-data resets it instead)'}`,
  );
  // The same per-sector list the workbench's plan shows: which sectors are reset instead of copied.
  for (const step of plan.factoryReset?.steps ?? []) {
    ctx.out(
      `  reset       ${hex(step.offset)}–${hex(step.offset + step.size - 1)} ${step.action.padEnd(5)} ${step.what}`,
    );
  }
  const ranges = plan.writeSectors.length
    ? summarize(plan.writeSectors)
    : 'nothing: the board already holds this image';
  ctx.out(
    `  write       ${plan.writeSectors.length} sector(s) that differ: ${ranges}; ${plan.skipSectors} already equal`,
  );
  if (plan.preserve.length)
    ctx.out(`  preserve    ${plan.preserve.join(', ')} (the board keeps its own last four sectors)`);
  for (const w of plan.warnings) ctx.out(`  note        ${w}`);
}

function summarize(sectors: number[]): string {
  const parts: string[] = [];
  let start = sectors[0]!;
  let prev = start;
  for (const s of [...sectors.slice(1), -1]) {
    if (s === prev + 1) {
      prev = s;
      continue;
    }
    parts.push(
      start === prev
        ? hex(start * SECTOR_SIZE)
        : `${hex(start * SECTOR_SIZE)}–${hex((prev + 1) * SECTOR_SIZE - 1)}`,
    );
    start = prev = s;
  }
  return parts.length > 6 ? `${parts.slice(0, 6).join(', ')}, … (${parts.length} ranges)` : parts.join(', ');
}

export const restoreCommand: CliCommand = {
  name: 'restore',
  summary:
    'Write an image (file or library id) onto a board safely: plan, back up, write what differs, verify',
  usage:
    'flashback restore --port P --image FILE|ID [--flash-mode keep|qio|qout|dio|dout] [--no-backup] [--full] [--preserve sdk-config | --reset-factory-data] [--dry-run] [--yes] [--resume] [--json]',
  options: {
    ...boardOptions,
    image: { type: 'string', short: 'i' },
    'flash-mode': { type: 'string' },
    'no-backup': { type: 'boolean' },
    full: { type: 'boolean' },
    preserve: { type: 'string', multiple: true },
    'reset-factory-data': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    resume: { type: 'boolean' },
  },
  async run(ctx) {
    const image = str(ctx, 'image');
    const resume = ctx.values.resume === true;
    if (!image && !resume)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'No image given',
        'Pass --image FILE|LIBRARY_ID, or --resume to finish an interrupted restore.',
      );
    const preserve = (ctx.values.preserve as string[] | undefined) ?? [];
    for (const p of preserve)
      if (p !== 'sdk-config')
        throw new FlashbackError(
          'BAD_ARGUMENT',
          `Unknown --preserve ${p}`,
          'Only --preserve sdk-config is supported.',
        );
    const mode = flashMode(ctx);
    const library = str(ctx, 'library');
    const dryRun = ctx.values['dry-run'] === true;
    const r = await restoreBoard(
      {
        ...boardTarget(ctx),
        ...(image ? { image } : {}),
        ...(mode ? { flashMode: mode } : {}),
        full: ctx.values.full === true,
        backup: ctx.values['no-backup'] !== true,
        preserve,
        resume,
        ...(ctx.values['reset-factory-data'] === true ? { resetFactoryData: true } : {}),
        ...(library ? { library } : {}),
      },
      {
        ...ctx.op('restore'),
        confirm: async (plan) => {
          printPlan(ctx, plan);
          if (dryRun) return false;
          const needsAsk = plan.image.size < plan.target.flash.size;
          if (!needsAsk) return true;
          const ok = await confirm(
            'The image is smaller than the flash; write only its length?',
            ctx.values.yes === true,
          );
          if (!ok)
            throw new FlashbackError(
              'ABORTED',
              'Restore not confirmed; nothing was written',
              'Re-run with --yes to accept the plan.',
            );
          return true;
        },
      },
    );
    if ('dryRun' in r) {
      ctx.out('Dry run: nothing was written.');
      return { dryRun: true, plan: r.plan };
    }
    ctx.out(
      `Wrote ${r.written.sectors} sector(s) (${formatBytes(r.written.bytes)}), skipped ${r.skippedSectors}, verified by MD5 in ${r.seconds.toFixed(1)} s.`,
    );
    if (r.backupId)
      ctx.out(
        `The board's previous flash is in the library as ${r.backupId.slice(0, 12)} (roll back with --image ${r.backupId.slice(0, 12)}).`,
      );
    return {
      written: r.written,
      skippedSectors: r.skippedSectors,
      verified: r.verified,
      backupId: r.backupId,
      seconds: r.seconds,
      plan: r.plan,
    };
  },
};
