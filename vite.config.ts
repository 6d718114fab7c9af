/**
 * Builds the renderer (renderer/ → dist-renderer/). `base: './'` keeps asset URLs relative so the same
 * build loads from file:// in Electron and from the browser host. Run through `npm run build` (bin/build.mjs),
 * which forces production mode.
 */
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { pageContentSecurityPolicy } from './main/csp.js';

const repo = fileURLToPath(new URL('.', import.meta.url));
const root = path.join(repo, 'renderer');

/**
 * Writes dist-renderer/build-info.json: the mode and every repository file the bundle was built from, so
 * `npm start`, `flashback serve` and the e2e can tell a stale or development bundle from a current one.
 */
function buildInfo(mode: string): Plugin {
  return {
    name: 'flashback-build-info',
    apply: 'build',
    generateBundle() {
      const inputs = new Set(['vite.config.ts', 'renderer/index.html']);
      for (const id of this.getModuleIds()) {
        const file = id.split('?')[0]!;
        if (id.startsWith('\0') || !path.isAbsolute(file)) continue;
        const rel = path.relative(repo, file).split(path.sep).join('/');
        if (!rel.startsWith('..') && !rel.startsWith('node_modules/')) inputs.add(rel);
      }
      this.emitFile({
        type: 'asset',
        fileName: 'build-info.json',
        source: JSON.stringify({ mode, inputs: [...inputs].sort() }, null, 1),
      });
    },
  };
}

/**
 * file:// pages (the desktop app) get no response headers, so the page carries the policy itself: the
 * one in main/csp.ts, first in <head> so it covers everything after it.
 */
function cspMeta(): Plugin {
  return {
    name: 'flashback-csp-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: pageContentSecurityPolicy() },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig(({ mode }) => ({
  root,
  base: './',
  plugins: [
    react(),
    cspMeta(),
    buildInfo(process.env.NODE_ENV === 'production' ? mode : (process.env.NODE_ENV ?? mode)),
  ],
  build: {
    outDir: path.join(repo, 'dist-renderer'),
    emptyOutDir: true,
    // No inline scripts or eval: the CSP allows 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
}));
