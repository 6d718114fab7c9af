/**
 * The desktop package, built for real: electron-builder's `--dir` target for linux x64 against a
 * stand-in Electron distribution (`electronDist`: a file carrying Electron's fuse wire, so nothing is
 * downloaded), then the packed tree is checked: the compiled shell and production UI in app.asar,
 * serialport's native binding unpacked and loadable, the flasher stub found by the packed code at run
 * time (the packed CLI backs up a sector of a virtual board, which needs the stub), no dev dependencies, the fuses
 * flipped, the licences shipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../bin/build.mjs';
import { Asar } from '../support/asar.js';
import { pageContentSecurityPolicy } from '../../main/csp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-package-'));
const out = path.join(tmp, 'release');
const unpackedDir = path.join(out, 'linux-unpacked');
const resources = path.join(unpackedDir, 'resources');
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's shipped fuse states, in @electron/fuses' V1 order: RunAsNode, CookieEncryption,
// NodeOptions, NodeCliInspect, AsarIntegrity, OnlyLoadAppFromAsar, BrowserV8Snapshot, FileProtocol.
const STOCK_FUSES = '10110001';

/** The Electron version to package for: the installed optional package, else the declared one. */
function electronVersion(): string {
  try {
    return (createRequire(import.meta.url)('electron/package.json') as { version: string }).version;
  } catch {
    return pkg.optionalDependencies.electron!.replace(/^[^\d]*/, '');
  }
}

function fuseWire(file: string): string {
  const b = fs.readFileSync(file);
  const at = b.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
  return b.subarray(at + 2, at + 2 + b[at + 1]!).toString('latin1');
}

let asar: Asar;
let files: Map<string, { size: number; unpacked: boolean }>;

beforeAll(async () => {
  await ensureBuilt({ node: true, renderer: true });
  // What electron-builder needs of a linux x64 Electron distribution: the `electron` executable (renamed
  // to the product's executableName); the fuse wire is what the afterPack hook edits.
  const fakeDist = path.join(tmp, 'electron-dist');
  fs.mkdirSync(fakeDist);
  fs.writeFileSync(
    path.join(fakeDist, 'electron'),
    Buffer.concat([
      Buffer.from('stand-in for the Electron binary\n'),
      Buffer.from(FUSE_SENTINEL),
      Buffer.from([1, STOCK_FUSES.length]),
      Buffer.from(STOCK_FUSES),
    ]),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(fakeDist, 'LICENSE'), 'stand-in\n');
  const r = spawnSync(
    process.execPath,
    [
      path.join(repo, 'node_modules', 'electron-builder', 'cli.js'),
      '--dir',
      '--linux',
      '--x64',
      '--config',
      'electron-builder.yml',
      `-c.electronDist=${fakeDist}`,
      `-c.electronVersion=${electronVersion()}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: '1' } },
  );
  if (r.status !== 0) throw new Error(`electron-builder failed:\n${r.stdout}\n${r.stderr}`);
  asar = new Asar(path.join(resources, 'app.asar'));
  files = new Map(asar.list().map((f) => [f.path, f]));
}, 240_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes the archive plus its unpacked files into one folder, as Electron's asar support presents them. */
function extract(): string {
  const dir = path.join(tmp, 'extracted');
  if (fs.existsSync(dir)) return dir;
  for (const f of asar.list()) {
    if (f.unpacked) continue;
    fs.mkdirSync(path.join(dir, path.dirname(f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), asar.read(f.path));
  }
  fs.cpSync(path.join(resources, 'app.asar.unpacked'), dir, { recursive: true });
  return dir;
}

describe('desktop package (electron-builder --dir, linux x64, stand-in Electron)', () => {
  it('packs the compiled shell with every chunk it imports, pointed to by package.json', () => {
    const packed = JSON.parse(asar.read('package.json').toString('utf8')) as {
      main: string;
      version: string;
    };
    expect(packed.main).toBe('dist/app/main.js');
    expect(packed.version).toBe(pkg.version);
    expect(files.has('dist/app/main.js')).toBe(true);
    expect(files.has('dist/app/preload.cjs')).toBe(true);
    const seen = new Set<string>();
    const follow = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      expect(files.has(file), `${file} is in app.asar`).toBe(true);
      const src = asar.read(file).toString('utf8');
      for (const m of src.matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g))
        follow(path.posix.join(path.posix.dirname(file), m[1]!));
    };
    follow('dist/app/main.js');
    expect(seen.size).toBeGreaterThan(2);
    // No TypeScript sources, tests or source maps.
    expect(
      [...files.keys()].filter((f) => /^(main|app|renderer|test)\//.test(f) || f.endsWith('.map')),
    ).toEqual([]);
  });

  it('packs the production build of the UI, with every asset index.html loads', () => {
    const info = JSON.parse(asar.read('dist-renderer/build-info.json').toString('utf8')) as { mode: string };
    expect(info.mode).toBe('production');
    const html = asar.read('dist-renderer/index.html').toString('utf8');
    // The build writes main/csp.ts's policy into the page, ahead of every script.
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta?.[1]?.replaceAll('&#39;', "'")).toBe(pageContentSecurityPolicy());
    expect(meta!.index).toBeLessThan(html.indexOf('<script'));
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `dist-renderer/${m[1]}`);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const a of assets) expect(files.has(a), `${a} is in app.asar`).toBe(true);
    const js = assets.filter((a) => a.endsWith('.js')).map((a) => asar.read(a).toString('utf8'));
    // React's development build carries these checks; the production build does not.
    expect(js.join('').includes('react-stack-bottom-frame')).toBe(false);
  });

  it("keeps serialport's native binding outside the archive, where it loads", () => {
    const rel =
      'node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node';
    expect(files.get(rel)?.unpacked).toBe(true);
    const onDisk = path.join(resources, 'app.asar.unpacked', rel);
    expect(fs.existsSync(onDisk)).toBe(true);
    const binding = createRequire(import.meta.url)(onDisk) as Record<string, unknown>;
    expect(typeof binding.open).toBe('function');
    expect(
      [...files.values()].length > 0 &&
        [...files.entries()].filter(([p, f]) => p.endsWith('.node') && !f.unpacked).map(([p]) => p),
    ).toEqual([]);
  });

  it('ships the flasher stub where the packed code finds it at run time (a backup uploads it)', () => {
    const stubPath = 'node_modules/esptool-js/lib/targets/stub_flasher/esp8266.json';
    expect(asar.read(stubPath).equals(fs.readFileSync(path.join(repo, stubPath)))).toBe(true);
    const dir = extract();
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { main } = await import(${JSON.stringify(path.join(dir, 'dist/cli.js'))}); process.exitCode = await main(${JSON.stringify(args)});`,
        ],
        { cwd: tmp, encoding: 'utf8', env: { ...process.env, FLASHBACK_HOME: home } },
      );
    // Reading flash needs the stub (the ROM loader alone refuses reads), so this backup only succeeds when
    // the packed code found esptool-js's stub file and uploaded it.
    const dump = path.join(tmp, 'first-sector.bin');
    const backup = run(
      'backup',
      '--port',
      'virtual:good',
      '--offset',
      '0',
      '--size',
      '4096',
      '--no-library',
      '--out',
      dump,
      '--json',
    );
    expect(backup.stderr).not.toMatch(/stub could not be loaded/);
    expect(backup.status, backup.stderr).toBe(0);
    expect(fs.statSync(dump).size).toBe(4096);
    expect(fs.readFileSync(dump)[0]).toBe(0xe9); // the image magic of the demo board's bootloader
    // serialport through its JavaScript, from the unpacked folder.
    const ports = run('ports', '--json');
    expect(ports.status).toBe(0);
    expect((JSON.parse(ports.stdout) as { ports: unknown[] }).ports.length).toBeGreaterThanOrEqual(2);
  });

  it('ships no dev dependency (and no Electron package)', () => {
    const top = new Set(
      [...files.keys()]
        .filter((f) => f.startsWith('node_modules/'))
        .map((f) =>
          f
            .split('/')
            .slice(1, f.split('/')[1]!.startsWith('@') ? 3 : 2)
            .join('/'),
        ),
    );
    for (const dep of Object.keys(pkg.dependencies)) expect(top.has(dep), `${dep} is shipped`).toBe(true);
    const dev = [...Object.keys(pkg.devDependencies), 'electron'].filter((d) => top.has(d));
    expect(dev).toEqual([]);
  });

  it('flips the Electron fuses in the packaged binary', () => {
    // RunAsNode off, cookie encryption on, NODE_OPTIONS and --inspect off, app only from app.asar.
    expect(fuseWire(path.join(unpackedDir, 'flashback'))).toBe('01000101');
  });

  it('ships the licences: LICENSE, NOTICE, and Espressif init data beside its licence', () => {
    expect(asar.read('LICENSE').toString('utf8')).toMatch(/^MIT License/);
    expect(asar.read('NOTICE').toString('utf8')).toMatch(/esptool-js/);
    const espressif = [...files.keys()].filter((f) => f.startsWith('resources/esp8266/'));
    if (espressif.some((f) => f.endsWith('.bin')))
      expect(espressif).toContain('resources/esp8266/ESPRESSIF-LICENSE');
  });
});
