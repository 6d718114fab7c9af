#!/usr/bin/env node
// Runs a TypeScript file with tsx: `node bin/tsnode.mjs file.ts args…` (used by npm run bench).
import { register } from 'tsx/esm/api';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

register();
const [file, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], file, ...rest];
await import(pathToFileURL(path.resolve(file)).href);
