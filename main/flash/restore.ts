/**
 * Safe restore (the planner): checks the image fits and is an image, settles the flash mode, backs the
 * target up into the library, writes only the sectors that differ, journals progress, verifies by MD5.
 * One session does it all; `confirm` sees the plan before anything is written (dry run = return false).
 */
import { FlashbackError, isFlashbackError } from '../errors.js';
import { parseImage, type ImageParse } from '../image/header.js';
import { resetImageFactoryData } from '../image/factory-reset.js';
import { patchHeader } from '../image/header-patch.js';
import type { OpOptions } from '../progress.js';
import { espressifInitData } from '../resources.js';
import { humanSize } from '../units.js';
import { backupWithSession } from './backup.js';
import { assertReachable, withBoard } from './board-session.js';
import { piecesOf } from './block-hashes.js';
import { planDiff } from './diff-plan.js';
import {
  clearJournal,
  damagedJournalError,
  damagedJournals,
  describeBoard,
  journalForBoard,
  loadJournal,
  recoveryHint,
  saveJournal,
  type JournalBoard,
  type RestoreJournal,
} from './journal.js';
import { loadImage, type LoadedImage } from './library-store.js';
import { SECTOR } from './sector-map.js';
import { writeProven } from './sector-writer.js';
import type { BoardTarget, DetectResult, FlashModeChoice, RestorePlan, RestoreResult } from './types.js';

export interface RestoreParams extends BoardTarget {
  /** Image file path or library id. */
  image?: string;
  flashMode?: FlashModeChoice;
  full?: boolean;
  /** Back the target up first (default true). */
  backup?: boolean;
  /** 'sdk-config' keeps the target's last four sectors. */
  preserve?: string[];
  library?: string;
  /** Finish an interrupted restore from its journal. */
  resume?: boolean;
  /** Clone the firmware but not the donor's RF calibration and WiFi settings (erased / set per layout). */
  resetFactoryData?: boolean;
}

export interface RestoreOptions extends OpOptions {
  /** Shown the plan; return false to stop before writing (dry run / user said no). */
  confirm?: (plan: RestorePlan) => boolean | Promise<boolean>;
}

function padToSectors(image: Uint8Array): Uint8Array {
  if (image.length % SECTOR === 0) return image;
  const out = new Uint8Array(Math.ceil(image.length / SECTOR) * SECTOR).fill(0xff);
  out.set(image);
  return out;
}

export async function restoreBoard(
  params: RestoreParams,
  opts: RestoreOptions = {},
): Promise<RestoreResult | { plan: RestorePlan; dryRun: true }> {
  const started = performance.now();
  // A fresh restore checks its image before touching the board; a resume learns it from the board's journal.
  const fresh = params.resume ? null : await prepareImage(params);
  return withBoard(params, opts, async ({ session, identity }) => {
    const target: DetectResult = { ...session.info, port: params.port, bridge: identity.bridge };
    const board: JournalBoard = {
      mac: target.mac,
      chip: target.chip,
      jedecId: target.flash.jedecId,
      flashSize: target.flash.size,
    };
    let journal: RestoreJournal | null = null;
    let effective = params;
    if (params.resume) {
      journal = await resumableJournal(params.port, board);
      effective = {
        ...params,
        image: journal.image.libraryId ?? journal.image.source,
        flashMode: journal.flashMode,
        preserve: journal.preserve,
        resetFactoryData: journal.resetFactoryData ?? false,
        // The undo stays the original backup; with none on record, take one now (unless told not to).
        backup: journal.backupId ? false : params.backup !== false,
      };
    }
    const prepared = fresh ?? (await prepareImage(effective));
    const { loaded, parsed, mode } = prepared;
    let image = prepared.image;
    if (journal && loaded.sha256 !== journal.image.sha256) {
      throw new FlashbackError(
        'JOURNAL',
        'The image recorded in the journal has changed since the restore started',
        'Restore again from a known image with --image.',
      );
    }
    if (!session.stub) {
      throw new FlashbackError(
        'ROM_CANNOT',
        'A safe restore needs the flasher stub (backup, diff and MD5 verify)',
        'Run without --no-stub, or use `flashback write` for a raw ROM-only write.',
      );
    }
    const flashSize = target.flash.size;
    if (flashSize && loaded.bytes.length > flashSize) {
      throw new FlashbackError(
        'IMAGE_TOO_BIG',
        `The image is ${loaded.bytes.length} bytes but the board's flash is ${flashSize} bytes; nothing was written`,
        'Use an image taken from a board with the same flash size.',
      );
    }
    assertReachable(session, 0, image.length, 'This restore');
    const warnings: string[] = [];
    if ((effective.flashMode ?? 'keep') !== 'keep' && !mode.patched)
      warnings.push(`Flash mode not patched: ${mode.reason}.`);
    if (flashSize && loaded.bytes.length < flashSize) {
      warnings.push(
        `The image (${loaded.bytes.length} bytes) is smaller than the flash (${flashSize} bytes): only its length is written; the rest of the flash (including the SDK config sectors at the end) is left as it is.`,
      );
    }
    const headerSize = parsed.header.flashSize;
    if (headerSize && flashSize && headerSize > flashSize) {
      warnings.push(
        `The image header says ${humanSize(headerSize)} flash but this board has ${humanSize(flashSize)}: the firmware will look for its settings past the end.`,
      );
    }
    const chosen = effective.flashMode ?? 'keep';
    if (
      target.chip === 'ESP8285' &&
      (chosen === 'qio' ||
        chosen === 'qout' ||
        (chosen === 'keep' && (parsed.header.flashMode === 'qio' || parsed.header.flashMode === 'qout')))
    ) {
      warnings.push('ESP8285 embedded flash is wired for DOUT: choose --flash-mode dout or it may not boot.');
    }
    const preserveSet = new Set<number>();
    let factoryReset: RestorePlan['factoryReset'] = null;
    if (effective.resetFactoryData) {
      const reset = await resetImageFactoryData(image, flashSize || image.length, espressifInitData);
      image = reset.bytes;
      factoryReset = { rule: reset.rule, steps: reset.steps };
      warnings.push(reset.explanation);
    } else if (effective.preserve?.includes('sdk-config') && flashSize) {
      for (let off = flashSize - 4 * SECTOR; off < flashSize; off += SECTOR)
        if (off < image.length) preserveSet.add(off / SECTOR);
    } else if (image.length >= (flashSize || image.length)) {
      warnings.push(
        "The last four sectors (RF data and SDK WiFi config) are copied from the image: that is what cures boards with bad factory data, and it gives this board the donor's WiFi settings. Use --preserve sdk-config to keep this board's own.",
      );
    }
    // One on-chip pass over the chip: the diff, the audit's "before" and the backup's proof.
    const diff = await planDiff(session, 0, image, {
      ...opts,
      full: effective.full ?? false,
      preserve: preserveSet,
      scope: 'chip',
    });
    const plan: RestorePlan = {
      port: params.port,
      image: {
        source: loaded.source,
        size: loaded.bytes.length,
        sha256: loaded.sha256,
        libraryId: loaded.libraryId,
      },
      target,
      flashMode: { image: parsed.header.flashMode, chosen, patched: mode.patched },
      backupFirst: effective.backup !== false,
      full: effective.full ?? false,
      preserve: effective.preserve ?? [],
      resetFactoryData: effective.resetFactoryData ?? false,
      factoryReset,
      writeSectors: diff.write,
      skipSectors: diff.skip,
      warnings,
    };
    if (opts.confirm && !(await opts.confirm(plan))) return { plan, dryRun: true as const };

    let backupId = journal?.backupId ?? null;
    if (plan.backupFirst && plan.writeSectors.length > 0) {
      const size = flashSize || image.length;
      const known = piecesOf(0, size).length === diff.pieces.length ? diff.blockMd5 : undefined;
      const b = await backupWithSession(
        session,
        target,
        {
          library: effective.library,
          label: `before restore of ${loaded.source}`,
          ...(known ? { knownBlockMd5: known } : {}),
        },
        opts,
      );
      backupId = b.libraryId;
    }
    const j: RestoreJournal = {
      version: 2,
      port: params.port,
      board,
      startedAt: journal?.startedAt ?? new Date().toISOString(),
      image: {
        source: loaded.source,
        sha256: loaded.sha256,
        libraryId: loaded.libraryId,
        size: loaded.bytes.length,
      },
      flashMode: chosen,
      preserve: plan.preserve,
      resetFactoryData: plan.resetFactoryData ?? false,
      backupId,
      planned: [...new Set([...(journal?.planned ?? []), ...plan.writeSectors])].sort((a, b) => a - b),
      written: journal?.written ?? [],
    };
    if (plan.writeSectors.length) await saveJournal(j);
    const undo = backupId
      ? `Put the board's own backup back: \`flashback restore --port ${params.port} --image ${backupId.slice(0, 12)}\`.`
      : 'No backup was taken: write the affected sectors back from a backup of this board if you have one.';
    let written;
    try {
      written = await writeProven(session, diff, image, {
        ...opts,
        eraseBlank: true,
        undoHint: undo,
        // Sectors a resumed restore had written must hold the image too.
        alreadyWritten: new Set(j.written.filter((s) => !preserveSet.has(s))),
        onRunWritten: async (s) => {
          j.written.push(...s);
          await saveJournal(j);
        },
      });
    } catch (e) {
      if (isFlashbackError(e) && e.code === 'OUTSIDE_PLAN_CHANGED') throw e;
      throw interrupted(e, params.port, backupId, j);
    }
    await clearJournal(board.mac);
    return {
      written: { sectors: written.sectors, bytes: written.bytes },
      skippedSectors: plan.skipSectors,
      verified: true,
      backupId,
      seconds: (performance.now() - started) / 1000,
      plan,
    };
  });
}

async function prepareImage(params: RestoreParams): Promise<{
  loaded: LoadedImage;
  parsed: Extract<ImageParse, { ok: true }>;
  mode: ReturnType<typeof patchHeader>;
  image: Uint8Array;
}> {
  if (!params.image)
    throw new FlashbackError('BAD_ARGUMENT', 'No image given', 'Pass --image FILE|LIBRARY_ID (or --resume).');
  const loaded = await loadImage(params.image, params.library);
  const parsed = parseImage(loaded.bytes);
  if (!parsed.ok) {
    throw new FlashbackError(
      'BAD_IMAGE',
      `${params.image} is not a bootable ESP8266 flash image (${parsed.reason})`,
      parsed.truncated
        ? 'The file looks truncated: take the backup again.'
        : 'Restore writes a whole-flash image at 0x0; to write raw data somewhere else use `flashback write --offset`.',
    );
  }
  const mode = patchHeader(loaded.bytes, { flashMode: params.flashMode ?? 'keep' });
  if (params.resetFactoryData && params.preserve?.includes('sdk-config'))
    throw new FlashbackError(
      'BAD_ARGUMENT',
      '--reset-factory-data and --preserve sdk-config ask for opposite things',
      "Use --reset-factory-data to reset the factory data, or --preserve sdk-config to keep this board's own.",
    );
  return { loaded, parsed, mode, image: padToSectors(mode.bytes) };
}

/**
 * The journal of the board now on the port. Refuses another board (even one of the same kind), saying
 * what it found; finds the journal whatever port name the board had when it was interrupted.
 */
async function resumableJournal(port: string, board: JournalBoard): Promise<RestoreJournal> {
  const mine = await journalForBoard(board.mac);
  if (mine) {
    if (mine.board.jedecId !== board.jedecId || mine.board.flashSize !== board.flashSize) {
      throw new FlashbackError(
        'JOURNAL',
        `The interrupted restore was on ${describeBoard(mine.board)}, but the board on ${port} is ${describeBoard(board)}: same MAC, different flash chip; nothing was written`,
        'Check which board this is; restore it with --image instead of --resume.',
      );
    }
    if (mine.port !== port) mine.port = port;
    return mine;
  }
  const onPort = await loadJournal(port);
  if (onPort) {
    throw new FlashbackError(
      'JOURNAL',
      `The interrupted restore on ${port} was on ${describeBoard(onPort.board)}, but the board on ${port} now is ${describeBoard(board)}; nothing was written`,
      `Connect the board ${onPort.board.mac} to resume it, or restore this board with --image.`,
      { expected: onPort.board, found: board },
    );
  }
  // A damaged journal may be this board's: say so rather than "nothing recorded".
  const [damaged] = await damagedJournals();
  if (damaged) throw damagedJournalError(damaged.file, damaged.why);
  throw new FlashbackError(
    'JOURNAL',
    `No interrupted restore is recorded for the board on ${port} (${describeBoard(board)})`,
    'Start a new restore with --image.',
  );
}

/** The write stopped part-way: the error says how far it got (the UI shows "half written: N of M"). */
function interrupted(e: unknown, port: string, backupId: string | null, j: RestoreJournal): FlashbackError {
  const progress = {
    journal: true,
    halfWritten: true,
    written: j.written.length,
    planned: j.planned.length,
    backupId,
  };
  if (isFlashbackError(e)) {
    return new FlashbackError(e.code, `Restore interrupted: ${e.message}`, recoveryHint(port, backupId), {
      ...e.details,
      ...progress,
    });
  }
  return new FlashbackError(
    'INTERNAL',
    `Restore interrupted: ${(e as Error).message}`,
    recoveryHint(port, backupId),
    progress,
  );
}

export async function planRestore(params: RestoreParams, opts: OpOptions = {}): Promise<RestorePlan> {
  const r = await restoreBoard({ ...params, after: 'no-reset' }, { ...opts, confirm: () => false });
  return r.plan;
}

export async function executeRestore(
  params: RestoreParams,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  const r = await restoreBoard(params, opts);
  if ('dryRun' in r)
    throw new FlashbackError('ABORTED', 'Restore was not confirmed', 'Confirm the plan to write.');
  return r;
}
