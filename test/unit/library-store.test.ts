import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '../support/errors.js';
import { Library, resolveImage } from '../../main/library/index.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../main/atomic-file.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';

let dir: string;
let lib: Library;
const good = buildDemoImage('good', 1024 * 1024);
const sha = createHash('sha256').update(good).digest('hex');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-lib-'));
  process.env.FLASHBACK_HOME = dir;
  lib = new Library(path.join(dir, 'library'));
});
afterEach(() => {
  delete process.env.FLASHBACK_HOME;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Library', () => {
  it('stores by sha256 with a sidecar and returns verified bytes', async () => {
    const e = await lib.add(good, {
      label: 'good board',
      chip: 'ESP8266EX',
      mac: 'aa:bb:cc:dd:ee:ff',
      sourcePort: 'virtual:good',
      flash: { jedecId: 0x1640ef, size: 1 << 20 },
    });
    expect(e.id).toBe(sha);
    expect(e.file).toBe(path.join(dir, 'library', `${sha}.bin`));
    expect(fs.readFileSync(e.file).equals(Buffer.from(good))).toBe(true);
    const side = JSON.parse(fs.readFileSync(path.join(dir, 'library', `${sha}.json`), 'utf8'));
    expect(side).toMatchObject({
      sha256: sha,
      md5: createHash('md5').update(good).digest('hex'),
      size: good.length,
      label: 'good board',
      flashId: '0x1640EF',
      flashSize: 1 << 20,
      containsCredentials: true,
      ssid: 'FlashbackLab',
      layout: { family: 'arduino' },
    });
    expect(JSON.stringify(side)).not.toContain('demo-password');
    const got = await lib.get(sha.slice(0, 6));
    expect(Buffer.from(got.bytes).equals(Buffer.from(good))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'library')).sort()).toEqual([`${sha}.bin`, `${sha}.json`]); // no temp files left
  });

  it('defaults to the data folder and deduplicates', async () => {
    const def = new Library();
    expect(def.dir).toBe(path.join(dir, 'library'));
    const a = await def.add(good, { label: 'first' });
    const b = await def.add(good, { label: 'second' });
    expect(b.id).toBe(a.id);
    expect((await def.list()).length).toBe(1);
  });

  it('lists newest first, renames and removes', async () => {
    const other = good.slice();
    other[0x3fd00] = 1;
    await lib.add(good, { created: '2025-01-01T00:00:00.000Z' });
    const newer = await lib.add(other, { created: '2026-01-01T00:00:00.000Z' });
    expect((await lib.list()).map((m) => m.id)).toEqual([newer.id, sha]);
    expect((await lib.rename(sha.slice(0, 8), 'renamed')).label).toBe('renamed');
    expect((await lib.show(sha)).label).toBe('renamed');
    expect(await lib.remove(newer.id)).toBe(newer.id);
    expect((await lib.list()).map((m) => m.id)).toEqual([sha]);
    expect((await errorOf(lib.get(newer.id))).code).toBe('LIBRARY_NOT_FOUND');
  });

  it('refuses a stored image with one flipped byte', async () => {
    const e = await lib.add(good);
    const fd = fs.openSync(e.file, 'r+');
    fs.writeSync(fd, Buffer.from([good[0x1234]! ^ 0x01]), 0, 1, 0x1234);
    fs.closeSync(fd);
    const err = await errorOf(lib.get(sha));
    expect(err.code).toBe('LIBRARY_CORRUPT');
    expect(err.message).toMatch(/sha256/);
    expect(err.hint).toMatch(/Do not restore/);
    expect((await errorOf(lib.export(sha, path.join(dir, 'out.bin')))).code).toBe('LIBRARY_CORRUPT');
    expect(fs.existsSync(path.join(dir, 'out.bin'))).toBe(false);
  });

  it('refuses a truncated image and a missing image file', async () => {
    const e = await lib.add(good);
    fs.truncateSync(e.file, 4096);
    expect((await errorOf(lib.get(sha))).message).toMatch(/truncated/);
    fs.rmSync(e.file);
    expect((await errorOf(lib.get(sha))).code).toBe('LIBRARY_CORRUPT');
    // Adding the image again repairs the entry.
    await lib.add(good);
    expect((await lib.get(sha)).meta.id).toBe(sha);
  });

  it('rejects short, non-hex and ambiguous ids', async () => {
    await lib.add(good);
    expect((await errorOf(lib.get('abc'))).code).toBe('BAD_ARGUMENT');
    expect((await errorOf(lib.get('zzzzzzzz'))).code).toBe('BAD_ARGUMENT');
    // Two ids sharing a 6-digit prefix: plant a second sidecar name to force ambiguity.
    // Differs from the real id from its 7th digit on, so 7 digits are unique again.
    const twin = sha.slice(0, 6) + (sha[6] === 'f' ? 'e' : 'f').repeat(58);
    fs.writeFileSync(path.join(dir, 'library', `${twin}.json`), '{}');
    expect((await errorOf(lib.get(sha.slice(0, 6)))).message).toMatch(/ambiguous/);
    expect((await lib.get(sha.slice(0, 7))).meta.id).toBe(sha);
  });

  it('exports plain and scrubbed copies', async () => {
    await lib.add(good);
    const plain = await lib.export(sha, path.join(dir, 'plain.bin'));
    expect(plain.sha256).toBe(sha);
    const s = await lib.export(sha, path.join(dir, 'shared.bin'), { scrub: true });
    expect(s.scrubbed).toEqual([0xfd000]);
    const out = fs.readFileSync(path.join(dir, 'shared.bin'));
    expect(out.length).toBe(good.length);
    expect(out.includes('demo-password-123')).toBe(false);
    expect(out.subarray(0xfd000, 0xfe000).every((b) => b === 0xff)).toBe(true); // station config gone
    expect(out.subarray(0, 0xfd000).equals(Buffer.from(good.subarray(0, 0xfd000)))).toBe(true);
  });
});

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (f: string, d: Uint8Array | string) => writeFileAtomicSync(f, d)],
])('%s', (_name, write) => {
  it('replaces the whole file or leaves the old one', async () => {
    const f = path.join(dir, 'x.bin');
    await write(f, 'old');
    await write(f, new Uint8Array([110, 101, 119]));
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
    // A write into a folder that cannot be created fails without touching the target.
    fs.writeFileSync(path.join(dir, 'blocker'), '');
    await expect(write(path.join(dir, 'blocker', 'y.bin'), 'x')).rejects.toThrow();
    // A rename that fails (the target is a folder) keeps the folder and leaves no temp file.
    fs.mkdirSync(path.join(dir, 'taken'));
    await expect(write(path.join(dir, 'taken'), 'x')).rejects.toThrow();
    expect(fs.statSync(path.join(dir, 'taken')).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('resolveImage', () => {
  it('takes a file path or a library id', async () => {
    const f = path.join(dir, 'img.bin');
    fs.writeFileSync(f, good);
    const fromFile = await resolveImage(f);
    expect(fromFile).toMatchObject({ kind: 'file', source: f, libraryId: null });
    await lib.add(good);
    const fromLib = await resolveImage(sha.slice(0, 10), lib.dir);
    expect(fromLib).toMatchObject({ kind: 'library', libraryId: sha, sha256: sha });
    expect(Buffer.from(fromLib.bytes).equals(Buffer.from(good))).toBe(true);
    expect((await errorOf(resolveImage(path.join(dir, 'nope.bin')))).code).toBe('FILE_NOT_FOUND');
  });
});
