/**
 * Files in and out from components (issue 11: no API takes a host path). In: `pickFile` uploads the
 * File the user chose or dropped, or opens the Electron shell's dialog; either way the result is
 * an upload id that jobs accept. Out: `saveDownload` hands an export to the browser's downloads or
 * the shell's save dialog.
 */
import type { DownloadInfo, UploadInfo, WorkbenchClient } from '../../main/workbench/api.js';
import { CallError } from './context.js';

/**
 * Uploads `file` (chosen or dropped, in either shell) or, with no file, asks the shell's dialog
 * (Electron); null when the user cancelled.
 */
export async function pickFile(
  api: WorkbenchClient,
  file?: Blob & { name: string },
): Promise<UploadInfo | null> {
  const reply = await api.openFile(file);
  if (!reply.ok) throw new CallError(reply.error);
  return reply.value;
}

/** Offers a prepared download (e.g. from `library.export`); false when the user cancelled. */
export async function saveDownload(api: WorkbenchClient, download: DownloadInfo): Promise<boolean> {
  const reply = await api.saveFile(download);
  if (!reply.ok) throw new CallError(reply.error);
  return reply.value.saved;
}
