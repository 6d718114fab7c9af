/** Bridges operations to the image library: store a board's backup, load an image by path or id. */
import { createHash } from 'node:crypto';
import { Library, resolveImage } from '../library/index.js';
import type { DetectResult } from './types.js';

export interface LoadedImage {
  bytes: Uint8Array;
  /** What the user gave (path or library id) in a printable form. */
  source: string;
  libraryId: string | null;
  sha256: string;
}

export async function loadImage(spec: string, library?: string): Promise<LoadedImage> {
  const r = await resolveImage(spec, library);
  return {
    bytes: r.bytes,
    source: r.source,
    libraryId: r.libraryId,
    sha256: r.sha256 ?? createHash('sha256').update(r.bytes).digest('hex'),
  };
}

export async function storeBackup(
  image: Uint8Array,
  info: DetectResult,
  opts: { label?: string | undefined; library?: string | undefined; offset: number },
): Promise<{ id: string; file: string }> {
  const lib = new Library(opts.library);
  const entry = await lib.add(image, {
    label: opts.label ?? `${info.chip} ${info.mac}`,
    chip: info.chip,
    mac: info.mac,
    flash: { jedecId: info.flash.jedecId, manufacturer: info.flash.manufacturer, size: info.flash.size },
    sourcePort: info.port,
    offset: opts.offset,
  });
  return { id: entry.id, file: entry.file };
}
