/** File helpers for operations: atomic writes and image loading with clear errors. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { FlashbackError } from '../errors.js';

export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

export async function readImageFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new FlashbackError('FILE_NOT_FOUND', `No such file: ${file}`, 'Check the path, or give a library id (flashback library list).');
    }
    throw new FlashbackError('FILE_NOT_FOUND', `Cannot read ${file}: ${(e as Error).message}`, 'Check the file permissions.');
  }
}
