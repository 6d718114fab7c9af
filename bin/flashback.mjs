#!/usr/bin/env node
// Entry point for `flashback` / `npx flashback`: runs the compiled CLI (dist/cli.js, built by
// `npm run build`, which `npm ci` runs through `prepare`). In a checkout whose sources changed since
// that build, it rebuilds first (a second or less, said on stderr) rather than run stale code; `serve`
// also needs a current production build of the UI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// Sources beside the build: a development checkout, where the build can go stale.
if (existsSync(fileURLToPath(new URL('../main/cli/main.ts', import.meta.url)))) {
  const { ensureBuilt } = await import('./build.mjs');
  try {
    await ensureBuilt({
      node: true,
      renderer: argv[0] === 'serve',
      log: (m) => process.stderr.write(`flashback: ${m}\n`),
    });
  } catch (e) {
    process.stderr.write(`flashback: cannot run: ${e.message}\n`);
    process.exit(1);
  }
} else if (!existsSync(built)) {
  process.stderr.write('flashback: dist/cli.js is missing; reinstall the package (npm ci runs the build).\n');
  process.exit(1);
}
const { main } = await import('../dist/cli.js');
process.exitCode = await main(argv);
