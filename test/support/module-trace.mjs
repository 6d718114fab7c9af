/**
 * `node --import ./test/support/module-trace.mjs …`: appends the URL of every module the process loads
 * through import (ESM, and the CommonJS packages imported from it) to the file named by
 * FLASHBACK_MODULE_TRACE, one a line. Lets a test see what a CLI command loads, without timing anything.
 */
import fs from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// The same file serves as the loader hooks, which run on their own thread.
if (isMainThread) register(import.meta.url);

export async function load(url, context, next) {
  const out = process.env.FLASHBACK_MODULE_TRACE;
  if (out) fs.appendFileSync(out, `${url}\n`);
  return next(url, context);
}
