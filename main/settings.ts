/**
 * settings.json in the data folder (DESIGN.md "Data folder"): small things Flashback remembers between
 * runs, such as the baud that worked per USB adapter (USERS.md #10). Writes are atomic (temp + fsync +
 * rename) and serialised within the process; a missing or unreadable file reads as empty settings.
 */
import fs from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';
import { dataPaths } from './datadir.js';

export interface Settings {
  /** adapterKey (VID:PID:serial, lower-case) → the rate that last worked. */
  bauds: Record<string, { baud: number; at: string }>;
  [other: string]: unknown;
}

function settingsFile(env?: NodeJS.ProcessEnv): string {
  return dataPaths.settings(env);
}

export async function readSettings(env?: NodeJS.ProcessEnv): Promise<Settings> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(settingsFile(env), 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const s = parsed as Partial<Settings>;
      const bauds = s.bauds && typeof s.bauds === 'object' ? s.bauds : {};
      return { ...s, bauds };
    }
  } catch {
    // Missing or corrupt: start from empty rather than block an operation over a preference.
  }
  return { bauds: {} };
}

let queue: Promise<unknown> = Promise.resolve();

/** Read-modify-write under an in-process lock; the file is replaced atomically. */
export function updateSettings(fn: (s: Settings) => void, env?: NodeJS.ProcessEnv): Promise<Settings> {
  const run = queue.then(async () => {
    const s = await readSettings(env);
    fn(s);
    await writeFileAtomic(settingsFile(env), JSON.stringify(s, null, 2) + '\n');
    return s;
  });
  queue = run.catch(() => undefined);
  return run;
}

/** Remembers that `baud` worked with the adapter `adapterKey` (VID:PID:serial). */
export async function rememberBaud(adapterKey: string, baud: number, env?: NodeJS.ProcessEnv): Promise<void> {
  if (!Number.isInteger(baud) || baud <= 0) throw new RangeError(`Bad baud ${baud}`);
  await updateSettings((s) => {
    s.bauds[adapterKey.toLowerCase()] = { baud, at: new Date().toISOString() };
  }, env);
}

/** The rate that last worked with this adapter, or undefined. */
export async function rememberedBaud(
  adapterKey: string,
  env?: NodeJS.ProcessEnv,
): Promise<number | undefined> {
  const entry = (await readSettings(env)).bauds[adapterKey.toLowerCase()];
  return entry && Number.isInteger(entry.baud) && entry.baud > 0 ? entry.baud : undefined;
}

/**
 * A flasher stub left running on `port` at `baud` (the operation could not put it back to 115200: the
 * board has no auto-reset and the run was cut short). The next connect tries that rate when SYNC at
 * 115200 finds nothing. null forgets it.
 */
export async function rememberStubLeft(
  port: string,
  baud: number | null,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  await updateSettings((s) => {
    const stubs = (s.stubs && typeof s.stubs === 'object' ? s.stubs : {}) as Record<string, unknown>;
    if (baud === null) delete stubs[port];
    else stubs[port] = { baud, at: new Date().toISOString() };
    s.stubs = stubs;
  }, env);
}

export async function stubLeftAt(port: string, env?: NodeJS.ProcessEnv): Promise<number | undefined> {
  const stubs = (await readSettings(env)).stubs as Record<string, { baud?: unknown }> | undefined;
  const baud = stubs?.[port]?.baud;
  return typeof baud === 'number' && Number.isInteger(baud) && baud > 0 ? baud : undefined;
}
