/**
 * The Flash-firmware view's slice: the port, the files with their addresses and what each one is, the
 * write options, and the job ids (plan, write, verify, erase, import). Any change to the files or the
 * options drops the plan, so the Write button always matches what the user sees.
 */
import type { StateCreator } from 'zustand';
import type { ErrorData, FileInfo, UploadInfo, WritePlanView } from '../../main/workbench/api.js';
import type { AppState } from './slices.js';
import { jobResult } from './wizard.js';

export interface FlashFile {
  upload: UploadInfo;
  /** What the user typed (hex or decimal); `address` is null while it does not parse. */
  addressText: string;
  address: number | null;
  /** True once the user chose an address (a recognised kind then no longer moves it). */
  addressChosen: boolean;
  info: (FileInfo & { name: string; size: number }) | null;
  infoError: ErrorData | null;
  /** Library entry label once "Add to the library" succeeded. */
  imported: string | null;
}

export type FlashJobKey = 'detectJob' | 'planJob' | 'writeJob' | 'verifyJob' | 'eraseJob';

export interface FlashOptions {
  flashMode: 'keep' | 'qio' | 'qout' | 'dio' | 'dout';
  flashSize: 'keep' | 'detect';
  backup: boolean;
}

export interface FlashSlice {
  flash: {
    port: string | null;
    files: FlashFile[];
    options: FlashOptions;
  } & Record<FlashJobKey, string | null>;
  setFlashPort(port: string | null): void;
  addFlashFile(upload: UploadInfo): void;
  removeFlashFile(id: string): void;
  setFileAddress(id: string, text: string, chosen?: boolean): void;
  setFileInfo(id: string, info: FlashFile['info'], error?: ErrorData | null): void;
  setFileImported(id: string, label: string): void;
  setFlashOptions(o: Partial<FlashOptions>): void;
  setFlashJob(key: FlashJobKey, jobId: string | null): void;
}

/** "0x3FC000", "4177920" or "3fc000h"-free hex: a non-negative multiple of 4, else null. */
export function parseAddress(text: string): number | null {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) && n >= 0 && n % 4 === 0 ? n : null;
}

export const hexAddress = (n: number) => `0x${n.toString(16).toUpperCase()}`;

const noPlan = { planJob: null, writeJob: null } as const;

export const flashPlanOf = (s: AppState): WritePlanView | null => jobResult(s, s.flash.planJob, 'plan-write');

export const createFlashSlice: StateCreator<AppState, [], [], FlashSlice> = (set) => {
  const files = (fn: (f: FlashFile[]) => FlashFile[]) =>
    set((s) => ({ flash: { ...s.flash, files: fn(s.flash.files), ...noPlan } }));
  const patch = (id: string, p: Partial<FlashFile>) =>
    files((fs) => fs.map((f) => (f.upload.id === id ? { ...f, ...p } : f)));
  return {
    flash: {
      port: null,
      files: [],
      options: { flashMode: 'keep', flashSize: 'keep', backup: true },
      detectJob: null,
      planJob: null,
      writeJob: null,
      verifyJob: null,
      eraseJob: null,
    },
    setFlashPort: (port) =>
      set((s) => ({
        flash: { ...s.flash, port, detectJob: null, verifyJob: null, eraseJob: null, ...noPlan },
      })),
    addFlashFile: (upload) =>
      files((fs) => [
        ...fs,
        {
          upload,
          addressText: '',
          address: null,
          addressChosen: false,
          info: null,
          infoError: null,
          imported: null,
        },
      ]),
    removeFlashFile: (id) => files((fs) => fs.filter((f) => f.upload.id !== id)),
    setFileAddress: (id, text, chosen = true) =>
      patch(id, { addressText: text, address: parseAddress(text), addressChosen: chosen }),
    setFileInfo: (id, info, error = null) => patch(id, { info, infoError: error }),
    // Importing does not change what would be written: keep the plan.
    setFileImported: (id, label) =>
      set((s) => ({
        flash: {
          ...s.flash,
          files: s.flash.files.map((f) => (f.upload.id === id ? { ...f, imported: label } : f)),
        },
      })),
    setFlashOptions: (o) =>
      set((s) => ({ flash: { ...s.flash, options: { ...s.flash.options, ...o }, ...noPlan } })),
    setFlashJob: (key, jobId) =>
      set((s) => ({ flash: { ...s.flash, [key]: jobId, ...(key === 'planJob' ? { writeJob: null } : {}) } })),
  };
};
