/**
 * A cross-process lock for the data folder's shared records (library sidecars, restore journals,
 * settings.json), so the CLI and the workbench — or two CLIs — can read-modify-write them at once.
 *
 * The lock is a file created whole by link(2) from a temp file (it appears with its owner already in it
 * or not at all). Held only around one read-modify-write; the holder touches it while holding, so a
 * lock is stale when its holder's pid is gone (same host) or it has not been touched for `staleMs`
 * (holder on another host, hung, or its pid reused). A stale lock is broken under a short "breaker"
 * lock after re-checking it is the same one, so two waiters never both break it and delete a fresh one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FlashbackError } from './errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  /** What the holder is doing, e.g. "library add" (for the busy message). */
  what: string;
  since: string;
  token: string;
}

export interface LockOptions {
  /** How long to wait for the lock before DATA_BUSY (default 15 s). */
  timeoutMs?: number;
  /** An untouched lock older than this is stale (default 30 s; keep it well above HEARTBEAT_MS). */
  staleMs?: number;
}

const DEFAULT_TIMEOUT = 15_000;
const DEFAULT_STALE = 30_000;
/** How often a holder touches its lock: the same in every process, whatever bound a waiter uses. */
const HEARTBEAT_MS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Same-process callers queue here first, so the file is only contended between processes. */
const chains = new Map<string, Promise<unknown>>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<{ owner: LockOwner | null; mtimeMs: number } | null> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    let owner: LockOwner | null = null;
    try {
      const o = JSON.parse(text) as Partial<LockOwner>;
      if (typeof o.pid === 'number' && typeof o.token === 'string') owner = o as LockOwner;
    } catch {
      /* unreadable owner: judged by age alone */
    }
    return { owner, mtimeMs: st.mtimeMs };
  } catch {
    return null; // gone
  }
}

function isStale(l: { owner: LockOwner | null; mtimeMs: number }, staleMs: number): boolean {
  if (Date.now() - l.mtimeMs > staleMs) return true;
  return !!l.owner && l.owner.host === os.hostname() && !pidAlive(l.owner.pid);
}

/** Creates `file` holding `owner`, atomically; false if it already exists. */
async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  const tmp = `${file}.${owner.token}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(owner));
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Removes `file` if it still is the stale lock we saw (same token, or same unreadable content). */
async function breakStale(file: string, seen: LockOwner | null, staleMs: number): Promise<void> {
  const breaker = `${file}.break`;
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    what: 'breaking a stale lock',
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  if (!(await tryCreate(breaker, me))) {
    // Another waiter is breaking it; a breaker is held for milliseconds, so an old one is itself stale.
    const b = await readOwner(breaker);
    if (b && isStale(b, Math.min(staleMs, 5_000))) await fs.rm(breaker, { force: true });
    return;
  }
  try {
    const now = await readOwner(file);
    if (now && now.owner?.token === seen?.token && isStale(now, staleMs)) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

function busy(file: string, owner: LockOwner | null, waitedMs: number): FlashbackError {
  const who = owner
    ? `process ${owner.pid}${owner.host !== os.hostname() ? ` on ${owner.host}` : ''} (${owner.what}, since ${owner.since})`
    : 'another process';
  return new FlashbackError(
    'DATA_BUSY',
    `The data folder is busy: ${path.basename(file)} has been held by ${who} for over ${Math.round(waitedMs / 1000)} s`,
    owner
      ? `Wait for process ${owner.pid} to finish and try again. If it is not running, delete ${file}.`
      : `Try again in a moment. If no other Flashback is running, delete ${file}.`,
    { lock: file, ...(owner ? { holder: owner } : {}) },
  );
}

/** Takes the lock file `file` (waiting up to timeoutMs); returns its release. */
export async function acquireLock(
  file: string,
  what: string,
  opts: LockOptions = {},
): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT;
  const staleMs = opts.staleMs ?? DEFAULT_STALE;
  await fs.mkdir(path.dirname(file), { recursive: true });
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    what,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const start = Date.now();
  let delay = 2;
  for (;;) {
    if (await tryCreate(file, me)) break;
    const held = await readOwner(file);
    if (held && isStale(held, staleMs)) {
      await breakStale(file, held.owner, staleMs);
      continue;
    }
    if (Date.now() - start >= timeoutMs) throw busy(file, held?.owner ?? null, Date.now() - start);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
  // Touch it while held so a long hold (a 16 MB image's fsync) is never taken for a dead one.
  const beat = setInterval(() => {
    const t = new Date();
    fs.utimes(file, t, t).catch(() => undefined);
  }, HEARTBEAT_MS);
  beat.unref();
  return async () => {
    clearInterval(beat);
    const now = await readOwner(file);
    if (now?.owner?.token === me.token) await fs.rm(file, { force: true });
  };
}

/**
 * Runs `fn` holding the lock file `file`. Not re-entrant: `fn` must not take the same lock.
 * Throws DATA_BUSY (naming the holder) when the lock cannot be taken within timeoutMs.
 */
export async function withLock<T>(
  file: string,
  what: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const key = path.resolve(file);
  const prev = chains.get(key) ?? Promise.resolve();
  const run = prev.then(async () => {
    const release = await acquireLock(key, what, opts);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  const tail = run.catch(() => undefined);
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}
