/**
 * settings.json in the data folder (DESIGN.md "Data folder"): small things Flashback remembers between
 * runs, such as the baud that worked per USB adapter (USERS.md #10). Every read-modify-write holds the
 * data folder's settings lock (main/data-lock.ts), so a CLI and the workbench never lose each other's
 * updates; the file is replaced atomically. Each entry is validated when read and an invalid one is never
 * used. A file that is not settings at all (torn, hand-edited) must not block an operation over a
 * preference: it reads as empty, and the next save keeps it aside as settings.json.corrupt-<time>
 * instead of overwriting it.
 */
import fs from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';
import { withLock } from './data-lock.js';
import { dataPaths } from './datadir.js';

export interface Settings {
  /** adapterKey (VID:PID:serial, lower-case) → the rate that last worked. */
  bauds: Record<string, { baud: number; at: string }>;
  [other: string]: unknown;
}

const baud = z.number().int().positive().max(10_000_000);
const rateEntry = z.object({ baud, at: z.string() });
/** The file's shape; unknown keys are kept (a newer Flashback may have written them). */
const settingsFileSchema = z.looseObject({
  bauds: z.record(z.string(), z.unknown()).optional(),
  stubs: z.record(z.string(), z.unknown()).optional(),
});

function settingsFile(env?: NodeJS.ProcessEnv): string {
  return dataPaths.settings(env);
}

/** Keeps the valid entries of a rate map (an invalid one is dropped, never used). */
function validRates(m: Record<string, unknown> | undefined): Record<string, { baud: number; at: string }> {
  const out: Record<string, { baud: number; at: string }> = {};
  for (const [k, v] of Object.entries(m ?? {})) {
    const r = rateEntry.safeParse(v);
    if (r.success) out[k] = r.data;
  }
  return out;
}

type Loaded = { settings: Settings; corrupt: boolean };

async function load(env?: NodeJS.ProcessEnv): Promise<Loaded> {
  let text: string;
  try {
    text = await fs.readFile(settingsFile(env), 'utf8');
  } catch {
    return { settings: { bauds: {} }, corrupt: false }; // none yet
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { settings: { bauds: {} }, corrupt: true };
  }
  const r = settingsFileSchema.safeParse(json);
  if (!r.success) return { settings: { bauds: {} }, corrupt: true };
  const s: Settings = { ...r.data, bauds: validRates(r.data.bauds) };
  if (r.data.stubs) s.stubs = validRates(r.data.stubs);
  return { settings: s, corrupt: false };
}

export async function readSettings(env?: NodeJS.ProcessEnv): Promise<Settings> {
  return (await load(env)).settings;
}

/** Read-modify-write under the data folder's settings lock; the file is replaced atomically. */
export function updateSettings(fn: (s: Settings) => void, env?: NodeJS.ProcessEnv): Promise<Settings> {
  const file = settingsFile(env);
  return withLock(`${file}.lock`, 'saving settings', async () => {
    const { settings, corrupt } = await load(env);
    if (corrupt) await fs.rename(file, `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    fn(settings);
    await writeFileAtomic(file, JSON.stringify(settings, null, 2) + '\n');
    return settings;
  });
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
  return (await readSettings(env)).bauds[adapterKey.toLowerCase()]?.baud;
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
    const stubs = (s.stubs ?? {}) as Record<string, unknown>;
    if (baud === null) delete stubs[port];
    else stubs[port] = { baud, at: new Date().toISOString() };
    s.stubs = stubs;
  }, env);
}

export async function stubLeftAt(port: string, env?: NodeJS.ProcessEnv): Promise<number | undefined> {
  const stubs = (await readSettings(env)).stubs as Record<string, { baud: number }> | undefined;
  return stubs?.[port]?.baud;
}
