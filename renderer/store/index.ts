/** One zustand store per app instance (created with the client, so tests get a fresh one). */
import { createContext, useContext } from 'react';
import { type StoreApi, createStore, useStore } from 'zustand';
import type { WorkbenchClient } from '../../main/workbench/api.js';
import { call } from '../api/context.js';
import { type AppState, createAppSlices } from './slices.js';

export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()(createAppSlices);
}

export const StoreContext = createContext<AppStore | null>(null);

export function useApp<T>(selector: (s: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp outside <StoreContext.Provider>');
  return useStore(store, selector);
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore outside <StoreContext.Provider>');
  return store;
}

/** Feeds bridge events into the store and loads the initial lists; returns the unsubscribe. */
export function connectStore(api: WorkbenchClient, store: AppStore): () => void {
  const refreshLibrary = () =>
    call(api, 'library.list', {})
      .then((l) => store.getState().setLibrary(l))
      .catch(() => undefined);
  const off = api.subscribe((e) => {
    store.getState().apply(e);
    // Backups and restores (with their auto-backup) add library entries.
    if (e.type === 'job' && e.job.state === 'done' && (e.job.kind === 'backup' || e.job.kind === 'restore'))
      void refreshLibrary();
  });
  void call(api, 'ports.list', {})
    .then((p) => store.getState().setPorts(p))
    .catch(() => store.getState().setPorts([]));
  void call(api, 'jobs.list', {})
    .then((jobs) => jobs.forEach((j) => store.getState().upsertJob(j)))
    .catch(() => undefined);
  void refreshLibrary();
  return off;
}
