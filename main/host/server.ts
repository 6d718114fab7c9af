/**
 * The browser host: WorkbenchApi over HTTP + WebSocket for when there is no Electron (DESIGN.md
 * "Layers"). Bound to 127.0.0.1 by default; every request needs the random token (./auth.ts). The
 * page is the same renderer build the desktop app loads; the API is one WebSocket carrying
 * `{id, method, params}` requests, `{id, reply}` answers and `{event}` pushes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH } from '../workbench/api.js';
import { dispatch } from '../workbench/dispatch.js';
import type { WorkbenchService } from '../workbench/service.js';
import { TOKEN_COOKIE, checkRequest, newToken } from './auth.js';
import { contentSecurityPolicy, serveStatic } from './static.js';

export interface HostOptions {
  service: WorkbenchService;
  /** Folder with the built renderer (index.html + assets/). */
  staticDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE = 1 << 20;

/** Bound to all interfaces, the page may be opened by any of this machine's addresses. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined)
    .map((a) => a.address);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const allowed = new Set<string>();
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const sockets = new Set<WebSocket>();

  const urlOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://placeholder');
  const headers = (req: IncomingMessage): Record<string, string> => ({
    'content-security-policy': contentSecurityPolicy(`ws://${req.headers.host ?? host}`),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = urlOf(req);
    const auth = checkRequest(req, url, token, allowed);
    if (!auth.ok) {
      res.writeHead(auth.status, { 'content-type': 'text/plain; charset=utf-8', ...headers(req) });
      res.end(
        `Flashback: ${auth.reason}. Open the URL printed by \`flashback serve\` (it carries the token).\n`,
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', ...headers(req) });
      res.end();
      return;
    }
    const extra: Record<string, string> = headers(req);
    // The page's own asset requests carry no query string: the cookie authorises them.
    if (auth.viaQuery) extra['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    void serveStatic(opts.staticDir, url.pathname, res, extra);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = urlOf(req);
    const auth = checkRequest(req, url, token, allowed);
    // A WebSocket from a page always has an Origin; a missing one is a non-browser client, which
    // is fine only with the token (checked above).
    if (!auth.ok || url.pathname !== WS_PATH) {
      socket.end(`HTTP/1.1 ${auth.ok ? 404 : auth.status} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    const send = (msg: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = opts.service.subscribe((event) => send({ event }));
    ws.on('message', (raw) => {
      let msg: { id?: unknown; method?: unknown; params?: unknown };
      try {
        const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
        msg = JSON.parse(bytes.toString('utf8')) as typeof msg;
      } catch {
        send({
          id: null,
          reply: {
            ok: false,
            error: { code: 'BAD_ARGUMENT', message: 'Malformed JSON', hint: 'Reload the page.' },
          },
        });
        return;
      }
      const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
      void dispatch(opts.service, msg.method, msg.params).then((reply) => send({ id, reply }));
    });
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const names = [
    shown,
    host,
    'localhost',
    '127.0.0.1',
    ...(host === '0.0.0.0' || host === '::' ? lanAddresses() : []),
  ];
  // IPv6 literals appear bracketed in a Host header.
  for (const h of names) allowed.add(`${h.includes(':') ? `[${h}]` : h}:${port}`.toLowerCase());
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
