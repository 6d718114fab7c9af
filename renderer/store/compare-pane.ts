/**
 * A store per compare pane (STYLE.md 11): what the pane compares (a port, a library backup or an
 * uploaded image file). Two panes, two independent stores, created with their initial props.
 */
import { createStore, type StoreApi } from 'zustand';
import type { UploadInfo } from '../../main/workbench/api.js';

export type SourceKind = 'port' | 'library' | 'file';

export interface PaneState {
  side: 'a' | 'b';
  kind: SourceKind;
  value: string;
  /** For an image file: the upload (its id is `value`). */
  upload: UploadInfo | null;
  setKind(kind: SourceKind): void;
  setValue(value: string): void;
  setUpload(upload: UploadInfo): void;
}

export type PaneStore = StoreApi<PaneState>;

export function createPaneStore(init: { side: 'a' | 'b'; kind?: SourceKind; value?: string }): PaneStore {
  return createStore<PaneState>()((set) => ({
    side: init.side,
    kind: init.kind ?? 'port',
    value: init.value ?? '',
    upload: null,
    setKind: (kind) => set({ kind, value: '', upload: null }),
    setValue: (value) => set({ value }),
    setUpload: (upload) => set({ value: upload.id, upload }),
  }));
}
