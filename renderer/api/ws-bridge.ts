/**
 * WorkbenchClient over the browser host's WebSocket (main/host/server.ts): requests carry an id and
 * resolve on the matching `{id, reply}`; `{event}` messages go to subscribers. Reconnects after a drop
 * (host restarted, laptop slept) and fails pending calls with a hint instead of hanging.
 */
import type { Reply, WorkbenchClient, WorkbenchEvent } from '../../main/workbench/api.js';

const WS_PATH = '/api/ws';

export function wsUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

export function createWsClient(url: string): WorkbenchClient & { close(): void } {
  const listeners = new Set<(e: WorkbenchEvent) => void>();
  const pending = new Map<number, (r: Reply<never>) => void>();
  let nextId = 1;
  let ws: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let closed = false;

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

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const s = new WebSocket(url);
      s.onopen = () => {
        ws = s;
        resolve(s);
      };
      s.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as {
          id?: number;
          reply?: Reply<never>;
          event?: WorkbenchEvent;
        };
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
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        s.send(JSON.stringify({ id, method, params }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      void connect().catch(() => undefined);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      ws?.close();
    },
  };
}
