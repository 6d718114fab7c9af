/**
 * `repair`: reset a board's factory data the way its own firmware needs it, without a donor board
 * (ESP8266-NOTES 5.1, 5.2, 5.5). The chip's real size comes from its JEDEC id; the firmware's layout
 * from the image on the board:
 * - Arduino core (Tasmota, ESPHome): erase RF_CAL and the three SDK system-param sectors (the last
 *   0x4000 bytes, as the core's "Erase Flash: Sketch + WiFi Settings" and ESP.eraseConfig() do); the
 *   SDK recalibrates and rebuilds its settings at the next boot.
 * - NONOS SDK (NodeMCU ≤ 2.x, MicroPython, AT): erase RF_CAL (S−0x5000), write Espressif's own
 *   esp_init_data_default at S−0x4000, erase both system-param data sectors; the flag sector stays
 *   (it holds FOTA boot info).
 * An unrecognised firmware is refused rather than guessed at. Stored WiFi settings are reset either
 * way, and the plan says so. With `fixHeader` a header flash size that disagrees with the chip is set
 * to the chip's. The board is backed up first, only sectors that differ are touched, and the result is
 * verified by MD5.
 */
import { FlashbackError, isFlashbackError } from '../errors.js';
import { formatSize, SIZE_BY_CODE } from '../image/flash-params.js';
import { factoryResetTail } from '../image/factory-reset.js';
import { patchHeader } from '../image/header-patch.js';
import { detectLayout, factoryRule, imageExtent, type Family, type FactoryRule } from '../image/layout.js';
import { isLowPartitionLayout } from '../image/factory.js';
import { judgeRfInit } from '../image/rf-init.js';
import type { OpOptions } from '../progress.js';
import { espressifInitData } from '../resources.js';
import { backupWithSession } from './backup.js';
import { assertReachable, withBoard } from './board-session.js';
import { piecesOf } from './block-hashes.js';
import { combineSpans, planDiff } from './diff-plan.js';
import { readProvenRange } from './read-range.js';
import { SECTOR } from './sector-map.js';
import { writeProven } from './sector-writer.js';
import type { BoardTarget, DetectResult } from './types.js';

export interface RepairParams extends BoardTarget {
  /** Set the header's flash size to the chip's when they disagree. */
  fixHeader?: boolean;
  /** Back the whole board up first (default true). */
  backup?: boolean;
  library?: string;
}

export interface RepairAction {
  offset: number;
  size: number;
  action: 'erase' | 'write' | 'keep' | 'patch-header';
  what: string;
}

export interface RepairPlan {
  port: string;
  target: DetectResult;
  family: Family;
  rule: FactoryRule;
  /** The flash size the SDK uses to find its sectors (after a header fix, the chip's). */
  sdkSize: number;
  header: { size: number | null; chipSize: number; fix: boolean };
  actions: RepairAction[];
  /** Absolute sector indexes that will change (the others already hold what repair wants). */
  writeSectors: number[];
  resetsWifi: boolean;
  backupFirst: boolean;
  warnings: string[];
}

export interface RepairResult {
  plan: RepairPlan;
  backupId: string | null;
  changedSectors: number[];
  verified: boolean;
  seconds: number;
}

export interface RepairOptions extends OpOptions {
  confirm?: (plan: RepairPlan) => boolean | Promise<boolean>;
}

interface Span {
  start: number;
  bytes: Uint8Array;
  /** Sector indexes (relative) left alone. */
  keep: Set<number>;
}

export async function repairBoard(
  params: RepairParams,
  opts: RepairOptions = {},
): Promise<RepairResult | { plan: RepairPlan; dryRun: true }> {
  const started = performance.now();
  return withBoard(params, opts, async ({ session, identity }) => {
    const target: DetectResult = { ...session.info, port: params.port, bridge: identity.bridge };
    if (!session.stub)
      throw new FlashbackError(
        'ROM_CANNOT',
        'Repair needs the flasher stub (backup, diff and MD5 verify)',
        'Run without --no-stub.',
      );
    const chipSize = target.flash.size;
    if (!chipSize)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `The flash chip's size is unknown (JEDEC id 0x${target.flash.jedecId.toString(16)}); nothing was changed`,
        'Repair places the factory data by the chip size; back the board up and restore a known image instead.',
      );
    const read = (o: number, n: number) => session.readFlash(o, n);
    const layout = await detectLayout(read, chipSize);
    const rule = factoryRule(layout.family);
    if (rule === 'unknown')
      throw new FlashbackError(
        'BAD_IMAGE',
        `The firmware on this board is not recognised (${layout.notes.at(-1) ?? 'unknown layout'}), so repair cannot tell which sectors hold its factory data; nothing was changed`,
        'Restore a backup of a good board with the same firmware, or write the firmware again first (`flashback write`).',
      );
    if (rule === 'nonos' && (await isLowPartitionLayout(read)))
      throw new FlashbackError(
        'BAD_IMAGE',
        'This firmware keeps its factory data low in flash (NodeMCU 3.x partition table: RF_CAL 0xB000, init data 0xC000, WiFi 0xD000–0xFFFF), not at the end; repair does not handle that layout and changed nothing',
        'Restore a backup of a good board, or erase 0xB000 and 0xD000–0xFFFF yourself (`flashback erase --offset 0xB000 --size 0x1000`).',
      );
    const head = await read(0, 16);
    const headerSize = SIZE_BY_CODE.get((head[3] ?? 0) >> 4) ?? null;
    const mismatch = headerSize !== null && headerSize !== chipSize;
    const fix = (params.fixHeader ?? false) && mismatch;
    const warnings: string[] = [];
    if (mismatch && !fix)
      warnings.push(
        `The header at 0x0 says ${formatSize(headerSize)} but the chip has ${formatSize(chipSize)}: the SDK keeps its factory data by the header's size${headerSize > chipSize ? ', past the end of this chip' : ''}. Repair with --fix-header to set the header to ${formatSize(chipSize)}.`,
      );
    if (fix && rule === 'arduino')
      warnings.push(
        'Arduino core 3.x builds refuse to start ("Flash size mismatch") when the header disagrees with the size they were built for; if the sketch stops booting, rebuild it for this chip size.',
      );
    // Where the SDK will look once this repair is done (notes 4.2: the header's size when smaller).
    const sdkSize = fix || headerSize === null || headerSize > chipSize ? chipSize : headerSize;
    // NONOS: Espressif's own file, checked by hash; warn before it replaces a deliberate crystal setting.
    const init = rule === 'nonos' ? espressifInitData() : new Uint8Array(0);
    if (rule === 'nonos') {
      const now = judgeRfInit(await read(sdkSize - 0x4000, 128));
      if (now.state === 'valid' && now.crystalMHz !== 26)
        warnings.push(
          `The board's init data is valid and sets a ${now.crystalMHz ?? '?'} MHz crystal; Espressif's default sets 26 MHz. If this board has a ${now.crystalMHz ?? 'non-26'} MHz crystal, restore its backup instead of repairing.`,
        );
    }
    const tail = factoryResetTail(rule, sdkSize, init);
    const actions: RepairAction[] = tail.steps.map((s) =>
      s.action === 'write'
        ? { ...s, what: "Espressif's esp_init_data_default (v08), the rest of the sector erased" }
        : s,
    );
    const spans: Span[] = [{ start: tail.start, bytes: tail.bytes, keep: tail.keep }];
    if (fix) {
      const end = (await imageExtent(read, 0, chipSize)) ?? SECTOR;
      const len = Math.ceil(end / SECTOR) * SECTOR;
      // Proven: these bytes are written back, so a damaged READ_FLASH offset must not slip in.
      const image = await readProvenRange(session, 0, len, opts);
      const patched = patchHeader(image, { flashSize: chipSize });
      if (!patched.patched)
        throw new FlashbackError(
          'BAD_IMAGE',
          `The header at 0x0 cannot be rewritten (${patched.reason}); nothing was changed`,
          'Repair without --fix-header, or write a build for this chip size.',
        );
      spans.unshift({ start: 0, bytes: patched.bytes, keep: new Set() });
      actions.unshift({
        offset: 0,
        size: len,
        action: 'patch-header',
        what: `header flash size ${formatSize(headerSize ?? 0)} → ${formatSize(chipSize)} (bytes 2–3 only)`,
      });
    }
    for (const s of spans) assertReachable(session, s.start, s.bytes.length, 'This repair');
    // One plan over every span (what lies between them preserved), over the whole chip with or without
    // the backup, so the audit proves nothing outside the plan changed.
    const combined = combineSpans(spans);
    const diff = await planDiff(session, combined.start, combined.bytes, {
      ...opts,
      preserve: combined.gaps,
      scope: 'chip',
      coarse: params.backup === false,
    });
    const writeList = diff.write.map((k) => combined.start / SECTOR + k);
    const plan: RepairPlan = {
      port: params.port,
      target,
      family: layout.family,
      rule,
      sdkSize,
      header: { size: headerSize, chipSize, fix },
      actions,
      writeSectors: writeList,
      resetsWifi: true,
      backupFirst: params.backup !== false,
      warnings,
    };
    if (opts.confirm && !(await opts.confirm(plan))) return { plan, dryRun: true as const };
    let backupId: string | null = null;
    if (plan.backupFirst && writeList.length > 0) {
      const b = await backupWithSession(
        session,
        target,
        {
          library: params.library,
          label: 'before repair',
          ...(diff.wholeChip && piecesOf(0, chipSize).length === diff.pieces.length
            ? { knownBlockMd5: diff.blockMd5 }
            : {}),
        },
        opts,
      );
      backupId = b.libraryId;
    }
    const undo = backupId
      ? `Put the board's previous flash back: \`flashback restore --port ${params.port} --image ${backupId.slice(0, 12)}\`.`
      : 'No backup was taken: write the affected sectors back from a backup of this board if you have one.';
    try {
      await writeProven(session, diff, combined.bytes, {
        ...opts,
        eraseBlank: diff.wholeChip,
        undoHint: undo,
      });
    } catch (e) {
      if (isFlashbackError(e) && e.code === 'OUTSIDE_PLAN_CHANGED') throw e;
      const back = backupId
        ? ` Its previous flash is in the library: \`flashback restore --port ${params.port} --image ${backupId.slice(0, 12)}\` puts it back.`
        : '';
      const hint = `The factory data may be only partly reset. Reconnect the board and run the repair again.${back}`;
      if (isFlashbackError(e))
        throw new FlashbackError(e.code, `Repair interrupted: ${e.message}`, hint, e.details);
      throw new FlashbackError('INTERNAL', `Repair interrupted: ${(e as Error).message}`, hint);
    }
    return {
      plan,
      backupId,
      changedSectors: writeList,
      verified: true,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
