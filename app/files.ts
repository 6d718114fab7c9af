/**
 * Files through the shell's own dialogs (issue 11: no API takes a host path). The page asks for
 * "open a file" or "save download X"; the main process shows the dialog, reads or writes the file the
 * user chose, and the page only ever sees an upload id or "saved". The open side registers the bytes
 * with the same store the browser host's upload uses.
 */
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { toErrorData } from '../main/errors.js';
import { MAX_UPLOAD_BYTES, type Reply, type UploadInfo } from '../main/workbench/api.js';
import type { WorkbenchService } from '../main/workbench/service.js';
import { tooBig } from '../main/workbench/transfers.js';
import type { BrowserWindow, Dialog } from './electron-api.js';

const saveParams = z.object({ id: z.string().min(1).max(64) }).strict();

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
