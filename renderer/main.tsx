/** Renderer entry: the Electron preload's bridge when present, else the browser host's WebSocket. */
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createElectronClient } from './api/electron-bridge.js';
import { createWsClient, httpSide, wsUrl } from './api/ws-bridge.js';
import { createAppStore } from './store/index.js';
import { persistWizard } from './store/persist.js';
import './styles.css';

const api = window.flashback
  ? createElectronClient(window.flashback)
  : createWsClient(wsUrl(window.location), httpSide(window.location));
const store = createAppStore();
persistWizard(store, window.sessionStorage);
createRoot(document.getElementById('root')!).render(<App api={api} store={store} />);
