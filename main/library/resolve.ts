/**
 * `--image FILE|SHA`: a path to an image file, or a library id (sha256 or unique prefix ≥ 6 digits).
 * A path that exists wins; library images come back verified.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { FlashbackError } from '../errors.js';
import { Library, MIN_PREFIX } from './library.js';
import type { LibraryEntry } from './types.js';

export interface ResolvedImage {
  bytes: Uint8Array;
  kind: 'file' | 'library';
  /** Printable: the file path, or "library:<id prefix>". */
  source: string;
  libraryId: string | null;
  /** Known for library images (verified); null for files (hash them if needed). */
  sha256: string | null;
  meta: LibraryEntry | null;
}

/** `library`: a Library, its folder, or { library } with either; default the data folder's library. */
export async function resolveImage(
  spec: string,
  library?: string | Library | { library?: string | Library | undefined },
): Promise<ResolvedImage> {
  const file = path.resolve(spec);
  const stat = await fs.stat(file).catch(() => null);
  if (stat?.isFile()) {
    return {
      bytes: new Uint8Array(await fs.readFile(file)),
      kind: 'file',
      source: file,
      libraryId: null,
      sha256: null,
      meta: null,
    };
  }
  if (stat?.isDirectory())
    throw new FlashbackError(
      'FILE_NOT_FOUND',
      `${spec} is a directory, not an image file`,
      'Give the path of a .bin file inside it, or a library id from `flashback library list`.',
    );
  if (new RegExp(`^[0-9a-fA-F]{${MIN_PREFIX},64}$`).test(spec)) {
    const which = typeof library === 'object' && !(library instanceof Library) ? library.library : library;
    const lib = which instanceof Library ? which : new Library(which);
    const { bytes, meta } = await lib.get(spec);
    return {
      bytes,
      kind: 'library',
      source: `library:${meta.id.slice(0, 12)}`,
      libraryId: meta.id,
      sha256: meta.sha256,
      meta,
    };
  }
  throw new FlashbackError(
    'FILE_NOT_FOUND',
    `No such image file: ${spec}`,
    'Give a path to a .bin file or a library id from `flashback library list`.',
  );
}
