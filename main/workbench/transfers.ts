/**
 * Files in and out of the workbench without host paths (issue 11: "no API takes a host file path").
 * In: the browser host receives the bytes (POST /api/upload) or the Electron shell reads the file the
 * user chose in its dialog; either way the bytes land in the data folder's uploads/ and the UI gets an
 * opaque upload id, which is the only thing jobs accept. Out: an export is written inside the data
 * folder's exports/ and handed to the UI as a download id (browser: GET /api/download/ID; Electron:
 * save dialog). Ids are random, so a caller can name only files this store made.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FlashbackError } from '../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import type { DownloadInfo, UploadInfo } from './api.js';
import { MAX_UPLOAD_BYTES, UPLOAD_ID } from './api.js';

/** Uploads older than this are removed when the store opens (they are scratch copies). */
const UPLOAD_TTL_MS = 24 * 3600 * 1000;
/** At most this many uploads are kept; the oldest goes first. */
const MAX_UPLOADS = 32;

/** A file name safe to show and to offer in a save dialog: no folders, no control characters. */
export function safeName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f"<>:|?*]+/g, '_')
    .slice(0, 120)
    .trim();
  return clean && clean !== '.' && clean !== '..' ? clean : fallback;
}

export function tooBig(size: number): FlashbackError {
  return new FlashbackError(
    'IMAGE_TOO_BIG',
    `The file is ${size} bytes; the largest ESP8266 flash image is ${MAX_UPLOAD_BYTES} bytes`,
    'Choose a flash image (.bin) of at most 16 MB.',
  );
}

export class Transfers {
  private readonly uploads = new Map<string, UploadInfo & { file: string }>();
  private readonly downloads = new Map<string, DownloadInfo & { file: string }>();
  private swept = false;

  constructor(private readonly dataHome: string) {}

  get uploadDir(): string {
    return path.join(this.dataHome, 'uploads');
  }

  get exportDir(): string {
    return path.join(this.dataHome, 'exports');
  }

  /** Stores uploaded bytes; returns the id jobs accept in place of a path. */
  async addUpload(bytes: Uint8Array, name: string): Promise<UploadInfo> {
    if (bytes.length > MAX_UPLOAD_BYTES) throw tooBig(bytes.length);
    if (bytes.length === 0)
      throw new FlashbackError('BAD_IMAGE', 'The file is empty', 'Choose a flash image (.bin) file.');
    await this.sweep();
    const id = `upload:${randomBytes(12).toString('base64url')}`;
    const file = path.join(this.uploadDir, `${id.slice('upload:'.length)}.bin`);
    await writeFileAtomic(file, bytes);
    const info: UploadInfo = {
      id,
      name: safeName(name, 'image.bin'),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    this.uploads.set(id, { ...info, file });
    while (this.uploads.size > MAX_UPLOADS) {
      const [oldest] = this.uploads.keys();
      if (oldest === undefined) break;
      await this.dropUpload(oldest);
    }
    return info;
  }

  /** The stored file behind an upload id (always inside uploads/); a clear error when unknown. */
  uploadFile(id: string): string {
    const u = UPLOAD_ID.test(id) ? this.uploads.get(id) : undefined;
    if (!u) {
      throw new FlashbackError(
        'FILE_NOT_FOUND',
        'That uploaded file is no longer available',
        'Choose the file again (uploads are kept until the workbench restarts).',
      );
    }
    return u.file;
  }

  uploadInfo(id: string): UploadInfo | undefined {
    const u = this.uploads.get(id);
    return u ? { id: u.id, name: u.name, size: u.size, sha256: u.sha256 } : undefined;
  }

  /** A file for the user to take away; `name` is what the save dialog / browser suggests. */
  async addDownload(file: string, name: string): Promise<DownloadInfo> {
    const abs = path.resolve(file);
    if (!abs.startsWith(path.resolve(this.dataHome) + path.sep)) {
      // Only files the workbench wrote into its own folder go out.
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'Refused to offer a file outside the data folder',
        'Report this.',
      );
    }
    const st = await fs.stat(abs);
    const id = randomBytes(12).toString('base64url');
    const info: DownloadInfo = { id, name: safeName(name, 'flashback.bin'), size: st.size };
    this.downloads.set(id, { ...info, file: abs });
    return info;
  }

  download(id: string): (DownloadInfo & { file: string }) | undefined {
    return this.downloads.get(id);
  }

  private async dropUpload(id: string): Promise<void> {
    const u = this.uploads.get(id);
    this.uploads.delete(id);
    if (u) await fs.rm(u.file, { force: true }).catch(() => undefined);
  }

  /** First use: clear scratch uploads left by an earlier run that are past their time. */
  private async sweep(): Promise<void> {
    if (this.swept) return;
    this.swept = true;
    const names = await fs.readdir(this.uploadDir).catch(() => [] as string[]);
    const now = Date.now();
    for (const n of names) {
      const f = path.join(this.uploadDir, n);
      const st = await fs.stat(f).catch(() => null);
      if (st && now - st.mtimeMs > UPLOAD_TTL_MS) await fs.rm(f, { force: true }).catch(() => undefined);
    }
  }
}
