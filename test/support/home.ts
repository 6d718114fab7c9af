/** Points the data folder at a fresh temp dir for one test file (virtual boards, library, journal). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function useTempHome(prefix = 'flashback-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.env.FLASHBACK_HOME = dir;
  return dir;
}

/** Espressif's SDK data files (MIT, licence beside them), kept in the repository: test/fixtures/esp8266. */
export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/esp8266');
