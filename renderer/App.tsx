/** The workbench shell: header, tabs (Wizard, Compare, Library, Monitor) and the current view. */
import { useEffect, useMemo, useState } from 'react';
import type { WorkbenchClient } from '../main/workbench/api.js';
import { ApiContext } from './api/context.js';
import { CompareView } from './compare/CompareView.js';
import { FlashView } from './flash/FlashView.js';
import { JobsPanel } from './components/JobsPanel.js';
import { LibraryView } from './library/LibraryView.js';
import { MonitorView } from './monitor/MonitorView.js';
import { type AppStore, StoreContext, connectStore, createAppStore } from './store/index.js';
import { Wizard } from './wizard/Wizard.js';

const TABS = [
  { id: 'wizard', label: 'Rescue wizard' },
  { id: 'flash', label: 'Flash firmware' },
  { id: 'compare', label: 'Compare' },
  { id: 'library', label: 'Library' },
  { id: 'monitor', label: 'Monitor' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/**
 * A file dropped where no view takes files would make the browser open it in place of the workbench
 * (losing the page mid-job); refuse it instead, with the "no drop" cursor. Views that take files handle
 * the event first and still get it.
 */
function guardStrayDrops(w: Window): () => void {
  const refuse = (e: DragEvent) => {
    if (e.defaultPrevented) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
  };
  w.addEventListener('dragover', refuse);
  w.addEventListener('drop', refuse);
  return () => {
    w.removeEventListener('dragover', refuse);
    w.removeEventListener('drop', refuse);
  };
}

export function App({ api, store: given }: { api: WorkbenchClient; store?: AppStore }) {
  const store = useMemo(() => given ?? createAppStore(), [given]);
  const [tab, setTab] = useState<Tab>('wizard');
  useEffect(() => connectStore(api, store), [api, store]);
  useEffect(() => guardStrayDrops(window), []);
  const onKey = (e: React.KeyboardEvent, i: number) => {
    // Arrow keys move between tabs (WAI-ARIA tabs pattern).
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    const next = TABS[(i + d + TABS.length) % TABS.length]!;
    setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return (
    <ApiContext.Provider value={api}>
      <StoreContext.Provider value={store}>
        <header className="app-header">
          <h1>Flashback</h1>
          <span className="tagline">ESP8266 backup, restore, flash, compare and MQTT check</span>
        </header>
        <div role="tablist" aria-label="Views" className="tabs">
          {TABS.map((t, i) => (
            <button
              key={t.id}
              id={`tab-${t.id}`}
              role="tab"
              type="button"
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
              onKeyDown={(e) => onKey(e, i)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <JobsPanel />
        <main id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="panel">
          {tab === 'wizard' ? <Wizard /> : null}
          {tab === 'flash' ? <FlashView /> : null}
          {tab === 'compare' ? <CompareView /> : null}
          {tab === 'library' ? <LibraryView /> : null}
          {tab === 'monitor' ? <MonitorView /> : null}
        </main>
      </StoreContext.Provider>
    </ApiContext.Provider>
  );
}
