/**
 * The image library: content-addressed files `<sha256>.bin` with a JSON sidecar `<sha256>.json` in one
 * folder. Writes are atomic and hold the folder's lock (main/data-lock.ts: a CLI and the workbench may
 * share it); every read validates the sidecar and re-checks size and sha256, and a damaged image is
 * reported (LIBRARY_CORRUPT, with the command that fixes it), never returned. Ids are the sha256 or any
 * unique prefix of at least 6 hex digits.
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
import { withLock } from '../data-lock.js';
import { parseSidecar, salvage } from './sidecar.js';
import type { AddMeta, LibraryEntry, LibraryImage, LibraryItem, LibraryMeta } from './types.js';

const SHA_RE = /^[0-9a-f]{64}$/;
export const MIN_PREFIX = 6;
/** A folder we may read but not write (a mounted backup disk): listed without the lock. */
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

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

  private locked<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withLock(path.join(this.dir, '.lock'), what, fn);
  }

  /** The sidecar for `bytes` (hashes, layout, credentials) with what the caller knows. */
  private async describe(bytes: Uint8Array, meta: AddMeta): Promise<LibraryMeta> {
    const sha256 = hash('sha256', bytes);
    const read = async (o: number, n: number) => bytes.subarray(o, o + n);
    const layout = bytes.length >= 0x10000 ? await detectLayout(read, bytes.length) : null;
    const creds = await findWifiCredentials(read, bytes.length);
    return {
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
  }

  /** Stores `bytes` (image first, then sidecar). Adding an image already present returns its entry. */
  async add(bytes: Uint8Array, meta: AddMeta = {}): Promise<LibraryEntry> {
    return (await this.put(bytes, meta)).entry;
  }

  /**
   * add(), saying whether the bytes were there already (intact: their entry is returned as it was, label
   * kept). Decided under the lock, so a damaged copy that is replaced does not count as present.
   */
  async put(
    bytes: Uint8Array,
    meta: AddMeta = {},
  ): Promise<{ entry: LibraryEntry; alreadyPresent: boolean }> {
    const full = await this.describe(bytes, meta);
    return this.locked('library add', async () => {
      const existing = await this.readMeta(full.id).catch(() => null);
      if (
        existing &&
        (await this.verify(existing).then(
          () => true,
          () => false,
        ))
      )
        return { entry: this.entry(existing), alreadyPresent: true };
      await writeFileAtomic(this.bin(full.id), bytes);
      await writeFileAtomic(this.sidecar(full.id), JSON.stringify(full, null, 2) + '\n');
      return { entry: this.entry(full), alreadyPresent: false };
    });
  }

  /** Entries with a valid sidecar, newest first (no hash check; check() lists every image with its state). */
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
      throw await this.corrupt(id, 'its metadata file is missing');
    }
    const r = parseSidecar(id, text);
    if (!r.ok) throw await this.corrupt(id, r.why);
    return r.meta;
  }

  /** True when `<id>.bin` exists and hashes to its name (content addressing proves it intact). */
  private async imageIntact(id: string): Promise<boolean> {
    const bytes = await fs.readFile(this.bin(id)).catch(() => null);
    return !!bytes && bytes.length > 0 && hash('sha256', bytes) === id;
  }

  /** LIBRARY_CORRUPT for `id`, whose hint is repair when only the sidecar is lost, else rm. */
  private async corrupt(id: string, why: string): Promise<FlashbackError> {
    const short = id.slice(0, 12);
    const metaOnly = /metadata/.test(why) && (await this.imageIntact(id));
    return new FlashbackError(
      'LIBRARY_CORRUPT',
      `Library image ${short} is corrupt: ${why}`,
      metaOnly
        ? `The image itself is intact (its sha256 matches its name). Rebuild its metadata: \`flashback library repair ${short}\`.`
        : `Do not restore it. Remove it: \`flashback library rm ${short}\`, and back the board up again (or import a good copy).`,
      { id, next: metaOnly ? 'repair' : 'rm' },
    );
  }

  /**
   * Every image in the folder with its state: ok, corrupt (sidecar damaged, image truncated or changed)
   * or metadata-missing (an intact image without sidecar), each with the command that fixes it.
   * Hashes every image; an entry that looks wrong is checked again under the lock (it may have been
   * written just then by another process).
   */
  async check(): Promise<LibraryItem[]> {
    // Listing creates nothing: no folder for a mistyped --library, no lock in a read-only one.
    if (!(await fs.stat(this.dir).catch(() => null))?.isDirectory()) return [];
    const reading = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await this.locked('library list', fn);
      } catch (e) {
        if (READ_ONLY.has((e as NodeJS.ErrnoException).code ?? '')) return fn();
        throw e;
      }
    };
    const ids = await reading(() => this.ids());
    const out: LibraryItem[] = [];
    for (const id of ids) {
      let item = await this.inspect(id);
      if (item?.status !== 'ok') item = await reading(() => this.inspect(id));
      if (item) out.push(item);
    }
    const when = (i: LibraryItem) => i.entry?.created ?? '';
    return out.sort((a, b) => when(b).localeCompare(when(a)));
  }

  private async ids(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return [
      ...new Set(names.map((n) => n.replace(/\.(bin|json)$/, '')).filter((id) => SHA_RE.test(id))),
    ].sort();
  }

  /** One image's state, or null when neither file exists any more. */
  private async inspect(id: string): Promise<LibraryItem | null> {
    const short = id.slice(0, 12);
    const file = this.bin(id);
    const text = await fs.readFile(this.sidecar(id), 'utf8').catch(() => null);
    const bytes = await fs.readFile(file).catch(() => null);
    if (text === null && bytes === null) return null;
    const intact = !!bytes && bytes.length > 0 && hash('sha256', bytes) === id;
    const side = text === null ? null : parseSidecar(id, text);
    const meta = side?.ok ? side.meta : null;
    const item = (status: LibraryItem['status'], problem: string | null): LibraryItem => {
      // Only the metadata lost and the image proven by its name: rebuild it; anything else: remove it.
      const fix = status === 'ok' ? null : intact && !meta ? 'repair' : 'rm';
      const next =
        fix === 'repair'
          ? `flashback library repair ${short}`
          : fix === 'rm'
            ? `flashback library rm ${short}, then back the board up again`
            : null;
      const entry = meta && this.entry(meta);
      return { id, status, problem, next, fix, entry, file, size: bytes?.length ?? 0 };
    };
    const imageState = intact
      ? 'the image is intact (its sha256 matches)'
      : bytes
        ? 'the image does not match its sha256'
        : 'the image file is missing';
    if (!side)
      return item(intact ? 'metadata-missing' : 'corrupt', `its metadata file is missing; ${imageState}`);
    if (!side.ok) return item('corrupt', `${side.why}; ${imageState}`);
    if (!bytes) return item('corrupt', 'its image file is missing');
    if (bytes.length !== side.meta.size)
      return item('corrupt', `it is ${bytes.length} bytes, expected ${side.meta.size} (truncated)`);
    if (!intact) return item('corrupt', 'its sha256 no longer matches (the file changed on disk)');
    return item('ok', null);
  }

  /**
   * Rebuilds the sidecar of an intact image (missing or damaged metadata), keeping what the old one
   * still says correctly (label, board). Refuses an image whose sha256 no longer matches its name.
   */
  async repair(spec: string): Promise<{ entry: LibraryEntry; repaired: boolean }> {
    const id = await this.resolveId(spec);
    return this.locked('library repair', async () => {
      const existing = await this.readMeta(id).catch(() => null);
      if (
        existing &&
        (await this.verify(existing).then(
          () => true,
          () => false,
        ))
      )
        return { entry: this.entry(existing), repaired: false };
      const bytes = await fs.readFile(this.bin(id)).catch(() => null);
      if (!bytes || hash('sha256', bytes) !== id)
        throw await this.corrupt(
          id,
          bytes ? 'its image no longer matches its sha256' : 'its image file is missing',
        );
      const old = salvage(await fs.readFile(this.sidecar(id), 'utf8').catch(() => ''));
      const created = old.created ?? (await fs.stat(this.bin(id))).mtime.toISOString();
      const meta = await this.describe(new Uint8Array(bytes), {
        ...old,
        created,
        label: old.label ?? `recovered ${id.slice(0, 12)}`,
      });
      await writeFileAtomic(this.sidecar(id), JSON.stringify(meta, null, 2) + '\n');
      return { entry: this.entry(meta), repaired: true };
    });
  }

  private async verify(meta: LibraryMeta): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(this.bin(meta.id)));
    } catch {
      throw await this.corrupt(meta.id, 'its image file is missing');
    }
    if (bytes.length !== meta.size)
      throw await this.corrupt(meta.id, `it is ${bytes.length} bytes, expected ${meta.size} (truncated)`);
    if (hash('sha256', bytes) !== meta.sha256)
      throw await this.corrupt(meta.id, 'its sha256 no longer matches (the file changed on disk)');
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
    await this.locked('library rm', async () => {
      await fs.rm(this.sidecar(id), { force: true });
      await fs.rm(this.bin(id), { force: true });
    });
    return id;
  }

  async rename(spec: string, label: string): Promise<LibraryEntry> {
    const id = await this.resolveId(spec);
    return this.locked('library rename', async () => {
      const meta = { ...(await this.readMeta(id)), label };
      await writeFileAtomic(this.sidecar(id), JSON.stringify(meta, null, 2) + '\n');
      return this.entry(meta);
    });
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
