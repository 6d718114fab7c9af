/** File helpers for operations: atomic writes and image loading with clear errors. */
import fs from 'node:fs/promises';
import { FlashbackError } from '../errors.js';

export { writeFileAtomic } from '../library/atomic.js';

export async function readImageFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR')
      throw new FlashbackError(
        'FILE_NOT_FOUND',
        `${file} is a directory, not an image file`,
        'Give the path of a .bin file inside it.',
      );
    if (code === 'ENOENT') {
      throw new FlashbackError(
        'FILE_NOT_FOUND',
        `No such file: ${file}`,
        'Check the path, or give a library id (flashback library list).',
      );
    }
    throw new FlashbackError(
      'FILE_NOT_FOUND',
      `Cannot read ${file}: ${(e as Error).message}`,
      'Check the file permissions.',
    );
  }
}
