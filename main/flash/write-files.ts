/**
 * `write ADDR FILE [ADDR FILE …]` with the safety of restore: every file is recognised and checked
 * against the chip (firmware-id.ts, write-fit.ts), the header at 0x0 is patched as esptool does when
 * asked, the plan (warnings, sectors that differ) is shown before anything is written, the whole target
 * is backed up into the library first (default), only differing sectors are written and each written
 * span is verified by MD5. Bytes of a partly covered sector outside the files are kept, not erased.
 */
import { createHash } from 'node:crypto';
import { FlashbackError, isFlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';
import { identifyFile, type FileIdentity } from '../image/firmware-id.js';
import { FLASH_MODES, type FlashFreq, type FlashMode } from '../image/flash-params.js';
import { patchHeader } from '../image/header-patch.js';
import { detectLayout, factoryRule, type FactoryRule } from '../image/layout.js';
import { checkFit, type FitWarning } from '../image/write-fit.js';
import type { OpOptions } from '../progress.js';
import { humanSize } from '../units.js';
import { backupWithSession } from './backup.js';
import { assertReachable, withBoard } from './board-session.js';
import { piecesOf } from './block-hashes.js';
import { combineSpans, planDiff } from './diff-plan.js';
import { readProvenRange } from './read-range.js';
import { SECTOR } from './sector-map.js';
import { writeProven } from './sector-writer.js';
import type { BoardTarget, DetectResult, WriteResult } from './types.js';

export interface WritePair {
  address: number;
  /** What the user called it (a path, a file name, an upload name). */
  name: string;
  bytes: Uint8Array;
}

export interface HeaderOptions {
  flashMode?: FlashMode | 'keep';
  /** Bytes, 'keep', or 'detect' (the chip's JEDEC size, as esptool's `-fs detect`). */
  flashSize?: number | 'keep' | 'detect';
  flashFreq?: FlashFreq | 'keep';
}

export interface WriteFilesParams extends BoardTarget, HeaderOptions {
  pairs: WritePair[];
  /** Back the whole target up into the library first (default true). */
  backup?: boolean;
  /** Write every sector without comparing first. */
  full?: boolean;
  library?: string;
  /** Label for the automatic backup. */
  label?: string;
}

export interface PlannedFile {
  address: number;
  name: string;
  size: number;
  sha256: string;
  identity: FileIdentity;
  /** Header bytes 2–3 rewritten (only the file at 0x0). */
  headerPatched: boolean;
  headerNote: string | null;
}

export interface WriteFilesPlan {
  port: string;
  target: DetectResult;
  files: PlannedFile[];
  warnings: FitWarning[];
  backupFirst: boolean;
  /** Absolute sector indexes (offset / 4096) that will be written, and those already equal. */
  writeSectors: number[];
  skipSectors: number;
}

export interface WriteFilesResult extends WriteResult {
  backupId: string | null;
  plan: WriteFilesPlan;
}

export interface WriteFilesOptions extends OpOptions {
  /** Sees the plan before anything is written; false stops (dry run / not confirmed). */
  confirm?: (plan: WriteFilesPlan) => boolean | Promise<boolean>;
}

interface Span {
  start: number;
  bytes: Uint8Array;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * Sorted by address; refuses empty files, unaligned addresses and overlaps. `job` names what did not
 * happen ("nothing was written" / "nothing was checked").
 */
export function checkPairs(pairs: WritePair[], job: 'write' | 'verify' = 'write'): WritePair[] {
  const nothing = job === 'write' ? 'nothing was written' : 'nothing was checked';
  if (pairs.length === 0)
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `No files to ${job}`,
      'Give ADDRESS FILE pairs, e.g. 0x0 firmware.bin.',
    );
  const sorted = [...pairs].sort((a, b) => a.address - b.address);
  for (const p of sorted) {
    if (p.bytes.length === 0)
      throw new FlashbackError('FILE_TRUNCATED', `${p.name} is empty; ${nothing}`, 'Check the file.');
    if (p.address < 0 || p.address % 4 !== 0)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `Address ${hex(p.address)} for ${p.name} is not a multiple of 4; ${nothing}`,
        'Flash writes start on 4-byte boundaries; firmware goes at sector boundaries such as 0x0, 0x1000.',
      );
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.address + prev.bytes.length > cur.address)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `${prev.name} (${hex(prev.address)}–${hex(prev.address + prev.bytes.length - 1)}) overlaps ${cur.name} at ${hex(cur.address)}; ${nothing}`,
        'Check the addresses: each file needs its own range.',
      );
  }
  return sorted;
}

/** Groups files into sector-aligned spans; partly covered edge sectors keep the board's other bytes. */
async function buildSpans(session: EspSession, pairs: WritePair[]): Promise<Span[]> {
  const spans: { start: number; end: number; files: WritePair[] }[] = [];
  for (const p of pairs) {
    const start = Math.floor(p.address / SECTOR) * SECTOR;
    const end = Math.ceil((p.address + p.bytes.length) / SECTOR) * SECTOR;
    const last = spans[spans.length - 1];
    if (last && start <= last.end) {
      last.end = Math.max(last.end, end);
      last.files.push(p);
    } else spans.push({ start, end, files: [p] });
  }
  const out: Span[] = [];
  for (const s of spans) {
    const bytes = new Uint8Array(s.end - s.start).fill(0xff);
    // Keep what the board holds in every sector the files only partly cover.
    const covered = new Uint8Array((s.end - s.start) / SECTOR);
    for (const f of s.files) {
      const first = (f.address - s.start) / SECTOR;
      const endSec = (f.address + f.bytes.length - s.start) / SECTOR;
      for (let i = Math.floor(first); i < Math.ceil(endSec); i++) {
        const from = Math.max(f.address, s.start + i * SECTOR);
        const to = Math.min(f.address + f.bytes.length, s.start + (i + 1) * SECTOR);
        covered[i]! += to - from;
      }
    }
    for (let i = 0; i < covered.length; i++) {
      if (covered[i]! > 0 && covered[i]! < SECTOR)
        bytes.set(await readProvenRange(session, s.start + i * SECTOR, SECTOR), i * SECTOR);
    }
    for (const f of s.files) bytes.set(f.bytes, f.address - s.start);
    out.push({ start: s.start, bytes });
  }
  return out;
}

/**
 * The file at 0x0 with header bytes 2–3 rewritten as esptool does when a header option is not `keep`
 * (`detect` = the chip's JEDEC size); write and verify both use it, so verify expects what write wrote.
 */
export function patchAtZero(pairs: WritePair[], opts: HeaderOptions, chipSize: number) {
  const notes = new Map<WritePair, { patched: boolean; note: string | null; size: number | null }>();
  const flashSize = opts.flashSize === 'detect' ? chipSize || 'keep' : opts.flashSize;
  const asked = [opts.flashMode, flashSize, opts.flashFreq].some((v) => v !== undefined && v !== 'keep');
  const patched = pairs.map((p) => {
    if (p.address !== 0 || !asked) return p;
    let r;
    try {
      r = patchHeader(p.bytes, {
        flashMode: opts.flashMode ?? 'keep',
        flashSize: flashSize ?? 'keep',
        flashFreq: opts.flashFreq ?? 'keep',
      });
    } catch (e) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        (e as Error).message,
        'Use --flash-size keep, detect or one of 256KB…16MB.',
      );
    }
    const out = { ...p, bytes: r.bytes };
    const size = typeof flashSize === 'number' && r.patched ? flashSize : null;
    notes.set(out, {
      patched: r.patched,
      note: r.patched ? 'header bytes 2–3 rewritten' : `header left alone: ${r.reason}`,
      size,
    });
    return out;
  });
  return { patched, notes };
}

export async function writeFiles(
  params: WriteFilesParams,
  opts: WriteFilesOptions = {},
): Promise<WriteFilesResult | { plan: WriteFilesPlan; dryRun: true }> {
  const started = performance.now();
  const sorted = checkPairs(params.pairs);
  return withBoard(params, opts, async ({ session, identity }) => {
    const target: DetectResult = { ...session.info, port: params.port, bridge: identity.bridge };
    if (!session.stub)
      throw new FlashbackError(
        'ROM_CANNOT',
        'A safe write needs the flasher stub (backup, diff and MD5 verify)',
        'Run without --no-stub; for a raw ROM-only write of one file use `flashback write --no-stub --offset A FILE`.',
      );
    const chipSize = target.flash.size;
    for (const p of sorted) {
      if (chipSize && p.address + p.bytes.length > chipSize)
        throw new FlashbackError(
          'IMAGE_TOO_BIG',
          `${p.name} (${p.bytes.length} bytes at ${hex(p.address)}) runs past the end of this ${humanSize(chipSize)} flash; nothing was written`,
          'It was built or dumped for a bigger flash: use a file for this chip size.',
        );
      assertReachable(session, p.address, p.bytes.length, `Writing ${p.name}`);
    }
    const { patched, notes } = patchAtZero(sorted, params, chipSize);
    const identities = patched.map((p) => identifyFile(p.bytes, p.name));
    // What the board runs decides what S−0x4000 means; a firmware in this write wins.
    const firmwareInWrite = identities.find(
      (id, i) => patched[i]!.address === 0 && id.firmware !== 'unknown',
    );
    // What the board runs now: decides S−0x4000 without a firmware in the write, and with one, whether
    // the new firmware keeps its factory data elsewhere (a few header reads).
    const read = (o: number, n: number) => session.readFlash(o, n);
    const runsNow: FactoryRule = chipSize
      ? factoryRule((await detectLayout(read, chipSize)).family)
      : 'unknown';
    const boardRule = firmwareInWrite ? factoryRule(firmwareInWrite.firmware) : runsNow;
    let bootAtZero: FileIdentity | null = null;
    if (!firmwareInWrite) {
      const head = await session.readFlash(0, SECTOR + 16); // loader + the next image's header
      bootAtZero = head.every((b) => b === 0xff) ? null : identifyFile(head);
    }
    const warnings = checkFit(
      patched.map((p, i) => ({
        address: p.address,
        name: p.name,
        identity: identities[i]!,
        ...(notes.get(p)?.size ? { headerFlashSize: notes.get(p)!.size } : {}),
        // V1 image at 0x0: the mode byte as it will be written (bytes 2 after any patch).
        flashMode: p.bytes[0] === 0xe9 ? (FLASH_MODES[p.bytes[2] ?? 9] ?? null) : null,
        size: p.bytes.length,
      })),
      {
        flashSize: chipSize,
        bootAtZero,
        factoryRule: boardRule,
        chip: target.chip,
        previousFactoryRule: runsNow,
      },
    );
    const spans = await buildSpans(session, patched);
    // One plan over all spans (the gaps between them preserved), hashing the whole chip with or without
    // the backup: the audit after writing then sees a write that went anywhere ("nothing outside the
    // plan changed" is proven, not assumed, also with --no-backup).
    const combined = combineSpans(spans);
    const diff = await planDiff(session, combined.start, combined.bytes, {
      ...opts,
      full: params.full ?? false,
      preserve: combined.gaps,
      scope: 'chip',
      coarse: params.backup === false,
    });
    const writeList = diff.write.map((k) => combined.start / SECTOR + k);
    const plan: WriteFilesPlan = {
      port: params.port,
      target,
      files: patched.map((p, i) => ({
        address: p.address,
        name: p.name,
        size: p.bytes.length,
        sha256: createHash('sha256').update(p.bytes).digest('hex'),
        identity: identities[i]!,
        headerPatched: notes.get(p)?.patched ?? false,
        headerNote: notes.get(p)?.note ?? null,
      })),
      warnings,
      backupFirst: params.backup !== false,
      writeSectors: writeList,
      skipSectors: diff.skip - combined.gaps.size,
    };
    if (opts.confirm && !(await opts.confirm(plan))) return { plan, dryRun: true as const };

    let backupId: string | null = null;
    if (plan.backupFirst && writeList.length > 0) {
      const known = piecesOf(0, chipSize).length === diff.pieces.length && diff.wholeChip;
      const b = await backupWithSession(
        session,
        target,
        {
          ...(known ? { knownBlockMd5: diff.blockMd5 } : {}),
          library: params.library,
          label: params.label ?? `before write of ${patched.map((p) => p.name).join(', ')}`,
        },
        opts,
      );
      backupId = b.libraryId;
    }
    let written = { sectors: 0, bytes: 0 };
    const undo = backupId
      ? `Put the board's previous flash back: \`flashback restore --port ${params.port} --image ${backupId.slice(0, 12)}\`.`
      : 'No backup was taken: write the affected sectors back from a backup of this board if you have one.';
    try {
      const w = await writeProven(session, diff, combined.bytes, {
        ...opts,
        eraseBlank: diff.wholeChip,
        undoHint: undo,
      });
      written = { sectors: w.sectors, bytes: w.bytes };
    } catch (e) {
      if (isFlashbackError(e) && e.code === 'OUTSIDE_PLAN_CHANGED') throw e;
      throw partlyWritten(e, params.port, backupId);
    }
    return {
      written,
      skippedSectors: plan.skipSectors,
      verified: true,
      backupId,
      seconds: (performance.now() - started) / 1000,
      plan,
    };
  });
}

function partlyWritten(e: unknown, port: string, backupId: string | null): FlashbackError {
  const back = backupId
    ? ` Its previous flash is in the library: \`flashback restore --port ${port} --image ${backupId.slice(0, 12)}\` puts it back.`
    : '';
  const hint = `The board is half written. Reconnect it, then — Resume: run the same write again (only what differs is written).${back ? ` Undo:${back}` : ''}`;
  if (isFlashbackError(e))
    return new FlashbackError(e.code, `Write interrupted: ${e.message}`, hint, e.details);
  return new FlashbackError('INTERNAL', `Write interrupted: ${(e as Error).message}`, hint);
}
