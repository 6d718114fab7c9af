/**
 * The image library: content-addressed files `<sha256>.bin` with a JSON sidecar `<sha256>.json` in one
 * folder. Writes are atomic; every read re-checks size and sha256, and a damaged image is reported
 * (LIBRARY_CORRUPT), never returned. Ids are the sha256 or any unique prefix of at least 6 hex digits.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { dataPaths } from '../datadir.js';
import { FlashbackError } from '../errors.js';
import { detectLayout } from '../image/layout.js';
import { exportReport, type ScrubReport } from '../image/credential-scan.js';
import { findWifiCredentials, scrub } from '../image/secrets.js';
import { writeFileAtomic } from '../atomic-file.js';
import type { AddMeta, LibraryEntry, LibraryImage, LibraryMeta } from './types.js';

const SHA_RE = /^[0-9a-f]{64}$/;
export const MIN_PREFIX = 6;

const hash = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest('hex');

export class Library {
  readonly dir: string;

  constructor(dir: string = dataPaths.library()) {
    this.dir = path.resolve(dir);
  }

  private bin(id: string) {
    return path.join(this.dir, `${id}.bin`);
  }
  private sidecar(id: string) {
    return path.join(this.dir, `${id}.json`);
  }

  private entry(meta: LibraryMeta): LibraryEntry {
    return { ...meta, file: this.bin(meta.id) };
  }

  /** Stores `bytes` (image first, then sidecar). Adding an image already present returns its entry. */
  async add(bytes: Uint8Array, meta: AddMeta = {}): Promise<LibraryEntry> {
    const sha256 = hash('sha256', bytes);
    const existing = await this.readMeta(sha256).catch(() => null);
    if (
      existing &&
      (await this.verify(existing).then(
        () => true,
        () => false,
      ))
    )
      return this.entry(existing);
    const read = async (o: number, n: number) => bytes.subarray(o, o + n);
    const layout = bytes.length >= 0x10000 ? await detectLayout(read, bytes.length) : null;
    const creds = await findWifiCredentials(read, bytes.length);
    const full: LibraryMeta = {
      id: sha256,
      sha256,
      md5: hash('md5', bytes),
      size: bytes.length,
      created: meta.created ?? new Date().toISOString(),
      label: meta.label ?? null,
      chip: meta.chip ?? null,
      mac: meta.mac ?? null,
      flashId:
        meta.flashId ??
        (meta.flash ? `0x${meta.flash.jedecId.toString(16).toUpperCase().padStart(6, '0')}` : null),
      flashSize: meta.flashSize ?? meta.flash?.size ?? null,
      sourcePort: meta.sourcePort ?? null,
      layout: layout && {
        family: layout.family,
        regions: layout.regions.map(({ name, start, size }) => ({ name, start, size })),
      },
      containsCredentials: creds.present,
      ssid: creds.ssid,
      offset: meta.offset ?? 0,
    };
    await writeFileAtomic(this.bin(sha256), bytes);
    await writeFileAtomic(this.sidecar(sha256), JSON.stringify(full, null, 2) + '\n');
    return this.entry(full);
  }

  /** All entries, newest first. Reads sidecars only; use get() to verify an image. */
  async list(): Promise<LibraryEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const out: LibraryEntry[] = [];
    for (const n of names) {
      const id = n.slice(0, -5);
      if (!n.endsWith('.json') || !SHA_RE.test(id)) continue;
      const m = await this.readMeta(id).catch(() => null);
      if (m) out.push(this.entry(m));
    }
    return out.sort((a, b) => b.created.localeCompare(a.created));
  }

  /** Full id for a sha256 or unique prefix (≥ 6 hex digits). */
  async resolveId(spec: string): Promise<string> {
    const s = spec.toLowerCase();
    if (!/^[0-9a-f]+$/.test(s) || s.length < MIN_PREFIX || s.length > 64) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `"${spec}" is not a library id`,
        `Use the sha256 or at least ${MIN_PREFIX} of its first hex digits (see \`flashback library list\`).`,
      );
    }
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      /* empty library */
    }
    const ids = [
      ...new Set(
        names.map((n) => n.replace(/\.(bin|json)$/, '')).filter((id) => SHA_RE.test(id) && id.startsWith(s)),
      ),
    ];
    if (ids.length === 0) {
      throw new FlashbackError(
        'LIBRARY_NOT_FOUND',
        `No library image ${spec} in ${this.dir}`,
        'Run `flashback library list` to see the stored images.',
      );
    }
    if (ids.length > 1) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `Library id ${spec} is ambiguous (${ids.length} images)`,
        'Give more digits of the id.',
      );
    }
    return ids[0]!;
  }

  private async readMeta(id: string): Promise<LibraryMeta> {
    let text: string;
    try {
      text = await fs.readFile(this.sidecar(id), 'utf8');
    } catch {
      throw corrupt(id, 'its metadata file is missing');
    }
    try {
      const m = JSON.parse(text) as LibraryMeta;
      if (m.sha256 !== id || typeof m.size !== 'number') throw new Error('mismatch');
      return m;
    } catch {
      throw corrupt(id, 'its metadata file is damaged');
    }
  }

  private async verify(meta: LibraryMeta): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(this.bin(meta.id)));
    } catch {
      throw corrupt(meta.id, 'its image file is missing');
    }
    if (bytes.length !== meta.size)
      throw corrupt(meta.id, `it is ${bytes.length} bytes, expected ${meta.size} (truncated)`);
    if (hash('sha256', bytes) !== meta.sha256)
      throw corrupt(meta.id, 'its sha256 no longer matches (the file changed on disk)');
    return bytes;
  }

  /** Verified bytes + metadata; throws LIBRARY_CORRUPT instead of returning a damaged image. */
  async get(spec: string): Promise<LibraryImage> {
    const id = await this.resolveId(spec);
    const meta = await this.readMeta(id);
    return { bytes: await this.verify(meta), meta: this.entry(meta) };
  }

  /** Metadata only (no hash check); get() verifies. */
  async show(spec: string): Promise<LibraryEntry> {
    return this.entry(await this.readMeta(await this.resolveId(spec)));
  }

  async remove(spec: string): Promise<string> {
    const id = await this.resolveId(spec);
    await fs.rm(this.sidecar(id), { force: true });
    await fs.rm(this.bin(id), { force: true });
    return id;
  }

  async rename(spec: string, label: string): Promise<LibraryEntry> {
    const id = await this.resolveId(spec);
    const meta = { ...(await this.readMeta(id)), label };
    await writeFileAtomic(this.sidecar(id), JSON.stringify(meta, null, 2) + '\n');
    return this.entry(meta);
  }

  /**
   * Writes the verified image to `dest`; with scrub, the WiFi system-param sectors are blanked. The
   * report says what was blanked and what credential-like data the written image still holds.
   */
  async export(
    spec: string,
    dest: string,
    opts: { scrub?: boolean } = {},
  ): Promise<{ file: string; size: number; sha256: string; scrubbed: number[]; report: ScrubReport }> {
    const { bytes } = await this.get(spec);
    const out = opts.scrub ? scrub(bytes) : { bytes, blanked: [] };
    const report = await exportReport(bytes, out.bytes, out.blanked);
    await writeFileAtomic(path.resolve(dest), out.bytes);
    return {
      file: path.resolve(dest),
      size: out.bytes.length,
      sha256: hash('sha256', out.bytes),
      scrubbed: out.blanked,
      report,
    };
  }
}

function corrupt(id: string, why: string): FlashbackError {
  return new FlashbackError(
    'LIBRARY_CORRUPT',
    `Library image ${id.slice(0, 12)} is corrupt: ${why}`,
    'Do not restore it. Remove it with `flashback library rm` and back the board up again, or restore a copy from elsewhere.',
    { id },
  );
}
