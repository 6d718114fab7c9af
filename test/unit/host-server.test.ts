import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDeps } from '../support/fake-deps.js';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../main/host/server.js';
import type { WorkbenchDeps } from '../../main/workbench/deps.js';
import { WorkbenchService } from '../../main/workbench/service.js';

const deps: WorkbenchDeps = fakeDeps({
  listPorts: async () => [
    { path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'good (virtual)' },
  ],
});

function get(
  port: number,
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

function ws(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const s = new WebSocket(url, origin ? { origin } : {});
    s.once('open', () => resolve(s));
    s.once('error', reject);
    s.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('browser host', () => {
  let host: RunningHost;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fb-host-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Flashback</title>');
    await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    host = await startHost({
      service: new WorkbenchService(deps, { shell: 'browser', pollMs: 0 }),
      staticDir: dir,
      port: 0,
    });
  });
  afterAll(() => host.close());

  it('prints a loopback URL with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses requests without the token, with a wrong token, or with a foreign Host', async () => {
    expect((await get(host.port, '/')).status).toBe(401);
    expect((await get(host.port, '/?token=wrong')).status).toBe(401);
    expect((await get(host.port, `/?token=${host.token}`, { host: 'evil.example:80' })).status).toBe(421);
    expect((await get(host.port, `/?token=${host.token}`, { origin: 'http://evil.example' })).status).toBe(
      403,
    );
  });

  it('serves the page with a CSP and sets the cookie that authorises its assets', async () => {
    const page = await get(host.port, `/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Flashback</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const asset = await get(host.port, '/assets/app.js', { cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    // Path traversal falls back to the page, never to files outside the folder.
    const trav = await get(host.port, '/..%2f..%2fetc%2fpasswd', { cookie });
    expect(trav.body).toContain('<title>Flashback</title>');
  });

  it('refuses a WebSocket from another origin or without the token', async () => {
    const base = `ws://127.0.0.1:${host.port}/api/ws`;
    await expect(ws(`${base}?token=${host.token}`, 'http://evil.example')).rejects.toThrow(/403/);
    await expect(ws(base, `http://127.0.0.1:${host.port}`)).rejects.toThrow(/401/);
  });

  it('answers API calls over the WebSocket, validating payloads, and pushes events', async () => {
    const s = await ws(
      `ws://127.0.0.1:${host.port}/api/ws?token=${host.token}`,
      `http://127.0.0.1:${host.port}`,
    );
    type Msg = {
      id?: number | null;
      reply?: { ok: boolean; value?: { path: string }[]; error?: { code: string } };
      event?: { type: string };
    };
    const msgs: Msg[] = [];
    s.on('message', (m: Buffer) => msgs.push(JSON.parse(m.toString('utf8')) as Msg));
    s.send(JSON.stringify({ id: 1, method: 'ports.list', params: {} }));
    s.send(JSON.stringify({ id: 2, method: 'jobs.start', params: { kind: 'backup', params: { port: '' } } }));
    s.send('not json');
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    const r1 = msgs.find((m) => m.id === 1);
    expect(r1?.reply?.ok).toBe(true);
    expect(r1?.reply?.value?.[0]?.path).toBe('virtual:good');
    expect(msgs.find((m) => m.id === 2)?.reply).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    expect(msgs.find((m) => m.id === null)?.reply?.ok).toBe(false);
    expect(msgs.some((m) => m.event?.type === 'ports')).toBe(true);
  });
});
