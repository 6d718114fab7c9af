/**
 * The built CLI: bin/flashback.mjs runs dist/cli.js, rebuilds a build whose sources changed (saying so)
 * and refuses, with the command to run, when it cannot rebuild. Driven in a throw-away copy of the
 * build scripts with a one-line CLI, so the repository's own dist/ is never touched. Plus the real CLI:
 * its version comes from package.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as BuildScript from '../../bin/build.mjs';

type BuildModule = typeof BuildScript;

const repo = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-build-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string, mtime?: Date): void {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  if (mtime) fs.utimesSync(p, mtime, mtime);
}
const cliSource = (word: string) =>
  `import { helper } from '../helper.js';\nexport async function main(argv: string[]): Promise<number> {\n  process.stdout.write(helper('${word}') + ' ' + argv.join(',') + '\\n');\n  return 3;\n}\n`;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(dir, 'bin/flashback.mjs'), ...args], { encoding: 'utf8' });

for (const f of ['bin/build.mjs', 'bin/flashback.mjs', 'tsconfig.json'])
  write(f, fs.readFileSync(path.join(repo, f), 'utf8'));
write('package.json', JSON.stringify({ name: 'flashback', version: '9.9.9', type: 'module' }));
write('main/helper.ts', 'export const helper = (s: string): string => `<${s}>`;\n');
write('main/cli/main.ts', cliSource('one'));
write('app/main.ts', 'export {};\n');
write('app/preload.cts', 'export {};\n');
fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));

describe('bin/flashback.mjs and the build', () => {
  it('builds on first use, saying so, then runs the compiled code with its exit code', () => {
    const r = run('a', 'b');
    expect(r.stderr).toMatch(/^flashback: dist\/ has not been built; rebuilding…$/m);
    expect(r.stdout).toBe('<one> a,b\n');
    expect(r.status).toBe(3);
    expect(fs.existsSync(path.join(dir, 'dist/cli.js'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'dist/app/preload.cjs'))).toBe(true);
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'dist/build-info.json'), 'utf8')) as {
      inputs: string[];
    };
    expect(info.inputs).toEqual(
      expect.arrayContaining(['main/cli/main.ts', 'main/helper.ts', 'app/main.ts']),
    );
  });

  it('runs a current build without rebuilding', () => {
    const r = run('x');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('<one> x\n');
  });

  it('rebuilds when a source the build came from is newer than the build (also an imported one)', () => {
    const later = new Date(Date.now() + 5000);
    write('main/helper.ts', 'export const helper = (s: string): string => `[${s}]`;\n', later);
    let r = run();
    expect(r.stderr).toMatch(/main\/helper\.ts changed since dist\/ was built; rebuilding…/);
    expect(r.stdout).toBe('[one] \n');
    write('main/cli/main.ts', cliSource('two'), new Date(Date.now() + 10_000));
    r = run();
    expect(r.stderr).toMatch(/main\/cli\/main\.ts changed since dist\/ was built/);
    expect(r.stdout).toBe('[two] \n');
  });

  it('refuses to run a stale build it cannot rebuild, naming what to run', () => {
    fs.unlinkSync(path.join(dir, 'node_modules'));
    write('main/cli/main.ts', cliSource('three'), new Date(Date.now() + 20_000));
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/main\/cli\/main\.ts changed since dist\/ was built/);
    expect(r.stderr).toMatch(/cannot run: .*run `npm ci`.*`npm run build`/);
  });

  it('treats a development-mode UI bundle as stale (npm start and serve never serve one)', async () => {
    write('dist-renderer/build-info.json', JSON.stringify({ mode: 'development', inputs: [] }));
    const { rendererBuildStale } = (await import(path.join(dir, 'bin/build.mjs'))) as BuildModule;
    expect(rendererBuildStale()).toBe('dist-renderer/ is a development-mode build');
    write('dist-renderer/build-info.json', JSON.stringify({ mode: 'production', inputs: [] }));
    expect(rendererBuildStale()).toBeNull();
  });
});

describe('the real CLI', () => {
  it('prints the version from package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync(process.execPath, [path.join(repo, 'bin/flashback.mjs'), '--version'], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(`flashback ${pkg.version}\n`);
    expect(r.status).toBe(0);
  });

  /** The npm packages `flashback ARGS` loads (traced through the module loader, not timed). */
  function packagesLoaded(args: string[]): Set<string> {
    const trace = path.join(dir, `trace-${args.join('-')}.txt`);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        path.join(repo, 'test/support/module-trace.mjs'),
        path.join(repo, 'bin/flashback.mjs'),
        ...args,
      ],
      { encoding: 'utf8', env: { ...process.env, FLASHBACK_HOME: dir, FLASHBACK_MODULE_TRACE: trace } },
    );
    expect(r.status, r.stderr).toBe(0);
    const urls = fs.readFileSync(trace, 'utf8').split('\n');
    expect(urls.some((u) => u.endsWith('/dist/cli.js'))).toBe(true);
    const pkgs = urls
      .map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1])
      .filter((p) => p !== undefined);
    return new Set(pkgs);
  }

  // Start-up time (test/bench/startup.ts) is what the user feels; this is why it stays low: each
  // command loads its own code only, and the simulator loads when a virtual board is opened.
  it('--version and ports load no package they do not use', () => {
    expect([...packagesLoaded(['--version'])]).toEqual([]);
    const ports = packagesLoaded(['ports', '--json']);
    expect(ports.has('serialport')).toBe(true);
    for (const heavy of ['zod', 'mqtt', 'aedes', 'ws', 'esptool-js'])
      expect(ports.has(heavy), heavy).toBe(false);
    // A command that opens a virtual board does load the simulator's schemas.
    expect(packagesLoaded(['detect', '--port', 'virtual:good', '--json']).has('zod')).toBe(true);
  });
});
