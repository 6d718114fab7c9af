/**
 * WorkbenchClient over the browser host's WebSocket (main/host/server.ts): requests carry an id and
 * resolve on the matching `{id, reply}`; `{event}` messages go to subscribers. Reconnects after a drop
 * (host restarted, laptop slept) and fails pending calls with a hint instead of hanging.
 */
import type {
  JobSnapshot,
  PortInfo,
  Reply,
  UploadInfo,
  WorkbenchClient,
  WorkbenchEvent,
} from '../../main/workbench/api.js';
import { oversized } from './upload.js';

// Literal copies of main/workbench/api.ts: the renderer only `import type`s from main/.
const WS_PATH = '/api/ws';
const UPLOAD_PATH = '/api/upload';
const DOWNLOAD_PATH = '/api/download/';

/** Where the host's HTTP side is and the token it wants (from the page's own URL). */
export interface HttpSide {
  origin: string;
  token: string;
}

export function httpSide(loc: Pick<Location, 'origin' | 'search'>): HttpSide {
  return { origin: loc.origin, token: new URLSearchParams(loc.search).get('token') ?? '' };
}

const unreachable = (message: string): Reply<never> => ({
  ok: false,
  error: { code: 'PORT_CLOSED', message, hint: 'Check that `flashback serve` is still running, then retry.' },
});

/** POSTs the file's bytes; the host answers with the upload id jobs accept. */
export async function uploadOverHttp(
  http: HttpSide,
  file: Blob & { name: string },
  fetchImpl: typeof fetch = fetch,
): Promise<Reply<UploadInfo>> {
  const big = oversized(file);
  if (big) return big;
  try {
    const res = await fetchImpl(`${http.origin}${UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-flashback-token': http.token },
      body: file,
    });
    const body = (await res.json().catch(() => null)) as Reply<UploadInfo> | null;
    return body ?? unreachable(`The upload failed (HTTP ${res.status})`);
  } catch (e) {
    return unreachable(`The upload failed: ${(e as Error).message}`);
  }
}

/** Starts the browser's own download of a prepared export (the page's cookie authorises the GET). */
export function downloadOverHttp(http: HttpSide, id: string, name: string, doc: Document = document): void {
  const a = doc.createElement('a');
  a.href = `${http.origin}${DOWNLOAD_PATH}${encodeURIComponent(id)}`;
  a.download = name;
  a.rel = 'noopener';
  doc.body.appendChild(a);
  a.click();
  a.remove();
}

export function wsUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

export function createWsClient(url: string, http?: HttpSide): WorkbenchClient & { close(): void } {
  const listeners = new Set<(e: WorkbenchEvent) => void>();
  const pending = new Map<number, (r: Reply<never>) => void>();
  let nextId = 1;
  let ws: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let closed = false;
  let everOpened = false;

  const fail = (message: string) => {
    for (const [id, resolve] of pending) {
      resolve({
        ok: false,
        error: {
          code: 'PORT_CLOSED',
          message,
          hint: 'Check that `flashback serve` is still running, then retry.',
        },
      });
      pending.delete(id);
    }
  };

  const request = (s: WebSocket, method: string, params: unknown): Promise<Reply<never>> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      s.send(JSON.stringify({ id, method, params }));
    });
  const resync = async (s: WebSocket) => {
    const emit = (e: WorkbenchEvent) => listeners.forEach((l) => l(e));
    const jobs = (await request(s, 'jobs.list', {})) as Reply<JobSnapshot[]>;
    if (jobs.ok) for (const job of jobs.value) emit({ type: 'job', job });
    const ports = (await request(s, 'ports.list', {})) as Reply<PortInfo[]>;
    if (ports.ok) emit({ type: 'ports', ports: ports.value });
  };

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const s = new WebSocket(url);
      s.onopen = () => {
        ws = s;
        resolve(s);
        // Back after a drop: events sent meanwhile are lost, so fetch the jobs and ports again and
        // replay them as events (a job that ended during the gap must not stay "running").
        if (everOpened) void resync(s);
        everOpened = true;
      };
      s.onmessage = (m) => {
        let msg: { id?: number; reply?: Reply<never>; event?: WorkbenchEvent };
        try {
          msg = JSON.parse(String(m.data)) as typeof msg;
        } catch {
          return;
        }
        if (msg.event) for (const l of listeners) l(msg.event);
        else if (typeof msg.id === 'number' && msg.reply) {
          pending.get(msg.id)?.(msg.reply);
          pending.delete(msg.id);
        }
      };
      s.onclose = () => {
        ws = null;
        opened = null;
        fail('Lost the connection to the Flashback host');
        reject(new Error('closed'));
        if (!closed && listeners.size > 0) setTimeout(() => void connect().catch(() => undefined), 1000);
      };
    });
    return opened;
  };

  return {
    async call(method, params) {
      let s: WebSocket;
      try {
        s = ws ?? (await connect());
      } catch {
        return {
          ok: false,
          error: {
            code: 'PORT_CLOSED',
            message: 'Cannot reach the Flashback host',
            hint: 'Start `flashback serve` and open the URL it prints.',
          },
        };
      }
      return request(s, method, params);
    },
    subscribe(listener) {
      listeners.add(listener);
      void connect().catch(() => undefined);
      return () => listeners.delete(listener);
    },
    nativeFileDialogs: false,
    async openFile(file) {
      if (!file) return { ok: true, value: null };
      if (!http) return unreachable('This page cannot upload files');
      return uploadOverHttp(http, file);
    },
    saveFile(download) {
      if (!http) return Promise.resolve(unreachable('This page cannot download files'));
      downloadOverHttp(http, download.id, download.name);
      return Promise.resolve({ ok: true, value: { saved: true } });
    },
    close() {
      closed = true;
      ws?.close();
    },
  };
}
