/**
 * Files shipped in the package's resources/ folder, found at run time relative to the package root (the
 * folder holding package.json and resources/), so the same lookup works from the sources (tsx), the
 * compiled CLI and the packaged app (app.asar, which Electron's fs reads transparently).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlashbackError } from './errors.js';

let root: string | null = null;

/** The package root: the nearest folder above this module with package.json and resources/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'resources'))) {
      root = dir;
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir)
      throw new FlashbackError(
        'INTERNAL',
        'The resources folder of Flashback was not found',
        'Reinstall Flashback: the package is incomplete.',
      );
    dir = up;
  }
}

export function resourcePath(...parts: string[]): string {
  return path.join(packageRoot(), 'resources', ...parts);
}

/** sha256 of Espressif's esp_init_data_default_v08.bin (resources/esp8266/README.md). */
export const ESPRESSIF_INIT_DATA_SHA256 = 'b2218087cf938ce665b26ac049f7d146677c70fe2909205a4d0e6a58aef0e4b3';

/**
 * Espressif's own init data, byte for byte. The hash is checked so that nothing else (a damaged or
 * edited copy, a synthesised table) is ever written to a board as "init data".
 */
export function espressifInitData(): Uint8Array {
  const file = resourcePath('esp8266', 'esp_init_data_default_v08.bin');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new FlashbackError(
      'FILE_NOT_FOUND',
      `Espressif's init data file is missing (${file})`,
      'Reinstall Flashback: the package is incomplete.',
    );
  }
  if (createHash('sha256').update(bytes).digest('hex') !== ESPRESSIF_INIT_DATA_SHA256)
    throw new FlashbackError(
      'BAD_IMAGE',
      `${file} is not Espressif's esp_init_data_default_v08.bin (its hash differs); nothing was written`,
      'Reinstall Flashback to restore the original file.',
    );
  return bytes;
}
