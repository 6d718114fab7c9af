/** Files in and out of the workbench stay inside its data folder, under ids it handed out. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../main/workbench/api.js';
import { Transfers, safeName } from '../../main/workbench/transfers.js';

describe('Transfers', () => {
  it('stores uploads inside uploads/, keeps only the newest 32, and refuses unknown or forged ids', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'fb-transfers-'));
    const t = new Transfers(home);
    const first = await t.addUpload(new Uint8Array([1, 2, 3]), '../../../etc/passwd');
    expect(first.name).toBe('passwd');
    const file = t.uploadFile(first.id);
    expect(path.dirname(file)).toBe(path.join(home, 'uploads'));
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    for (const forged of ['upload:../../etc/passwd', 'upload:AAAAAAAAAAAAAAAA', '/etc/passwd', ''])
      expect(() => t.uploadFile(forged)).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
    for (let i = 0; i < 32; i++) await t.addUpload(new Uint8Array([i]), `f${i}.bin`);
    // The oldest went, with its file.
    expect(() => t.uploadFile(first.id)).toThrow(/no longer available/);
    await expect(readFile(file)).rejects.toThrow();
    await expect(t.addUpload(new Uint8Array(0), 'empty.bin')).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    await expect(t.addUpload(new Uint8Array(MAX_UPLOAD_BYTES + 1), 'big.bin')).rejects.toMatchObject({
      code: 'IMAGE_TOO_BIG',
    });
  });

  it('offers downloads only of files inside the data folder', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'fb-transfers-'));
    const outside = path.join(mkdtempSync(path.join(os.tmpdir(), 'fb-outside-')), 'secret.bin');
    writeFileSync(outside, 'x');
    const t = new Transfers(home);
    await expect(t.addDownload(outside, 'secret.bin')).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(
      t.addDownload(path.join(home, '..', path.basename(path.dirname(outside)), 'secret.bin'), 'x'),
    ).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
    });
    const inside = path.join(home, 'exports', 'a.bin');
    writeFileSync(path.join(home, 'a.bin'), 'y');
    await expect(t.addDownload(inside, 'a.bin')).rejects.toThrow();
    const d = await t.addDownload(path.join(home, 'a.bin'), 'name\u0007 "x".bin');
    expect(d).toMatchObject({ name: 'name_ _x_.bin', size: 1 });
    expect(t.download(d.id)?.file).toBe(path.join(home, 'a.bin'));
    expect(t.download('nope')).toBeUndefined();
  });

  it('safeName keeps a plain base name and never a folder or control character', () => {
    expect(safeName('C:\\\\Users\\\\me\\\\dump.bin', 'x')).toBe('dump.bin');
    expect(safeName('..', 'fallback.bin')).toBe('fallback.bin');
    expect(safeName('\u001b[31mred.bin', 'x')).toBe('_[31mred.bin');
  });
});
