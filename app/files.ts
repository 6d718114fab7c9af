/**
 * Files through the shell's own dialogs (issue 11: no API takes a host path). The page asks for
 * "open a file" or "save download X"; the main process shows the dialog, reads or writes the file the
 * user chose, and the page only ever sees an upload id or "saved". The open side registers the bytes
 * with the same store the browser host's upload uses.
 */
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { FlashbackError, toErrorData } from '../main/errors.js';
import { MAX_UPLOAD_BYTES, type Reply, type UploadInfo } from '../main/workbench/api.js';
import type { WorkbenchService } from '../main/workbench/service.js';
import { type Transfers, tooBig } from '../main/workbench/transfers.js';
import type { BrowserWindow, Dialog } from './electron-api.js';

const saveParams = z.object({ id: z.string().min(1).max(64) }).strict();

/** The longest file name taken from the page (longer is not a file name a user chose). */
const MAX_NAME = 255;

/**
 * Checks what the page sends for a dropped file before anything is stored: exactly `{ name, bytes }`,
 * a short string and a Uint8Array (what Electron's structured clone delivers for one) of 1 byte to
 * MAX_UPLOAD_BYTES. The same limits as the browser host's POST; anything else is BAD_ARGUMENT.
 */
export function parseUploadPayload(params: unknown): { name: string; bytes: Uint8Array } {
  const p = params as { name?: unknown; bytes?: unknown } | null;
  const bad = (why: string) =>
    new FlashbackError('BAD_ARGUMENT', `Refused the dropped file: ${why}`, 'Drop a flash image (.bin) file.');
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad('not a file');
  const extra = Object.keys(p).filter((k) => k !== 'name' && k !== 'bytes');
  if (extra.length > 0) throw bad(`unexpected field ${extra[0]}`);
  if (typeof p.name !== 'string' || p.name.length === 0 || p.name.length > MAX_NAME)
    throw bad(`the name must be text of 1 to ${MAX_NAME} characters`);
  if (!(p.bytes instanceof Uint8Array)) throw bad('its contents are not bytes');
  if (p.bytes.byteLength > MAX_UPLOAD_BYTES) throw tooBig(p.bytes.byteLength);
  return { name: p.name, bytes: p.bytes };
}

/** A file the page holds (dropped on it): checked, then stored like an upload; the page gets its id. */
export async function uploadFromPage(transfers: Transfers, params: unknown): Promise<Reply<UploadInfo>> {
  try {
    const { name, bytes } = parseUploadPayload(params);
    return { ok: true, value: await transfers.addUpload(bytes, name) };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}

export async function openFileWithDialog(
  dialog: Dialog,
  win: BrowserWindow,
  service: WorkbenchService,
): Promise<Reply<UploadInfo | null>> {
  try {
    const r = await dialog.showOpenDialog(win, {
      title: 'Choose a flash image',
      properties: ['openFile'],
      filters: [
        { name: 'Flash images', extensions: ['bin', 'img'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    const file = r.filePaths[0];
    if (r.canceled || !file) return { ok: true, value: null };
    const size = (await stat(file)).size;
    if (size > MAX_UPLOAD_BYTES) throw tooBig(size);
    const info = await service.transfers.addUpload(new Uint8Array(await readFile(file)), path.basename(file));
    return { ok: true, value: info };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}

export async function saveFileWithDialog(
  dialog: Dialog,
  win: BrowserWindow,
  service: WorkbenchService,
  params: unknown,
): Promise<Reply<{ saved: boolean }>> {
  try {
    const { id } = saveParams.parse(params);
    const d = service.transfers.download(id);
    if (!d)
      return {
        ok: false,
        error: { code: 'FILE_NOT_FOUND', message: 'No such download', hint: 'Export it again.' },
      };
    const r = await dialog.showSaveDialog(win, { title: 'Save the exported image', defaultPath: d.name });
    if (r.canceled || !r.filePath) return { ok: true, value: { saved: false } };
    await copyFile(d.file, r.filePath);
    return { ok: true, value: { saved: true } };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}
