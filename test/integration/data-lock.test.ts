/**
 * The data folder shared by two real processes (CLI + workbench, or two CLIs): no update lost, no torn
 * library entry, a dead holder's lock recovered, a live holder named when the lock cannot be taken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, withLock } from '../../main/data-lock.js';
import { FlashbackError } from '../../main/errors.js';
import { Library } from '../../main/library/library.js';
import { readSettings } from '../../main/settings.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKER = path.join(ROOT, 'test/support/data-worker.ts');
let home: string;
const children: ChildProcess[] = [];

function worker(...args: string[]): {
  child: ChildProcess;
  line: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code} before a line: ${err}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, line, exit };
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-lock-'));
  process.env.FLASHBACK_HOME = home;
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  delete process.env.FLASHBACK_HOME;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('data folder lock', () => {
  it('two processes updating settings and the library at once lose nothing and tear nothing', async () => {
    const N = 40;
    const a = worker('hammer', home, 'a', String(N));
    const b = worker('hammer', home, 'b', String(N));
    // A third reader (this process, as `library list` would) never sees a half-added or half-removed image.
    const lib = new Library();
    const seen: string[] = [];
    let running = true;
    const done = Promise.all([a.line, b.line]).finally(() => (running = false));
    while (running) {
      for (const i of await lib.check()) if (i.status !== 'ok') seen.push(`${i.status}: ${i.problem}`);
    }
    expect(await done).toEqual(['done', 'done']);
    expect(seen).toEqual([]);
    // Every remembered rate from both processes is there (a lost read-modify-write drops some).
    const bauds = (await readSettings()).bauds;
    for (const name of ['a', 'b'])
      for (let i = 0; i < N; i++) expect(bauds[`${name}-${i}`]?.baud, `${name}-${i}`).toBe(115200 + i);
    // Adds racing removes of the same images: each image has both files or neither.
    const items = await lib.check();
    expect(items.filter((i) => i.status !== 'ok')).toEqual([]);
    const shared = items.find((i) => i.entry?.label?.match(/^[ab] \d+$/) && i.size === 64 * 1024);
    expect(shared).toBeDefined();
    const left = fs.readdirSync(path.join(home, 'library'));
    expect(left.filter((n) => n.endsWith('.tmp') || n.startsWith('.lock'))).toEqual([]);
    expect(fs.existsSync(path.join(home, 'settings.json.lock'))).toBe(false);
  }, 120_000);

  it('recovers the lock of a process that died holding it', async () => {
    const file = path.join(home, 'settings.json.lock');
    const w = worker('hold', file);
    expect(await w.line).toBe('held');
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number };
    expect(holder.pid).toBe(w.child.pid);
    w.child.kill('SIGKILL');
    await w.exit;
    const t = Date.now();
    // The lock file is fresh (not aged out): only the dead pid says it is stale.
    const got = await withLock(file, 'test', async () => 'taken', { timeoutMs: 5_000, staleMs: 60_000 });
    expect(got).toBe('taken');
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(fs.existsSync(file)).toBe(false);
  }, 30_000);

  it('recovers a lock left untouched past the bound, even if its pid is alive (reused)', async () => {
    const file = path.join(home, 'journal', '.lock');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // pid 1 is always alive: a reused pid; the lock has not been touched for a minute.
    fs.writeFileSync(
      file,
      JSON.stringify({ pid: 1, host: os.hostname(), what: 'x', since: 'then', token: 'old' }),
    );
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const release = await acquireLock(file, 'test', { timeoutMs: 2_000, staleMs: 30_000 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
    await release();
  });

  it('says which process holds the lock when it cannot be taken in time', async () => {
    const file = path.join(home, 'library', '.lock');
    const w = worker('hold', file);
    expect(await w.line).toBe('held');
    const err = await withLock(file, 'library add', async () => 'no', { timeoutMs: 400 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FlashbackError);
    const fe = err as FlashbackError;
    expect(fe.code).toBe('DATA_BUSY');
    expect(fe.kind).toBe('usage');
    expect(fe.message).toContain(`process ${w.child.pid}`);
    expect(fe.message).toContain('holding for a test');
    expect(fe.hint).toContain(file);
    // A live holder keeps touching its lock: still held well past a short stale bound.
    await new Promise((r) => setTimeout(r, 3_000));
    const again = await withLock(file, 'x', async () => 'no', { timeoutMs: 300, staleMs: 2_500 }).catch(
      (e: unknown) => (e as FlashbackError).code,
    );
    expect(again).toBe('DATA_BUSY');
  }, 30_000);
});
