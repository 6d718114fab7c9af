/**
 * `library list` never hides or whitewashes a damaged entry (issue 11, item 10): a broken sidecar is
 * listed as corrupt, a truncated image as corrupt with "rm" advice, an intact image without sidecar as
 * "metadata missing" with `library repair` (never rm) — through the real CLI binary, in --json, and in
 * the workbench's library.list. `library repair` rebuilds the sidecar of an intact image only.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { runCli } from '../support/run-cli.js';

const home = useTempHome('fb-libhealth-');
const { Library } = await import('../../main/library/library.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { WorkbenchService } = await import('../../main/workbench/service.js');
const { createRealDeps } = await import('../../main/workbench/real-deps.js');
const { dispatch } = await import('../../main/workbench/dispatch.js');

const dir = path.join(home, 'library');
const lib = new Library(dir);
const ids: Record<'intact' | 'badField' | 'torn' | 'truncated' | 'noSidecar' | 'noSidecarBad', string> = {
  intact: '',
  badField: '',
  torn: '',
  truncated: '',
  noSidecar: '',
  noSidecarBad: '',
};
const short = (k: keyof typeof ids) => ids[k].slice(0, 12);
const sidecar = (k: keyof typeof ids) => path.join(dir, `${ids[k]}.json`);
const bin = (k: keyof typeof ids) => path.join(dir, `${ids[k]}.bin`);

beforeAll(async () => {
  let n = 0;
  for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
    const img = buildDemoImage('good', 1024 * 1024);
    img[0x3fd00] = ++n; // distinct content, distinct id
    ids[k] = (
      await lib.add(img, {
        label: `board ${k}`,
        created: `2026-01-0${n}T00:00:00.000Z`,
        mac: '18:fe:34:00:00:01',
      })
    ).id;
  }
  // Valid JSON, one field wrong: the label is still the user's and survives a repair.
  const side = JSON.parse(fs.readFileSync(sidecar('badField'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(sidecar('badField'), JSON.stringify({ ...side, md5: 42 }));
  fs.writeFileSync(sidecar('torn'), fs.readFileSync(sidecar('torn'), 'utf8').slice(0, 50));
  fs.truncateSync(bin('truncated'), 300 * 1024);
  fs.rmSync(sidecar('noSidecar'));
  fs.rmSync(sidecar('noSidecarBad'));
  fs.truncateSync(bin('noSidecarBad'), 4096);
});

describe('library list through the CLI', () => {
  it('lists every entry, the damaged ones as such with the command that fixes them', () => {
    const r = runCli(home, 'library', 'list');
    expect(r.code).toBe(0);
    const lineOf = (k: keyof typeof ids) => r.stdout.split('\n').find((l) => l.startsWith(short(k))) ?? '';
    expect(lineOf('intact')).toContain('board intact');
    expect(lineOf('intact')).not.toMatch(/CORRUPT|MISSING/);
    expect(lineOf('badField')).toMatch(/CORRUPT: its metadata file is invalid \(md5/);
    expect(lineOf('badField')).toContain(`flashback library repair ${short('badField')}`);
    expect(lineOf('torn')).toMatch(/CORRUPT: its metadata file is not JSON/);
    expect(lineOf('torn')).toContain(`flashback library repair ${short('torn')}`);
    expect(lineOf('truncated')).toMatch(/CORRUPT: it is 307200 bytes, expected 1048576 \(truncated\)/);
    expect(lineOf('truncated')).toContain(`flashback library rm ${short('truncated')}`);
    expect(lineOf('truncated')).toContain('back the board up again');
    expect(lineOf('noSidecar')).toMatch(/METADATA MISSING: .*the image is intact/);
    expect(lineOf('noSidecar')).toContain(`flashback library repair ${short('noSidecar')}`);
    expect(lineOf('noSidecar')).not.toContain('library rm');
    expect(lineOf('noSidecarBad')).toMatch(/CORRUPT: .*does not match its sha256/);
    expect(lineOf('noSidecarBad')).toContain(`flashback library rm ${short('noSidecarBad')}`);
  });

  it('says the same in --json', () => {
    const r = runCli(home, 'library', 'list', '--json');
    expect(r.code).toBe(0);
    const images = (
      r.json as { images: { id: string; status: string; next: string | null; label?: string }[] }
    ).images;
    const of = (k: keyof typeof ids) => images.find((i) => i.id === ids[k]);
    expect(images).toHaveLength(6);
    expect(of('intact')).toMatchObject({ status: 'ok', next: null, label: 'board intact' });
    expect(of('badField')).toMatchObject({
      status: 'corrupt',
      next: `flashback library repair ${short('badField')}`,
    });
    expect(of('truncated')).toMatchObject({ status: 'corrupt', label: 'board truncated' });
    expect(of('truncated')!.next).toContain('library rm');
    expect(of('noSidecar')).toMatchObject({
      status: 'metadata-missing',
      next: `flashback library repair ${short('noSidecar')}`,
    });
  });

  it('listing a folder that does not exist creates nothing', () => {
    const none = path.join(home, 'no', 'such', 'library');
    const r = runCli(home, 'library', 'list', '--library', none);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No images');
    expect(fs.existsSync(path.join(home, 'no'))).toBe(false);
  });

  it('show of an image without metadata points to repair, not rm', () => {
    const r = runCli(home, 'library', 'show', short('noSidecar'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`flashback library repair ${short('noSidecar')}`);
    expect(r.stderr).not.toContain('library rm');
  });
});

describe('library.list in the workbench', () => {
  const svc = new WorkbenchService(createRealDeps({ broker: null }), { shell: 'browser', pollMs: 0 });
  afterAll(() => svc.close());

  it('returns the damaged entries flagged, with the next step', async () => {
    const r = await dispatch(svc, 'library.list', {});
    expect(r.ok).toBe(true);
    const list = (
      r as { value: { id: string; label: string; damaged?: { kind: string; next: string; fix: string } }[] }
    ).value;
    expect(list).toHaveLength(6);
    const of = (k: keyof typeof ids) => list.find((e) => e.id === ids[k])!;
    expect(of('intact').damaged).toBeUndefined();
    expect(of('truncated').damaged).toMatchObject({ kind: 'corrupt' });
    expect(of('truncated').damaged!.next).toContain('library rm');
    expect(of('torn').damaged).toMatchObject({
      kind: 'corrupt',
      next: `flashback library repair ${short('torn')}`,
    });
    expect(of('noSidecar').damaged).toMatchObject({ kind: 'metadata-missing' });
    expect(of('noSidecar').damaged!.next).not.toContain('rm');
    expect(of('noSidecar').damaged!.fix).toBe('repair');
    expect(of('truncated').damaged!.fix).toBe('rm');
  });

  it("library.repair rebuilds an intact image's metadata and refuses a changed image", async () => {
    const r = await dispatch(svc, 'library.repair', { id: short('torn') });
    expect(r).toMatchObject({ ok: true, value: { id: ids.torn } });
    const bad = await dispatch(svc, 'library.repair', { id: short('truncated') });
    expect(bad).toMatchObject({ ok: false, error: { code: 'LIBRARY_CORRUPT' } });
    const list = await dispatch(svc, 'library.list', {});
    const torn = (list as { value: { id: string; damaged?: unknown }[] }).value.find(
      (e) => e.id === ids.torn,
    );
    expect(torn?.damaged).toBeUndefined();
  });
});

describe('library repair', () => {
  it('rebuilds the sidecar of an intact image, keeping what the old one still said', () => {
    const r = runCli(home, 'library', 'repair', short('badField'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rebuilt the metadata/);
    const side = JSON.parse(fs.readFileSync(sidecar('badField'), 'utf8')) as Record<string, unknown>;
    const bytes = fs.readFileSync(bin('badField'));
    expect(side).toMatchObject({
      id: ids.badField,
      label: 'board badField',
      mac: '18:fe:34:00:00:01',
      md5: createHash('md5').update(bytes).digest('hex'),
      size: bytes.length,
    });
    expect(runCli(home, 'library', 'repair', short('noSidecar')).code).toBe(0);
    expect(runCli(home, 'library', 'show', short('noSidecar')).code).toBe(0);
    const again = runCli(home, 'library', 'repair', short('intact'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to repair/);
    const list = runCli(home, 'library', 'list', '--json').json as {
      images: { id: string; status: string }[];
    };
    const ok = list.images.filter((i) => i.status === 'ok').map((i) => i.id);
    expect(ok).toEqual(expect.arrayContaining([ids.intact, ids.badField, ids.noSidecar]));
  });

  it('refuses an image that no longer matches its sha256, and says to remove it', () => {
    for (const k of ['truncated', 'noSidecarBad'] as const) {
      const r = runCli(home, 'library', 'repair', short(k));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`flashback library rm ${short(k)}`);
    }
    expect(fs.existsSync(sidecar('noSidecarBad'))).toBe(false); // nothing made up for it
  });
});
