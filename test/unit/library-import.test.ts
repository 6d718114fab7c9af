import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDump, validateDump } from '../../main/library/import.js';
import { Library } from '../../main/library/library.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';

const MB = 1024 * 1024;
const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'flashback-import-'));

describe('library import: validation of an old read_flash dump', () => {
  it('accepts a whole-flash dump and says what it holds', () => {
    expect(validateDump(buildDemoImage('good', MB), 'd.bin')).toEqual([
      'Holds Whole-flash dump (Arduino core firmware).',
    ]);
  });

  it.each([
    [
      'a size that is no flash size',
      () => new Uint8Array(300_000).fill(1),
      /300000 bytes is not a flash size/,
    ],
    ['an erased chip', () => new Uint8Array(MB).fill(0xff), /every byte is 0xFF/],
    ['a read that returned zeros', () => new Uint8Array(MB), /every byte is 0x00/],
  ])('refuses %s', (_name, make, message) => {
    expect(() => validateDump(make(), 'd.bin')).toThrow(message);
  });

  it('refuses a 1 MB chip read as 4 MB (the dump repeats), naming the real size', () => {
    const one = buildDemoImage('good', MB);
    const four = new Uint8Array(4 * MB);
    for (let i = 0; i < 4; i++) four.set(one, i * MB);
    expect(() => validateDump(four, 'd.bin')).toThrow(/repeats every 1MB: a 1MB chip read as 4MB/);
  });

  it('stores it under its sha256 with the label and credentials noted; a second import is the same entry', async () => {
    const lib = new Library(tmp());
    const dump = buildDemoImage('good', MB);
    const r = await importDump(lib, dump, { name: 'old.bin', label: 'shelf ESP-01' });
    expect(r.entry).toMatchObject({
      label: 'shelf ESP-01',
      size: MB,
      flashSize: MB,
      sourcePort: 'import:old.bin',
    });
    expect(r.entry.layout?.family).toBe('arduino');
    expect(r.notes.join(' ')).toMatch(/SSID "FlashbackLab"/);
    expect(r.alreadyPresent).toBe(false);
    const again = await importDump(lib, dump, { name: 'old.bin' });
    expect(again.entry.id).toBe(r.entry.id);
    expect(again.alreadyPresent).toBe(true);
    // A new label on the same bytes is not silently dropped: the note says what was kept and how to change it.
    const relabel = await importDump(lib, dump, { name: 'old.bin', label: 'drawer' });
    expect(relabel.entry.label).toBe('shelf ESP-01');
    expect(relabel.notes[0]).toMatch(/Already in the library as "shelf ESP-01".*library rename/);
    expect((await lib.list()).length).toBe(1);
  });

  it('a copy damaged on disk is not "already present": the import stores it again with the label given', async () => {
    const dir = tmp();
    const lib = new Library(dir);
    const dump = buildDemoImage('good', MB);
    const r = await importDump(lib, dump, { name: 'old.bin', label: 'shelf ESP-01' });
    const bin = path.join(dir, `${r.entry.id}.bin`);
    const damaged = fs.readFileSync(bin);
    damaged[0x2000] = damaged[0x2000]! ^ 0xff;
    fs.writeFileSync(bin, damaged);
    const again = await importDump(lib, dump, { name: 'old.bin', label: 'drawer' });
    expect(again.alreadyPresent).toBe(false);
    expect(again.entry.label).toBe('drawer');
    expect(again.notes.join(' ')).not.toMatch(/Already in the library/);
    expect((await lib.get(r.entry.id)).bytes).toEqual(dump);
  });

  it('works from the CLI, and fails with one line and nothing imported for a bad file', () => {
    const dir = tmp();
    const file = path.join(dir, 'esp01.bin');
    fs.writeFileSync(file, buildDemoImage('bad', MB));
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin/flashback.mjs'), 'library', ...args, '--library', path.join(dir, 'lib')],
        {
          encoding: 'utf8',
          env: { ...process.env, FLASHBACK_HOME: dir },
        },
      );
    const ok = run('import', file, '--label', 'ESP-01 from the drawer', '--json');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ label: 'ESP-01 from the drawer', size: MB });
    const badFile = path.join(dir, 'half.bin');
    fs.writeFileSync(badFile, new Uint8Array(1000));
    const bad = run('import', badFile);
    expect(bad.status).toBe(2); // a file that is not a dump is bad input (exit-code table: 2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/not a whole-flash dump.*nothing was imported/);
    expect(JSON.parse(run('list', '--json').stdout).images).toHaveLength(1);
  });
});
