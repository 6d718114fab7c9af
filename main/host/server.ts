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
import { open } from 'node:fs/promises';
import { toErrorData } from '../errors.js';
import { DOWNLOAD_PATH, MAX_UPLOAD_BYTES, UPLOAD_PATH, WS_PATH } from '../workbench/api.js';
import { tooBig } from '../workbench/transfers.js';
import { dispatch } from '../workbench/dispatch.js';
import type { WorkbenchService } from '../workbench/service.js';
import { TOKEN_COOKIE, checkRequest, newToken } from './auth.js';
import { contentSecurityPolicy } from '../csp.js';
import { serveStatic } from './static.js';

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

  /** The request's URL, or null when it cannot be parsed or its path cannot be decoded. */
  const urlOf = (req: IncomingMessage): URL | null => {
    try {
      const url = new URL(req.url ?? '/', 'http://placeholder');
      decodeURIComponent(url.pathname);
      return url;
    } catch {
      return null;
    }
  };
  const headers = (req: IncomingMessage): Record<string, string> => ({
    'content-security-policy': contentSecurityPolicy(`ws://${req.headers.host ?? host}`),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Nothing a request carries may end the process: every failure becomes an HTTP error.
    handleRequest(req, res).catch((e: unknown) => fail(res, 500, `Internal error: ${(e as Error).message}`));
  });
  // Malformed HTTP (bad request line, oversized headers): answer 400 and drop the connection.
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const fail = (res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extra });
    res.end(`Flashback: ${message}\n`);
  };

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = urlOf(req);
    if (!url) return fail(res, 400, 'malformed URL', headers(req));
    const auth = checkRequest(req, url, token, allowed);
    if (!auth.ok) {
      return fail(
        res,
        auth.status,
        `${auth.reason}. Open the URL printed by \`flashback serve\` (it carries the token).`,
        headers(req),
      );
    }
    if (url.pathname === UPLOAD_PATH) {
      if (req.method !== 'POST')
        return fail(res, 405, 'upload with POST', { allow: 'POST', ...headers(req) });
      return receiveUpload(req, res, url);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return fail(res, 405, 'method not allowed', { allow: 'GET', ...headers(req) });
    }
    if (url.pathname.startsWith(DOWNLOAD_PATH)) return sendDownload(req, res, url);
    const extra: Record<string, string> = headers(req);
    // The page's own asset requests carry no query string: the cookie authorises them.
    if (auth.viaQuery) extra['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    await serveStatic(opts.staticDir, url.pathname, res, extra);
  }

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  /** Raw bytes in, an upload id out; the size is capped while reading, not after. */
  async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_UPLOAD_BYTES) {
      json(res, 413, { ok: false, error: toErrorData(tooBig(declared)) });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const ok = await new Promise<boolean>((resolve) => {
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_UPLOAD_BYTES) {
          req.removeAllListeners('data');
          req.resume();
          resolve(false);
        } else chunks.push(c);
      });
      req.on('end', () => resolve(true));
      req.on('error', () => resolve(false));
    });
    if (!ok) {
      const error = size > MAX_UPLOAD_BYTES ? tooBig(size) : new Error('The upload was interrupted');
      json(res, size > MAX_UPLOAD_BYTES ? 413 : 400, { ok: false, error: toErrorData(error) });
      return;
    }
    try {
      const info = await opts.service.transfers.addUpload(
        Buffer.concat(chunks),
        url.searchParams.get('name') ?? '',
      );
      json(res, 200, { ok: true, value: info });
    } catch (e) {
      json(res, 400, { ok: false, error: toErrorData(e) });
    }
  }

  /** Streams a prepared export as an attachment (only ids the service handed out). */
  async function sendDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const d = opts.service.transfers.download(url.pathname.slice(DOWNLOAD_PATH.length));
    if (!d) return fail(res, 404, 'no such download; export it again', headers(req));
    const fh = await open(d.file, 'r').catch(() => null);
    if (!fh) return fail(res, 410, 'the exported file is gone; export it again', headers(req));
    const size = (await fh.stat()).size;
    res.writeHead(200, {
      ...headers(req),
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'cache-control': 'no-store',
      // RFC 6266: a plain ASCII fallback plus the exact name, percent-encoded.
      'content-disposition': `attachment; filename="${d.name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(d.name)}`,
    });
    if (req.method === 'HEAD') {
      await fh.close();
      res.end();
      return;
    }
    const stream = fh.createReadStream();
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = urlOf(req);
    const auth = url ? checkRequest(req, url, token, allowed) : { ok: false, status: 400 };
    // A WebSocket from a page always has an Origin; a missing one is a non-browser client, which
    // is fine only with the token (checked above).
    if (!url || !auth.ok || url.pathname !== WS_PATH) {
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
    const refuse = (message: string) =>
      send({
        id: null,
        reply: { ok: false, error: { code: 'BAD_ARGUMENT', message, hint: 'Reload the page.' } },
      });
    const unsubscribe = opts.service.subscribe((event) => send({ event }));
    // An oversized or malformed frame makes ws close the socket with an error: that connection ends
    // (1009 / 1002), the host and its jobs carry on.
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return refuse('Binary messages are not part of the API');
      let msg: unknown;
      try {
        const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
        msg = JSON.parse(bytes.toString('utf8'));
      } catch {
        return refuse('Malformed JSON');
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
        return refuse('A request is a JSON object {id, method, params}');
      const m = msg as { id?: unknown; method?: unknown; params?: unknown };
      const id = typeof m.id === 'number' || (typeof m.id === 'string' && m.id.length <= 64) ? m.id : null;
      dispatch(opts.service, m.method, m.params)
        .then((reply) => send({ id, reply }))
        .catch((e: unknown) => send({ id, reply: { ok: false, error: toErrorData(e) } }));
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
