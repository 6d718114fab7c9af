/**
 * A store per compare pane (STYLE.md 11): what the pane compares (a port, a library backup or an
 * image file). Two panes, two independent stores, created with their initial props.
 */
import { createStore, type StoreApi } from 'zustand';

export type SourceKind = 'port' | 'library' | 'file';

export interface PaneState {
  side: 'a' | 'b';
  kind: SourceKind;
  value: string;
  setKind(kind: SourceKind): void;
  setValue(value: string): void;
}

export type PaneStore = StoreApi<PaneState>;

export function createPaneStore(init: { side: 'a' | 'b'; kind?: SourceKind; value?: string }): PaneStore {
  return createStore<PaneState>()((set) => ({
    side: init.side,
    kind: init.kind ?? 'port',
    value: init.value ?? '',
    setKind: (kind) => set({ kind, value: '' }),
    setValue: (value) => set({ value }),
  }));
}
