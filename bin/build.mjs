#!/usr/bin/env node
/**
 * The build, and the check that a build is current. `npm run build` (and `prepare`, run by `npm ci`)
 * produces:
 *   dist/cli.js, dist/app/main.js, dist/chunks/*  main/ and app/ bundled by esbuild (ESM, node_modules
 *                                                 left external), code-split so the CLI loads a
 *                                                 command's heavy packages only when it runs
 *   dist/app/preload.cjs                          the Electron preload (CommonJS, sandboxed)
 *   dist-renderer/                                the React UI, Vite production build
 * Each output folder holds a build-info.json listing the source files it was built from; a build is
 * stale when one of them is newer than that file (or gone), and `flashback`, `npm start` and the test
 * setup rebuild it before running (never run stale code silently). Type checking is `npm run typecheck`:
 * the bundler only strips types, which is why a rebuild takes well under a second.
 *
 *   node bin/build.mjs [--node] [--renderer] [--if-stale]
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(root, 'dist');
const RENDERER = path.join(root, 'dist-renderer');
const INFO = 'build-info.json';
/** Old code-split chunks are kept this long, for processes still running the previous build. */
const CHUNK_GRACE_MS = 60 * 60 * 1000;

/** Writes atomically: a reader sees the old file or the new one, never half of one. */
function writeAtomic(file, data) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function readInfo(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, INFO), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Why the build in `dir` cannot be used (no build, built for another mode, a source newer than the build
 * or deleted), or null when it is current.
 */
function staleReason(dir, what, wantMode) {
  const info = readInfo(dir);
  if (!info || !Array.isArray(info.inputs)) return `${what} has not been built`;
  if (wantMode && info.mode !== wantMode) return `${what} is a ${info.mode ?? 'unknown'}-mode build`;
  const built = statSync(path.join(dir, INFO)).mtimeMs;
  for (const rel of info.inputs) {
    let t;
    try {
      t = statSync(path.join(root, rel)).mtimeMs;
    } catch {
      return `${rel} changed since ${what} was built (it is gone)`;
    }
    if (t > built) return `${rel} changed since ${what} was built`;
  }
  return null;
}

export const nodeBuildStale = () => staleReason(DIST, 'dist/', null);
export const rendererBuildStale = () => staleReason(RENDERER, 'dist-renderer/', 'production');

const rel = (p) => path.relative(root, path.resolve(root, p)).split(path.sep).join('/');

/** Bundles main/ and app/ into dist/ (well under a second). */
export async function buildNode() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error(
      'the build tools are not installed (esbuild is a dev dependency): run `npm ci` in the repository, then `npm run build`',
    );
  }
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    external: ['electron'],
    write: false,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  };
  const esm = await esbuild.build({
    ...common,
    entryPoints: { cli: 'main/cli/main.ts', 'app/main': 'app/main.ts' },
    outdir: DIST,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  const preload = await esbuild.build({
    ...common,
    entryPoints: { 'app/preload': 'app/preload.cts' },
    outdir: DIST,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
  });
  const files = [...esm.outputFiles, ...preload.outputFiles];
  // Chunks first (content-hashed names), entries last: a process starting mid-build loads either the old
  // entry with its old chunks or the new entry with its new chunks.
  const isChunk = (f) => f.path.includes(`${path.sep}chunks${path.sep}`);
  for (const f of files.filter(isChunk)) writeAtomic(f.path, f.contents);
  for (const f of files.filter((f) => !isChunk(f))) writeAtomic(f.path, f.contents);
  const current = new Set(files.map((f) => f.path));
  const chunkDir = path.join(DIST, 'chunks');
  for (const name of existsSync(chunkDir) ? readdirSync(chunkDir) : []) {
    const p = path.join(chunkDir, name);
    if (!current.has(p) && Date.now() - statSync(p).mtimeMs > CHUNK_GRACE_MS) rmSync(p, { force: true });
  }
  const inputs = new Set([
    ...Object.keys(esm.metafile.inputs),
    ...Object.keys(preload.metafile.inputs),
    'tsconfig.json',
    'bin/build.mjs',
  ]);
  writeAtomic(
    path.join(DIST, INFO),
    JSON.stringify(
      {
        inputs: [...inputs]
          .map(rel)
          .filter((p) => !p.startsWith('node_modules/'))
          .sort(),
      },
      null,
      1,
    ),
  );
}

/** Vite production build of renderer/ into dist-renderer/ (swapped in whole when done). */
export function buildRenderer() {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite))
    throw new Error(
      'the build tools are not installed (vite is a dev dependency): run `npm ci`, then `npm run build`',
    );
  const tmp = path.join(root, `.dist-renderer.${process.pid}.tmp`);
  // NODE_ENV=production explicitly: under vitest NODE_ENV is "test", which would make a React dev bundle.
  const r = spawnSync(
    process.execPath,
    [vite, 'build', '--mode', 'production', '--outDir', tmp, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: root, env: { ...process.env, NODE_ENV: 'production' }, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`vite build failed:\n${r.stderr || r.stdout}`);
  }
  const old = `${RENDERER}.${process.pid}.old`;
  if (existsSync(RENDERER)) renameSync(RENDERER, old);
  renameSync(tmp, RENDERER);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Rebuilds what is stale (`node`, `renderer` or both) and says so on `log`; returns the reasons for
 * what was rebuilt (empty when everything was current).
 */
export async function ensureBuilt({ node = true, renderer = false, log = () => {} } = {}) {
  const done = [];
  const nodeWhy = node && nodeBuildStale();
  if (nodeWhy) {
    log(`${nodeWhy}; rebuilding…`);
    await buildNode();
    done.push(nodeWhy);
  }
  const rendererWhy = renderer && rendererBuildStale();
  if (rendererWhy) {
    log(`${rendererWhy}; rebuilding the UI…`);
    buildRenderer();
    done.push(rendererWhy);
  }
  return done;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = new Set(process.argv.slice(2));
  const both = !args.has('--node') && !args.has('--renderer');
  const node = both || args.has('--node');
  const renderer = both || args.has('--renderer');
  const t0 = performance.now();
  try {
    if (args.has('--if-stale')) {
      await ensureBuilt({ node, renderer, log: (m) => console.log(`build: ${m}`) });
    } else {
      if (node) await buildNode();
      if (renderer) buildRenderer();
    }
  } catch (e) {
    console.error(`build: ${e.message}`);
    process.exit(1);
  }
  console.log(`build: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
