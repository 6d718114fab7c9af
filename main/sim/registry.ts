/**
 * Named virtual boards, one shared instance per name in this process, persisted like real boards keep
 * their flash: `virtual/<name>.bin` (+ `<name>.json`: MAC, profile, chip facts) in the data folder.
 * The demo boards 'good' and 'bad' are built from buildDemoImage() until first saved; factoryReset()
 * puts them back as shipped. A board's flash is saved when its host detaches (if it changed) and by save().
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '../atomic-file.js';
import { dataPaths } from '../datadir.js';
import { FlashbackError } from '../errors.js';
import { VirtualBoard, type VirtualBoardOptions } from './board.js';
import { buildDemoImage } from './demo-image.js';
import { demoFirmware } from './demo-firmware.js';
import type { SimChip } from './efuse.js';
import { defaultNetwork } from './network.js';
import { DEMO_BOARDS, isDemo, listVirtualBoards, onRegistryLoaded, type DemoName } from './ports.js';
import type { BoardWire } from './wire.js';

export { DEMO_BOARDS, type DemoName, listVirtualBoards } from './ports.js';
const DEMO_FLASH_SIZE = 4 * 1024 * 1024;

/** What `<name>.json` holds. */
export interface BoardMeta {
  mac: string;
  /** 'good' | 'bad' for demo-derived boards, 'custom' otherwise. */
  profile: string;
  flashSize: number;
  jedecId: [number, number, number];
  chip: SimChip;
  crystalMHz: number;
}

export interface OpenBoardOptions extends Pick<
  VirtualBoardOptions,
  'pace' | 'latencyMs' | 'faults' | 'bootMode' | 'chipMagic' | 'autoReset' | 'romSetParams'
> {
  /** Create the board if it is neither a demo board nor saved (with these settings). */
  create?: Pick<VirtualBoardOptions, 'flashSize' | 'jedecId' | 'mac' | 'chip' | 'crystalMHz' | 'flash'>;
}

export interface SharedBoard {
  readonly name: string;
  readonly board: VirtualBoard;
  /** Connects a host (one at a time); detaching saves the flash if it changed. */
  wire(): BoardWire;
  save(): void;
}

const boards = new Map<string, SharedBoard>();

function files(name: string): { bin: string; json: string } {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new FlashbackError(
      'BAD_PORT_SPEC',
      `Bad virtual board name "${name}"`,
      'Use letters, digits, "-", "_" or ".", e.g. virtual:good.',
    );
  }
  const dir = dataPaths.virtual();
  return { bin: path.join(dir, `${name}.bin`), json: path.join(dir, `${name}.json`) };
}

function demoMeta(name: DemoName): BoardMeta {
  return {
    mac: DEMO_BOARDS[name].mac,
    profile: name,
    flashSize: DEMO_FLASH_SIZE,
    jedecId: [0xef, 0x40, 0x16],
    chip: 'ESP8266EX',
    crystalMHz: 26,
  };
}

const metaSchema = z.object({
  mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i),
  profile: z.string(),
  flashSize: z.number().int().positive(),
  jedecId: z.tuple([
    z.number().int().min(0).max(255),
    z.number().int().min(0).max(255),
    z.number().int().min(0).max(255),
  ]),
  chip: z.enum(['ESP8266EX', 'ESP8285']),
  crystalMHz: z.number().positive(),
}) satisfies z.ZodType<BoardMeta>;

function damaged(name: string, why: string): FlashbackError {
  const { bin, json } = files(name);
  return new FlashbackError(
    'PORT_NOT_FOUND',
    `Virtual board "${name}" is damaged: ${why}`,
    isDemo(name)
      ? 'Put the demo boards back as shipped: `flashback sim --factory-reset`.'
      : `Delete ${bin} and ${json} and create the board again.`,
  );
}

/** A saved board's meta, validated: a damaged one is reported, never booted with made-up facts. */
function readMeta(name: string, json: string): BoardMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(json, 'utf8'));
  } catch {
    throw damaged(name, `${path.basename(json)} is not JSON (torn or edited)`);
  }
  const r = metaSchema.safeParse(parsed);
  if (!r.success) {
    const i = r.error.issues[0];
    throw damaged(
      name,
      `${path.basename(json)} is invalid (${i?.path.join('.') || 'top level'}: ${i?.message})`,
    );
  }
  return r.data;
}

function load(name: string, opts: OpenBoardOptions): { meta: BoardMeta; flash: Uint8Array } {
  const { bin, json } = files(name);
  if (fs.existsSync(bin) && fs.existsSync(json)) {
    const meta = readMeta(name, json);
    const flash = new Uint8Array(fs.readFileSync(bin));
    if (flash.length !== meta.flashSize)
      throw damaged(name, `its flash file is ${flash.length} bytes, expected ${meta.flashSize}`);
    return { meta, flash };
  }
  if (isDemo(name)) return { meta: demoMeta(name), flash: buildDemoImage(name, DEMO_FLASH_SIZE) };
  if (opts.create) {
    const c = opts.create;
    const flashSize = c.flashSize ?? c.flash?.length ?? DEMO_FLASH_SIZE;
    const meta: BoardMeta = {
      mac: c.mac ?? '18:fe:34:00:00:01',
      profile: 'custom',
      flashSize,
      jedecId: c.jedecId ?? [0xef, 0x40, Math.log2(flashSize)],
      chip: c.chip ?? 'ESP8266EX',
      crystalMHz: c.crystalMHz ?? 26,
    };
    return { meta, flash: c.flash ?? new Uint8Array(flashSize).fill(0xff) };
  }
  throw new FlashbackError(
    'PORT_NOT_FOUND',
    `No virtual board named "${name}"`,
    `Use virtual:good or virtual:bad, or one of: ${listVirtualBoards().join(', ')}.`,
  );
}

/** The shared instance for `name` (options apply when it is first opened in this process). */
export function openVirtualBoard(name: string, opts: OpenBoardOptions = {}): SharedBoard {
  const existing = boards.get(name);
  if (existing) return existing;
  const { meta, flash } = load(name, opts);
  const board = new VirtualBoard({
    flash,
    flashSize: meta.flashSize,
    jedecId: meta.jedecId,
    mac: meta.mac,
    chip: meta.chip,
    crystalMHz: meta.crystalMHz,
    firmware: demoFirmware,
    network: defaultNetwork,
    // FLASHBACK_VIRTUAL_PACE=0 turns line-rate pacing off for processes that opt in (CLI tests).
    pace: opts.pace ?? process.env.FLASHBACK_VIRTUAL_PACE !== '0',
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.bootMode ? { bootMode: opts.bootMode } : {}),
    ...(opts.chipMagic !== undefined ? { chipMagic: opts.chipMagic } : {}),
    ...(opts.autoReset !== undefined ? { autoReset: opts.autoReset } : {}),
    ...(opts.romSetParams !== undefined ? { romSetParams: opts.romSetParams } : {}),
  });
  let savedAt = -1;
  const writes = () =>
    board.flash.counters.sectorErases +
    board.flash.counters.blockErases +
    board.flash.counters.chipErases +
    board.flash.counters.pagePrograms;
  const save = () => {
    const { bin, json } = files(name);
    writeFileAtomicSync(bin, board.flash.snapshot());
    writeFileAtomicSync(json, JSON.stringify(meta, null, 2) + '\n');
    savedAt = writes();
  };
  if (opts.create && !isDemo(name)) save();
  savedAt = writes();
  const shared: SharedBoard = {
    name,
    board,
    save,
    wire: () => {
      const w = board.wire();
      return {
        ...w,
        detach: () => {
          w.detach();
          if (writes() !== savedAt) save();
        },
      };
    },
  };
  boards.set(name, shared);
  return shared;
}

/** Drops the in-process instance (its saved flash stays); tests and the CLI use it to start fresh. */
export function closeVirtualBoard(name: string): void {
  const b = boards.get(name);
  if (!b) return;
  b.board.close();
  boards.delete(name);
}

/**
 * Closes every open board (aborting their firmware's timers and sockets) so a CLI process can exit.
 * Saved flash stays; call save() first if a board changed without a host detaching.
 */
export function closeAllVirtualBoards(): void {
  for (const name of [...boards.keys()]) closeVirtualBoard(name);
}

/** Restores the demo boards as shipped: their saved flash is removed and open instances are dropped. */
export function factoryReset(): string[] {
  const reset: string[] = [];
  for (const name of Object.keys(DEMO_BOARDS)) {
    const { bin, json } = files(name);
    fs.rmSync(bin, { force: true });
    fs.rmSync(json, { force: true });
    closeVirtualBoard(name);
    reset.push(name);
  }
  return reset;
}

// The CLI closes open boards through main/sim/ports.ts, which loads nothing of the simulator itself.
onRegistryLoaded(closeAllVirtualBoards);
