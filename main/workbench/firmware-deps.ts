/**
 * The real FirmwareDeps: flashing firmware files from the workbench through the same code as
 * `flashback write ADDR FILE …` (main/flash/write-files.ts: recognition, fit warnings, plan, automatic
 * backup, diff write, MD5 verify), erase, per-file verify, and "add this dump to the library" (the
 * checks of `flashback library import`).
 */
import { FlashbackError } from '../errors.js';
import { eraseBoard, loadImage } from '../flash/index.js';
import { verifyFiles } from '../flash/verify.js';
import { repairBoard, type RepairPlan } from '../flash/repair.js';
import { writeFiles, type WriteFilesPlan, type WritePair } from '../flash/write-files.js';
import { identifyFile, type FileIdentity } from '../image/firmware-id.js';
import { importDump } from '../library/import.js';
import type { Library } from '../library/library.js';
import type { FileInfo, JobParams, RepairPlanView, WritePlanView } from './api.js';
import type { FirmwareDeps, ResolvedFile, WriteRequest } from './deps.js';
import { boardInfo, libraryEntry } from './map.js';

export function fileInfo(id: FileIdentity): FileInfo {
  return {
    kind: id.kind,
    firmware: id.firmware,
    description: id.description,
    headerFlashSize: id.headerFlashSize,
    slot: id.slot,
    evidence: id.evidence,
  };
}

function planView(p: WriteFilesPlan): Omit<WritePlanView, 'planId'> {
  return {
    port: p.port,
    target: boardInfo(p.target),
    files: p.files.map((f) => ({
      address: f.address,
      name: f.name,
      size: f.size,
      identity: fileInfo(f.identity),
      headerPatched: f.headerPatched,
      headerNote: f.headerNote,
    })),
    warnings: p.warnings.map((w) => ({ code: w.code, address: w.address, message: w.message })),
    backupFirst: p.backupFirst,
    writeSectors: p.writeSectors,
    skipSectors: p.skipSectors,
  };
}

function repairView(p: RepairPlan): Omit<RepairPlanView, 'planId'> {
  if (p.rule === 'unknown')
    throw new FlashbackError('INTERNAL', 'repair planned an unknown layout', 'Report this.');
  return { ...p, target: boardInfo(p.target), rule: p.rule, actions: p.actions.map((a) => ({ ...a })) };
}

export function createFirmwareDeps(libraryDir: string, library: Library): FirmwareDeps {
  const repairParams = (p: JobParams<'plan-repair'>) => ({
    port: p.port,
    library: libraryDir,
    after: 'hard-reset' as const,
    ...(p.fixHeader !== undefined ? { fixHeader: p.fixHeader } : {}),
    ...(p.backup !== undefined ? { backup: p.backup } : {}),
  });
  const bytesOf = async (f: ResolvedFile) => (await loadImage(f.file, libraryDir)).bytes;
  const pairs = async (files: ResolvedFile[]): Promise<WritePair[]> =>
    Promise.all(files.map(async (f) => ({ address: f.address, name: f.name, bytes: await bytesOf(f) })));
  // Write and verify patch the header at 0x0 the same way, so a patched file verifies as written.
  const header = (r: Omit<WriteRequest, 'backup'>) => ({
    ...(r.flashMode ? { flashMode: r.flashMode } : {}),
    ...(r.flashSize ? { flashSize: r.flashSize } : {}),
  });
  const params = async (r: WriteRequest) => ({
    port: r.port,
    pairs: await pairs(r.files),
    library: libraryDir,
    after: 'hard-reset' as const,
    ...header(r),
    ...(r.backup !== undefined ? { backup: r.backup } : {}),
    ...(r.mac ? { expectMac: r.mac } : {}),
  });
  return {
    identify: async (f) => fileInfo(identifyFile(await bytesOf(f), f.name)),
    planWrite: async (r, o) => {
      const out = await writeFiles(await params(r), { ...o, confirm: () => false });
      return planView(out.plan);
    },
    write: async (r, o) => {
      const out = await writeFiles(await params(r), { ...o, confirm: () => true });
      if ('dryRun' in out)
        throw new FlashbackError('INTERNAL', 'The write was not confirmed', 'Plan it again.');
      return {
        written: out.written,
        skippedSectors: out.skippedSectors,
        verified: out.verified,
        seconds: out.seconds,
        backupId: out.backupId,
      };
    },
    verifyFiles: async (r, o) => {
      const v = await verifyFiles(
        { port: r.port, after: 'hard-reset', pairs: await pairs(r.files), ...header(r) },
        o,
      );
      return {
        verified: v.verified,
        files: v.files.map((f) => ({
          address: f.address,
          name: f.name,
          verified: f.verified,
          diffSectors: f.diffSectors,
          headerNote: f.headerNote,
        })),
        seconds: v.seconds,
      };
    },
    erase: async (p, o) =>
      eraseBoard(
        {
          port: p.port,
          after: 'hard-reset',
          ...(p.offset !== undefined ? { offset: p.offset } : {}),
          ...(p.size !== undefined ? { size: p.size } : {}),
        },
        o,
      ),
    // An old read_flash dump: validated (flash size, not blank, not a wrapped smaller chip) before it is kept.
    importFile: async (f, label) =>
      libraryEntry(
        (await importDump(library, await bytesOf(f), { name: f.name, ...(label ? { label } : {}) })).entry,
      ),
    planRepair: async (p, o) => {
      const out = await repairBoard(repairParams(p), { ...o, confirm: () => false });
      return repairView(out.plan);
    },
    repair: async (p, confirmed, o) => {
      const out = await repairBoard(repairParams(p), {
        ...o,
        // Run only what the user confirmed: the same chip, the same sectors to change.
        confirm: (now) => {
          if (
            now.target.mac !== confirmed.target.mac ||
            now.writeSectors.join() !== confirmed.writeSectors.join()
          )
            throw new FlashbackError(
              'PLAN_STALE',
              'The board changed since the repair was planned; nothing was changed',
              'Plan the repair again and check it.',
            );
          return true;
        },
      });
      if ('dryRun' in out)
        throw new FlashbackError('INTERNAL', 'The repair was not confirmed', 'Plan it again.');
      return {
        changedSectors: out.changedSectors,
        verified: out.verified,
        backupId: out.backupId,
        seconds: out.seconds,
      };
    },
  };
}
