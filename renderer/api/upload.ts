/**
 * What both bridges do before a file the page holds leaves it (chosen or dropped): refuse one over the
 * workbench's limit at once, without reading it (a 2 GB drop must not fill the page's memory), and
 * read the rest as bytes. The host (POST) and the shell (IPC) check the limit again.
 */
import { MAX_UPLOAD_BYTES } from '../../main/flash-geometry.js';
import type { Reply } from '../../main/workbench/api.js';

export { MAX_UPLOAD_BYTES };

/** The same error the host and the shell give for a file over the limit, or null when it fits. */
export function oversized(file: { size: number }): Reply<never> | null {
  if (file.size <= MAX_UPLOAD_BYTES) return null;
  return {
    ok: false,
    error: {
      code: 'IMAGE_TOO_BIG',
      message: `The file is ${file.size} bytes; the largest ESP8266 flash image is ${MAX_UPLOAD_BYTES} bytes`,
      hint: 'Choose a flash image (.bin) of at most 16 MB.',
    },
  };
}

/** The file's bytes (FileReader: the one reading API every shell and test DOM has). */
export function readBytes(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(new Uint8Array(r.result as ArrayBuffer));
    r.onerror = () => reject(r.error ?? new Error('The file could not be read'));
    r.readAsArrayBuffer(file);
  });
}
