/**
 * Atomic file writes: write a temp file beside the target, fsync it, rename over the target, fsync the
 * folder. A crash leaves either the old file or the new one, never half of one. The one definition, in
 * two flavours: async for the services, sync where nothing can be awaited (a virtual board saving its
 * flash as its host detaches).
 */
import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A fresh temp name beside `file` (same folder, so the rename stays on one file system). */
const tempBeside = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);

export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempBeside(file);
  const fh = await fs.open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  // Persist the rename itself; not supported on every platform (Windows), where it is best effort.
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* directory fsync unsupported */
  }
}

/** writeFileAtomic, synchronously (same steps, same guarantees). */
export function writeFileAtomicSync(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(file);
  fsSync.mkdirSync(dir, { recursive: true });
  const tmp = tempBeside(file);
  const fd = fsSync.openSync(tmp, 'wx');
  try {
    fsSync.writeFileSync(fd, data);
    fsSync.fsyncSync(fd);
  } finally {
    fsSync.closeSync(fd);
  }
  try {
    fsSync.renameSync(tmp, file);
  } catch (e) {
    fsSync.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const d = fsSync.openSync(dir, 'r');
    try {
      fsSync.fsyncSync(d);
    } finally {
      fsSync.closeSync(d);
    }
  } catch {
    /* directory fsync unsupported */
  }
}
