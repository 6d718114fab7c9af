/**
 * Loads the v2 ESP8266 flasher stub (esp-flasher-stub, Apache-2.0 OR MIT) that the `esptool-js` npm
 * package ships, at run time from node_modules: it is never copied into this repository (notes, "Stub").
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FlashbackError } from '../errors.js';

export interface StubImage {
  text: Uint8Array;
  textStart: number;
  data: Uint8Array;
  dataStart: number;
  entry: number;
}

let cached: StubImage | null = null;

export function stubJsonPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('esptool-js/package.json');
  return path.join(path.dirname(pkg), 'lib', 'targets', 'stub_flasher', 'esp8266.json');
}

export function loadStub(): StubImage {
  if (cached) return cached;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(stubJsonPath(), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new FlashbackError(
      'INTERNAL',
      `The ESP8266 flasher stub could not be loaded (${(e as Error).message})`,
      'Reinstall dependencies with `npm ci`, or use --no-stub (ROM only: no reads, slower writes).',
    );
  }
  const b64 = (k: string) => {
    const v = raw[k];
    return Uint8Array.from(Buffer.from(typeof v === 'string' ? v : '', 'base64'));
  };
  cached = {
    text: b64('text'),
    textStart: Number(raw.text_start),
    data: b64('data'),
    dataStart: Number(raw.data_start),
    entry: Number(raw.entry),
  };
  return cached;
}
