/**
 * The Electron shell's door for a dropped file (app/files.ts): the page sends `{ name, bytes }` over
 * IPC and the main process checks it as the browser host checks a POST before storing anything.
 * Plain Node, no Electron: the validator and the store are ordinary functions.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUploadPayload, uploadFromPage } from '../../app/files.js';
import { MAX_UPLOAD_BYTES } from '../../main/workbench/api.js';
import { Transfers } from '../../main/workbench/transfers.js';
import { MAX_UPLOAD_BYTES as RENDERER_MAX, oversized } from '../../renderer/api/upload.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'accepted';
};

describe('dropped-file payload (Electron IPC)', () => {
  it('accepts exactly { name, bytes: Uint8Array } up to the upload limit', () => {
    const bytes = new Uint8Array(4096).fill(0x5a);
    expect(parseUploadPayload({ name: 'blink.ino.bin', bytes })).toEqual({ name: 'blink.ino.bin', bytes });
    expect(
      codeOf(() => parseUploadPayload({ name: 'max.bin', bytes: new Uint8Array(MAX_UPLOAD_BYTES) })),
    ).toBe('accepted');
  });

  it('refuses a payload of the wrong shape or type as BAD_ARGUMENT', () => {
    const bytes = new Uint8Array(16);
    for (const bad of [
      null,
      'blink.bin',
      [bytes],
      { bytes },
      { name: '', bytes },
      { name: 'x'.repeat(256), bytes },
      { name: 42, bytes },
      { name: 'a.bin', bytes: 'AAAA' },
      { name: 'a.bin', bytes: [1, 2, 3] },
      { name: 'a.bin', bytes: bytes.buffer },
      { name: 'a.bin', bytes: { length: 3, 0: 1 } },
      { name: 'a.bin', bytes, path: '/etc/passwd' },
    ]) {
      expect(
        codeOf(() => parseUploadPayload(bad)),
        JSON.stringify(bad)?.slice(0, 40),
      ).toBe('BAD_ARGUMENT');
    }
  });

  it('refuses a file over the limit as IMAGE_TOO_BIG, like the host and the page do', () => {
    const big = new Uint8Array(MAX_UPLOAD_BYTES + 1);
    expect(codeOf(() => parseUploadPayload({ name: 'big.bin', bytes: big }))).toBe('IMAGE_TOO_BIG');
    // The page refuses it before reading it, with the same limit (its copy must match).
    expect(RENDERER_MAX).toBe(MAX_UPLOAD_BYTES);
    expect(oversized({ size: MAX_UPLOAD_BYTES + 1 })).toMatchObject({
      ok: false,
      error: { code: 'IMAGE_TOO_BIG' },
    });
    expect(oversized({ size: MAX_UPLOAD_BYTES })).toBeNull();
  });

  it('stores an accepted file as an upload (the dropped bytes, a safe name) and answers with its id only', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'fb-drop-'));
    const transfers = new Transfers(home);
    const bytes = new Uint8Array(8192).map((_, i) => i * 7);
    const r = await uploadFromPage(transfers, { name: '../../etc/esp_init_data_default.bin', bytes });
    expect(r).toMatchObject({ ok: true, value: { name: 'esp_init_data_default.bin', size: 8192 } });
    if (!r.ok) return;
    expect(r.value.id).toMatch(/^upload:/);
    expect(readFileSync(transfers.uploadFile(r.value.id))).toEqual(Buffer.from(bytes));
    // Refused payloads store nothing and come back as data, not a throw.
    expect(await uploadFromPage(transfers, { name: 'x.bin', bytes: new Uint8Array(0) })).toMatchObject({
      ok: false,
      error: { code: 'BAD_IMAGE' },
    });
    expect(await uploadFromPage(transfers, { name: 'x.bin', bytes: 'zz' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENT' },
    });
    expect(readdirSync(transfers.uploadDir)).toHaveLength(1);
  });
});
