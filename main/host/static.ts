/** Serves the built renderer (dist-renderer/) with strict headers; unknown paths fall back to index.html. */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    // A malformed escape (`/%E0%A4%A`) is the client's mistake, never the host's end.
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end('Malformed URL\n');
    return;
  }
  let file = path.resolve(root, rel || 'index.html');
  if (!file.startsWith(path.resolve(root) + path.sep)) file = path.join(root, 'index.html');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    file = path.join(root, 'index.html');
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end('The workbench UI is not built. Run `npm run build` (or `npm start`), then reload.\n');
      return;
    }
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const cache = file.includes(`${path.sep}assets${path.sep}`)
    ? 'public, max-age=31536000, immutable'
    : 'no-store';
  res.writeHead(200, { 'content-type': type, 'cache-control': cache, ...headers });
  res.end(body);
}
