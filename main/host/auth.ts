/**
 * Who may talk to the browser host: a request must name this server in Host (blocks DNS rebinding),
 * carry the random token (query, cookie or header), and, when the browser sends an Origin, come from
 * this server's own origin (blocks other web pages driving the API from the user's browser).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'flashback_token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function tokenFrom(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q) return q;
  const h = req.headers['x-flashback-token'];
  if (typeof h === 'string') return h;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

export interface AuthResult {
  ok: boolean;
  status: number;
  reason?: string;
  /** The token came in the query string: the page load that should set the cookie. */
  viaQuery?: boolean;
}

export function checkRequest(
  req: IncomingMessage,
  url: URL,
  token: string,
  allowedHosts: Set<string>,
): AuthResult {
  const host = req.headers.host ?? '';
  if (!allowedHosts.has(host.toLowerCase()))
    return { ok: false, status: 421, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`)
    return { ok: false, status: 403, reason: 'cross-origin request refused' };
  const got = tokenFrom(req, url);
  if (!got || !sameSecret(got, token)) return { ok: false, status: 401, reason: 'missing or wrong token' };
  return { ok: true, status: 200, viaQuery: url.searchParams.has('token') };
}
