/**
 * The wizard survives a reload (issue 11: reattach): its choices and job ids go to the tab's
 * sessionStorage; the jobs themselves come back from the service (`jobs.list` in connectStore), so a
 * restore that kept running while the page reloaded shows up again with its progress and Cancel.
 */
import type { AppStore } from './index.js';
import type { WizardSlice } from './wizard.js';

const KEY = 'flashback.wizard.v1';

/** What a persisted wizard must look like to be taken back (anything else is ignored). */
function looksLikeWizard(x: unknown): x is WizardSlice['wizard'] {
  const w = x as Partial<WizardSlice['wizard']> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    typeof w.step === 'string' &&
    typeof w.port === 'object' &&
    typeof w.detectJob === 'object' &&
    typeof w.options === 'object' &&
    Array.isArray(w.mqttJobs)
  );
}

/** Loads the saved wizard into `store`, then saves it on every change; returns the unsubscribe. */
export function persistWizard(store: AppStore, storage: Pick<Storage, 'getItem' | 'setItem'>): () => void {
  try {
    const saved: unknown = JSON.parse(storage.getItem(KEY) ?? 'null');
    if (looksLikeWizard(saved)) store.setState((s) => ({ wizard: { ...s.wizard, ...saved } }));
  } catch {
    // A corrupt entry is dropped: the wizard starts over, the jobs panel still shows every job.
  }
  let last = store.getState().wizard;
  return store.subscribe((s) => {
    if (s.wizard === last) return;
    last = s.wizard;
    try {
      storage.setItem(KEY, JSON.stringify(s.wizard));
    } catch {
      // Storage full or disabled: reload then starts the wizard over.
    }
  });
}
