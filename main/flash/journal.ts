/**
 * The restore journal: while a restore writes, a JSON file in the data folder's journal/ records the
 * board (MAC, JEDEC id, flash size), the image, the target's backup and the sectors already on flash, so
 * an interrupted restore can be resumed (`restore --resume`) on that board only — whatever port name it
 * comes back on — or undone (`restore --image <backupId>`). Keyed by the board's MAC; removed once the
 * restore is proven. Writes hold the journal folder's lock (main/data-lock.ts); every file is validated
 * when read, and a damaged one is reported (JOURNAL error, or listed by damagedJournals), never acted on.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { withLock } from '../data-lock.js';
import { dataPaths } from '../datadir.js';
import { FlashbackError } from '../errors.js';
import { humanSize } from '../units.js';
import { writeFileAtomic } from './files.js';
import type { FlashModeChoice } from './types.js';

export interface JournalBoard {
  mac: string;
  chip: string;
  jedecId: number;
  flashSize: number;
}

export interface RestoreJournal {
  version: 2;
  /** The port the restore ran on (the board may come back on another). */
  port: string;
  board: JournalBoard;
  startedAt: string;
  image: { source: string; sha256: string; libraryId: string | null; size: number };
  flashMode: FlashModeChoice;
  preserve: string[];
  /** restore --reset-factory-data (absent in journals written before it existed). */
  resetFactoryData?: boolean;
  backupId: string | null;
  planned: number[];
  written: number[];
}

const sectors = z.array(z.number().int().nonnegative());
const journalSchema = z.object({
  version: z.literal(2),
  port: z.string().min(1),
  board: z.object({
    mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i),
    chip: z.string(),
    jedecId: z.number().int().nonnegative(),
    flashSize: z.number().int().positive(),
  }),
  startedAt: z.string(),
  image: z.object({
    source: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    libraryId: z.string().nullable(),
    size: z.number().int().positive(),
  }),
  flashMode: z.enum(['keep', 'qio', 'qout', 'dio', 'dout']),
  preserve: z.array(z.string()),
  resetFactoryData: z.boolean().optional(),
  backupId: z.string().nullable(),
  planned: sectors,
  written: sectors,
}) satisfies z.ZodType<RestoreJournal>;

function dir(): string {
  return dataPaths.journal();
}

function fileFor(mac: string): string {
  return path.join(dir(), `${mac.toLowerCase().replace(/[^0-9a-f]+/g, '-')}.json`);
}

const locked = <T>(what: string, fn: () => Promise<T>) => withLock(path.join(dir(), '.lock'), what, fn);

export async function saveJournal(j: RestoreJournal): Promise<string> {
  const file = fileFor(j.board.mac);
  await locked('saving a restore journal', () =>
    writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(j, null, 2))),
  );
  return file;
}

type Read = { ok: true; journal: RestoreJournal } | { ok: false; file: string; why: string };

/** One journal file, validated; null when there is none. */
async function readJournal(file: string): Promise<Read | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ok: false, file, why: (e as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, file, why: 'it is not JSON (torn or edited)' };
  }
  const r = journalSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, file, why: `${i?.path.join('.') || 'it'}: ${i?.message ?? 'invalid'}` };
  }
  return { ok: true, journal: r.data };
}

async function readAll(): Promise<Read[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir());
  } catch {
    return [];
  }
  const out: Read[] = [];
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    const r = await readJournal(path.join(dir(), n));
    if (r) out.push(r);
  }
  return out;
}

/** Every valid interrupted restore on record, newest first (see damagedJournals for the others). */
export async function listJournals(): Promise<RestoreJournal[]> {
  return (await readAll())
    .flatMap((r) => (r.ok ? [r.journal] : []))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** Journal files that fail validation: each may stand for a half-written board. */
export async function damagedJournals(): Promise<{ file: string; why: string }[]> {
  return (await readAll()).flatMap((r) => (r.ok ? [] : [{ file: r.file, why: r.why }]));
}

export function damagedJournalError(file: string, why: string): FlashbackError {
  return new FlashbackError(
    'JOURNAL',
    `The restore journal ${file} is damaged (${why}); it cannot be trusted to resume from`,
    'The board may be half written: restore it again with --image (its own backup, see `flashback library list`); that starts over and replaces the journal.',
    { file },
  );
}

/** The interrupted restore of the board with this MAC, if any; a damaged journal throws JOURNAL. */
export async function journalForBoard(mac: string): Promise<RestoreJournal | null> {
  const r = await readJournal(fileFor(mac));
  if (!r) return null;
  if (!r.ok) throw damagedJournalError(r.file, r.why);
  return r.journal;
}

/** The newest interrupted restore that ran on `port` (a MAC is accepted too). */
export async function loadJournal(portOrMac: string): Promise<RestoreJournal | null> {
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(portOrMac)) return journalForBoard(portOrMac);
  return (await listJournals()).find((j) => j.port === portOrMac) ?? null;
}

export async function clearJournal(mac: string): Promise<void> {
  await locked('clearing a restore journal', () => fs.rm(fileFor(mac), { force: true }));
}

export function describeBoard(b: JournalBoard): string {
  return `${b.chip} ${b.mac} (flash id 0x${b.jedecId.toString(16)}, ${humanSize(b.flashSize)})`;
}

/** "Half written" with the two ways out: finish it, or put the board's own backup back. */
export function recoveryHint(port: string, backupId: string | null): string {
  const resume = `Resume: \`flashback restore --port ${port} --resume\``;
  return backupId
    ? `The board is half written. Reconnect it, then — ${resume}; Undo: \`flashback restore --port ${port} --image ${backupId.slice(0, 12)}\` (its own backup).`
    : `The board is half written (no backup was taken). Reconnect it, then — ${resume}.`;
}
