/**
 * The restore journal: while a restore writes, a JSON file in the data folder's journal/ records the
 * image, the target's backup and the sectors already on flash, so an interrupted restore can be resumed
 * (`restore --resume`) or rolled back (`restore --image <backupId>`). Removed once verified.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { dataPaths } from '../datadir.js';
import { writeFileAtomic } from './files.js';
import type { FlashModeChoice } from './types.js';

export interface RestoreJournal {
  version: 1;
  port: string;
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

function journalFile(port: string): string {
  const slug = port.replace(/[^A-Za-z0-9._-]+/g, '_');
  return path.join(dataPaths.journal(), `${slug}.json`);
}

export async function saveJournal(j: RestoreJournal): Promise<string> {
  const file = journalFile(j.port);
  await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(j, null, 2)));
  return file;
}

export async function loadJournal(port: string): Promise<RestoreJournal | null> {
  try {
    return JSON.parse(await fs.readFile(journalFile(port), 'utf8')) as RestoreJournal;
  } catch {
    return null;
  }
}

export async function clearJournal(port: string): Promise<void> {
  await fs.rm(journalFile(port), { force: true });
}

export function recoveryHint(port: string, backupId: string | null): string {
  const resume = `run \`flashback restore --port ${port} --resume\` to finish the restore`;
  return backupId
    ? `The board is only partly written. Reconnect it, then ${resume}, or \`flashback restore --port ${port} --image ${backupId.slice(0, 12)}\` to roll back to its own backup.`
    : `The board is only partly written. Reconnect it, then ${resume}.`;
}
