import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/main.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let goodFile: string;
let badFile: string;

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cli-'));
  process.env.FLASHBACK_HOME = dir;
  goodFile = path.join(dir, 'good.bin');
  badFile = path.join(dir, 'bad.bin');
  fs.writeFileSync(goodFile, buildDemoImage('good'));
  fs.writeFileSync(badFile, buildDemoImage('bad'));
});
afterAll(() => {
  delete process.env.FLASHBACK_HOME;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('flashback inspect', () => {
  it('--json prints the DESIGN.md keys', async () => {
    const r = await cli('inspect', badFile, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.header).toMatchObject({
      magic: 0xe9,
      entry: expect.any(Number),
      flashMode: 'qio',
      flashSize: 4194304,
      flashFreq: '40m',
      checksumOk: true,
    });
    expect(j.family).toBe('arduino');
    expect(j.regions[0]).toEqual(
      expect.objectContaining({ name: 'eboot', start: 0, size: 4096, state: 'data' }),
    );
    expect(j.rfInitData).toBeNull(); // Arduino core: PHY init data is inside the firmware
    expect(j.rfCal).toMatchObject({ offset: 0x3fc000, state: 'data' });
    expect(j.wifiCredentials).toEqual({ present: true, ssid: 'FlashbackLab' });
    expect(r.stdout).not.toContain('demo-password');
  });

  it('prints a readable summary and fails with one line for a missing file', async () => {
    const ok = await cli('inspect', goodFile);
    expect(ok.stdout).toMatch(/Family: arduino/);
    expect(ok.stdout).toMatch(/SSID "FlashbackLab"/);
    const bad = await cli('inspect', path.join(dir, 'missing.bin'));
    expect(bad.code).toBe(2); // a missing file is a setup error (exit-code table)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/No such image file/);
  });
});

describe('flashback compare (files and library ids)', () => {
  it('points at the RF calibration sector', async () => {
    const r = await cli('compare', goodFile, badFile, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.sectorSize).toBe(4096);
    expect(j.sectors).toHaveLength(1024);
    expect(j.regions.find((x: { name: string }) => x.name === 'rf-cal').diffSectors).toBe(1);
    expect(j.findings[0]).toMatchObject({ severity: 'suspicious', region: 'rf-cal' });
  });
});

describe('flashback library', () => {
  it('lists, shows, renames, exports (scrubbed) and removes images', async () => {
    const { Library } = await import('../../main/library/index.js');
    const entry = await new Library().add(fs.readFileSync(goodFile), { label: 'good' });
    const id = entry.id.slice(0, 8);
    const list = JSON.parse((await cli('library', 'list', '--json')).stdout);
    expect(list.images.map((m: { id: string }) => m.id)).toEqual([entry.id]);
    expect((await cli('library', 'rename', id, 'golden')).code).toBe(0);
    expect(JSON.parse((await cli('library', 'show', id, '--json')).stdout).label).toBe('golden');
    const out = path.join(dir, 'share.bin');
    const ex = JSON.parse((await cli('library', 'export', id, out, '--scrub', '--json')).stdout);
    expect(ex.scrubbed).toEqual([0x3fd000]);
    expect(fs.readFileSync(out).includes('demo-password-123')).toBe(false);
    // compare accepts library ids too
    expect(JSON.parse((await cli('compare', id, badFile, '--json')).stdout).counts.diff).toBe(3);
    expect((await cli('library', 'rm', id)).code).toBe(0);
    expect(JSON.parse((await cli('library', 'list', '--json')).stdout).images).toEqual([]);
  });

  it('prints a label with terminal escape sequences as visible text, never obeyed', async () => {
    const { Library } = await import('../../main/library/index.js');
    const entry = await new Library().add(fs.readFileSync(badFile), { label: 'x' });
    const id = entry.id.slice(0, 8);
    const evil = 'ok\u001b]0;pwned\u0007\u001b[2Jgone';
    expect((await cli('library', 'rename', id, evil)).code).toBe(0);
    const list = await cli('library', 'list');
    expect(list.stdout).not.toMatch(/[\u001b\u0007]/);
    expect(list.stdout).toContain('ok\\x1b]0;pwned\\x07\\x1b[2Jgone');
    // the stored label and --json keep the exact text (JSON escapes it)
    expect(JSON.parse((await cli('library', 'show', id, '--json')).stdout).label).toBe(evil);
    expect((await cli('library', 'rm', id)).code).toBe(0);
  });

  it('refuses a corrupt library image from the real binary with exit 1 and a hint', async () => {
    const { Library } = await import('../../main/library/index.js');
    const libDir = path.join(dir, 'lib2');
    const entry = await new Library(libDir).add(fs.readFileSync(badFile));
    const bytes = fs.readFileSync(entry.file);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    fs.writeFileSync(entry.file, bytes);
    const r = spawnSync(
      process.execPath,
      ['bin/flashback.mjs', 'library', 'show', entry.id.slice(0, 6), '--library', libDir],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, FLASHBACK_HOME: dir },
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/corrupt.*Do not restore/);
  });

  it('rejects an unknown action with usage', async () => {
    const r = await cli('library', 'frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage/);
  });
});
