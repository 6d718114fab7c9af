/**
 * `flashback write [--port P] ADDR FILE [ADDR FILE …]` (esptool's write_flash pairs) or `--offset A FILE`:
 * recognise each file, warn where it does not fit, print the plan, back the board up, write what differs,
 * verify. `--no-stub --offset A FILE` keeps the raw ROM-only write of one file.
 */
import { FlashbackError } from '../../errors.js';
import { romWriteLoss, writeRegion } from '../../flash/index.js';
import { writeFiles, type WriteFilesPlan } from '../../flash/write-files.js';
import { boardOptions, type CliCommand } from '../command.js';
import { bad, boardTarget, hex, str } from '../args.js';
import { HEADER_FLAGS, headerOptions, readPairs } from '../file-pairs.js';
import { confirm } from '../confirm.js';
import { formatBytes } from '../progress-bar.js';

const USAGE =
  'flashback write --port P ADDR FILE [ADDR FILE …] | --offset A FILE  [--flash-mode keep|qio|qout|dio|dout] [--flash-size keep|detect|1MB|…] [--flash-freq keep|40m|26m|20m|80m] [--no-backup] [--full] [--dry-run] [--yes] [--json]';

export function printWritePlan(out: (line: string) => void, plan: WriteFilesPlan): void {
  const t = plan.target;
  out(`Write plan for ${plan.port} (${t.chip} ${t.mac}, ${formatBytes(t.flash.size)} flash):`);
  for (const f of plan.files) {
    out(`  ${hex(f.address).padEnd(9)} ${f.name} (${formatBytes(f.size)}): ${f.identity.description}`);
    if (f.headerNote) out(`            ${f.headerNote}`);
  }
  out(
    `  backup    ${plan.backupFirst ? 'the whole board is backed up into the library first' : 'none (--no-backup)'}`,
  );
  out(
    `  write     ${plan.writeSectors.length} sector(s) that differ, ${plan.skipSectors} already equal${plan.writeSectors.length ? '' : ' (nothing to write)'}`,
  );
  for (const w of plan.warnings) out(`  WARNING   ${w.message}`);
}

export const writeCommand: CliCommand = {
  name: 'write',
  summary: 'Write firmware files at their addresses (esptool pairs), checked, backed up, verified',
  usage: USAGE,
  options: {
    ...boardOptions,
    offset: { type: 'string' },
    full: { type: 'boolean' },
    ...HEADER_FLAGS,
    'no-backup': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  allowPositionals: true,
  async run(ctx) {
    const header = headerOptions(ctx);
    const pairs = await readPairs(ctx, USAGE);
    const target = boardTarget(ctx);
    if (target.stub === false) {
      // The ROM cannot read or hash flash: one raw file, no backup, no verify (says so).
      if (pairs.length !== 1 || Object.keys(header).length)
        throw bad(
          '--no-stub writes one raw file with --offset',
          'Drop --no-stub for pairs and header options.',
        );
      const p = pairs[0]!;
      // The ROM erases whole sectors and cannot read them first: say what is lost, ask.
      const loss = romWriteLoss(p.address, p.bytes.length);
      let allowSectorLoss = false;
      if (loss.length) {
        ctx.err(
          `ROM-only write: the rest of the sector(s) around ${p.name} will be erased to 0xFF and lost: ${loss.map((l) => `${l.size} bytes at ${hex(l.offset)}`).join(', ')}. The ROM cannot read them first, so there is no backup; without --no-stub the stub keeps them.`,
        );
        allowSectorLoss = await confirm('Erase those bytes and write?', ctx.values.yes === true);
        if (!allowSectorLoss)
          throw new FlashbackError(
            'NOT_CONFIRMED',
            'Not confirmed; nothing was written',
            'Re-run with --yes to accept the loss, or drop --no-stub so the stub keeps those bytes.',
          );
      }
      const r = await writeRegion(
        { ...target, offset: p.address, full: true, allowSectorLoss },
        p.bytes,
        ctx.op('write'),
      );
      ctx.out(`Wrote ${p.name} (${p.bytes.length} bytes) at ${hex(p.address)}: NOT verified (ROM mode).`);
      return { ...r };
    }
    const dryRun = ctx.values['dry-run'] === true;
    const library = str(ctx, 'library');
    const r = await writeFiles(
      {
        ...target,
        ...header,
        pairs,
        backup: ctx.values['no-backup'] !== true,
        full: ctx.values.full === true,
        ...(library ? { library } : {}),
      },
      {
        ...ctx.op('write'),
        confirm: async (plan) => {
          printWritePlan(ctx.out, plan);
          if (dryRun) return false;
          if (plan.warnings.length === 0) return true;
          if (await confirm('Write anyway?', ctx.values.yes === true)) return true;
          throw new FlashbackError(
            'ABORTED',
            `${plan.warnings.length} warning(s) about these files; nothing was written`,
            'Read the warnings above; re-run with --yes to write anyway.',
          );
        },
      },
    );
    if ('dryRun' in r) {
      ctx.out('Dry run: nothing was written.');
      return { dryRun: true, plan: r.plan };
    }
    ctx.out(
      `Wrote ${r.written.sectors} sector(s) (${formatBytes(r.written.bytes)}), skipped ${r.skippedSectors}, verified by MD5 in ${r.seconds.toFixed(1)} s; the whole chip was audited afterwards: nothing outside the plan changed.`,
    );
    if (r.backupId)
      ctx.out(
        `The board's previous flash is in the library as ${r.backupId.slice(0, 12)} (roll back with \`flashback restore --image ${r.backupId.slice(0, 12)}\`).`,
      );
    const only = r.plan.files.length === 1 ? r.plan.files[0]! : null;
    return {
      written: r.written,
      skippedSectors: r.skippedSectors,
      verified: r.verified,
      backupId: r.backupId,
      seconds: r.seconds,
      // One file: the old single-offset keys stay for scripts.
      ...(only ? { offset: only.address, size: only.size } : {}),
      plan: r.plan,
    };
  },
};
