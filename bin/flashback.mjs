#!/usr/bin/env node
// Entry point for `npx flashback`: runs the TypeScript CLI through tsx (a runtime dependency),
// so the command works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
