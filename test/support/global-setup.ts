/**
 * Vitest global setup: brings dist/ up to date before any test spawns `bin/flashback.mjs`, so the CLI
 * the tests run is always built from the current sources (bin/flashback.mjs would rebuild a stale build
 * itself, but saying so on stderr in the middle of a test). Tests importing main/ directly need no build.
 */
import { ensureBuilt } from '../../bin/build.mjs';

export default async function setup(): Promise<void> {
  await ensureBuilt({ node: true, log: (m) => process.stderr.write(`test setup: ${m}\n`) });
}
