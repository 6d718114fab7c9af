/**
 * The restore journal: while a restore writes, a JSON file in the data folder's journal/ records the
 * board (MAC, JEDEC id, flash size), the image, the target's backup and the sectors already on flash, so
 * an interrupted restore can be resumed (`restore --resume`) on that board only — whatever port name it
 * comes back on — or undone (`restore --image <backupId>`). Keyed by the board's MAC; removed once the
 * restore is proven.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { dataPaths } from '../datadir.js';
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

function fileFor(mac: string): string {
  return path.join(dataPaths.journal(), `${mac.toLowerCase().replace(/[^0-9a-f]+/g, '-')}.json`);
}

export async function saveJournal(j: RestoreJournal): Promise<string> {
  const file = fileFor(j.board.mac);
  await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(j, null, 2)));
  return file;
}

function valid(j: unknown): j is RestoreJournal {
  const r = j as Partial<RestoreJournal> | null;
  return (
    !!r &&
    r.version === 2 &&
    typeof r.port === 'string' &&
    typeof r.board?.mac === 'string' &&
    typeof r.image?.sha256 === 'string' &&
    Array.isArray(r.written)
  );
}

/** Every interrupted restore on record, newest first (unreadable files are skipped). */
export async function listJournals(): Promise<RestoreJournal[]> {
  let names: string[];
  try {
    names = await fs.readdir(dataPaths.journal());
  } catch {
    return [];
  }
  const out: RestoreJournal[] = [];
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    try {
      const j: unknown = JSON.parse(await fs.readFile(path.join(dataPaths.journal(), n), 'utf8'));
      if (valid(j)) out.push(j);
    } catch {
      // A torn or foreign file: not a journal we can act on.
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The interrupted restore of the board with this MAC, if any. */
export async function journalForBoard(mac: string): Promise<RestoreJournal | null> {
  try {
    const j: unknown = JSON.parse(await fs.readFile(fileFor(mac), 'utf8'));
    return valid(j) ? j : null;
  } catch {
    return null;
  }
}

/** The newest interrupted restore that ran on `port` (a MAC is accepted too). */
export async function loadJournal(portOrMac: string): Promise<RestoreJournal | null> {
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(portOrMac)) return journalForBoard(portOrMac);
  return (await listJournals()).find((j) => j.port === portOrMac) ?? null;
}

export async function clearJournal(mac: string): Promise<void> {
  await fs.rm(fileFor(mac), { force: true });
}

export function describeBoard(b: JournalBoard): string {
  return `${b.chip} ${b.mac} (flash id 0x${b.jedecId.toString(16)}, ${b.flashSize >> 20} MB)`;
}

/** "Half written" with the two ways out: finish it, or put the board's own backup back. */
export function recoveryHint(port: string, backupId: string | null): string {
  const resume = `Resume: \`flashback restore --port ${port} --resume\``;
  return backupId
    ? `The board is half written. Reconnect it, then — ${resume}; Undo: \`flashback restore --port ${port} --image ${backupId.slice(0, 12)}\` (its own backup).`
    : `The board is half written (no backup was taken). Reconnect it, then — ${resume}.`;
}
