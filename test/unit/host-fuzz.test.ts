/**
 * The host serves the UI and nothing else (issue 11): no request or message ends the process, files
 * come in only as uploads (size-capped, token-checked) and go out only as downloads of exports the
 * service wrote inside its data folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDeps, nope } from '../support/fake-deps.js';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../main/host/server.js';
import { MAX_UPLOAD_BYTES } from '../../main/workbench/api.js';
import type { WorkbenchDeps } from '../../main/workbench/deps.js';
import { WorkbenchService } from '../../main/workbench/service.js';

const root = path.resolve(__dirname, '../..');

interface Res {
  status: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: Uint8Array },
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function openWs(port: number, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const s = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`, {
      origin: `http://127.0.0.1:${port}`,
    });
    s.once('open', () => resolve(s));
    s.once('error', reject);
  });
}

type Reply = { id?: unknown; reply?: { ok: boolean; value?: unknown; error?: { code: string } } };

/** Sends one request and waits for the reply with that id. */
function rpc(s: WebSocket, id: number, method: string, params: unknown): Promise<Reply['reply']> {
  return new Promise((resolve) => {
    const on = (m: WebSocket.RawData) => {
      const msg = JSON.parse((m as Buffer).toString('utf8')) as Reply;
      if (msg.id === id) {
        s.off('message', on);
        resolve(msg.reply);
      }
    };
    s.on('message', on);
    s.send(JSON.stringify({ id, method, params }));
  });
}

/** Deterministic pseudo-random numbers (a failing seed can be replayed). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('flashback serve survives hostile requests (real process)', () => {
  it('a malformed URL and a WebSocket message over 1 MiB get errors; the process keeps serving', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'fb-serve-fuzz-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/flashback.mjs'), 'serve', '--port', '0'], {
      cwd: root,
      env: { ...process.env, FLASHBACK_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        exitCode = code;
        r(code);
      }),
    );
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (c) => (err += c));
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed; stderr: ${err}`)), 20_000);
        child.stdout.on('data', (c) => {
          out += c;
          const m = /Flashback workbench: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      const u = new URL(url);
      const port = Number(u.port);
      const token = u.searchParams.get('token')!;
      const auth = { 'x-flashback-token': token };

      const bad = await request(port, { path: '/%E0%A4%A', headers: auth });
      expect(bad.status).toBe(400);
      expect((await request(port, { path: '/assets/%E0%A4%A.js', headers: auth })).status).toBe(400);

      const s = await openWs(port, token);
      const closed = new Promise<number>((r) => s.on('close', (code) => r(code)));
      s.on('error', () => undefined);
      s.send(JSON.stringify({ id: 1, method: 'ports.list', params: { pad: 'x'.repeat(1 << 20) } }));
      // 1009 = message too big: that connection ends, nothing else does.
      expect(await closed).toBe(1009);

      const again = await openWs(port, token);
      const reply = await rpc(again, 7, 'app.info', {});
      expect(reply).toMatchObject({ ok: true, value: { shell: 'browser' } });
      again.close();
      expect((await request(port, { path: '/', headers: auth })).status).not.toBe(401);
      expect(exitCode).toBeUndefined();
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  }, 40_000);
});

describe('browser host: uploads, downloads and fuzz (in process)', () => {
  let host: RunningHost;
  let home: string;
  const planned: { image: string }[] = [];
  const problems: unknown[] = [];
  const onProblem = (e: unknown) => problems.push(e);

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'fb-host-files-'));
    const staticDir = path.join(home, 'ui');
    await mkdir(path.join(staticDir, 'assets'), { recursive: true });
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Flashback</title>');
    const deps: WorkbenchDeps = fakeDeps({
      listPorts: async () => [{ path: 'virtual:bad', bridge: 'virtual', virtual: true, label: 'bad' }],
      planRestore: async (p) => {
        planned.push({ image: p.image });
        throw new Error('stop here');
      },
      library: {
        list: async () => [],
        rename: nope,
        remove: nope,
        export: async (id, scrub, dir) => {
          await mkdir(dir, { recursive: true });
          const file = path.join(dir, `${id}.bin`);
          await writeFile(file, Buffer.from(`image ${id}`));
          return { file, name: `kitchen sensor "${id}".bin`, scrubbed: scrub };
        },
      },
      dataHome: home,
    });

    process.on('uncaughtException', onProblem);
    process.on('unhandledRejection', onProblem);
    host = await startHost({
      service: new WorkbenchService(deps, { shell: 'browser', pollMs: 0 }),
      staticDir,
      port: 0,
    });
  });
  afterAll(async () => {
    await host.close();
    process.off('uncaughtException', onProblem);
    process.off('unhandledRejection', onProblem);
  });

  const auth = () => ({ 'x-flashback-token': host.token });

  it('an upload becomes an id that jobs accept; the stored copy is inside the data folder', async () => {
    const bytes = new Uint8Array(4096).map((_, i) => i & 0xff);
    const up = await request(host.port, {
      method: 'POST',
      path: '/api/upload?name=..%2F..%2Fetc%2Fdonor.bin',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(up.status).toBe(200);
    const info = (JSON.parse(String(up.body)) as { value: { id: string; name: string; size: number } }).value;
    // The name is for display only and loses any folders.
    expect(info).toMatchObject({ name: 'donor.bin', size: 4096 });
    expect(info.id).toMatch(/^upload:/);
    const s = await openWs(host.port, host.token);
    const r = await rpc(s, 1, 'jobs.start', {
      kind: 'plan-restore',
      params: { port: 'virtual:bad', image: info.id },
    });
    expect(r?.ok).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
    const stored = planned.at(-1)!.image;
    expect(path.dirname(stored)).toBe(path.join(home, 'uploads'));
    expect(new Uint8Array(await readFile(stored))).toEqual(bytes);
    // A host path is not an image reference, whatever the job.
    for (const [kind, params] of [
      ['plan-restore', { port: 'virtual:bad', image: '/etc/passwd' }],
      ['verify', { port: 'virtual:bad', image: '../../.bashrc' }],
      ['compare', { a: 'virtual:bad', b: '/home/user/.ssh/id_rsa' }],
      ['plan-restore', { port: 'virtual:bad', image: 'upload:doesnotexist0000' }],
    ] as const) {
      const refused = await rpc(s, 2, 'jobs.start', { kind, params });
      expect(refused?.ok, `${kind} ${JSON.stringify(params)}`).toBe(false);
    }
    s.close();
  });

  it('two tabs see the same jobs: events go to every connection, and jobs.list from either', async () => {
    const a = await openWs(host.port, host.token);
    const b = await openWs(host.port, host.token);
    const seenByB: { id: string; state: string }[] = [];
    b.on('message', (m: Buffer) => {
      const msg = JSON.parse(m.toString('utf8')) as {
        event?: { type: string; job?: { id: string; state: string } };
      };
      if (msg.event?.type === 'job') seenByB.push(msg.event.job!);
    });
    const up = await request(host.port, {
      method: 'POST',
      path: '/api/upload?name=x.bin',
      headers: auth(),
      body: new Uint8Array(16),
    });
    const id = (JSON.parse(String(up.body)) as { value: { id: string } }).value.id;
    const r = (await rpc(a, 1, 'jobs.start', {
      kind: 'plan-restore',
      params: { port: 'virtual:bad', image: id },
    })) as {
      value: { jobId: string };
    };
    await expect
      .poll(() => seenByB.filter((j) => j.id === r.value.jobId).map((j) => j.state))
      .toContain('failed');
    const listed = (await rpc(b, 2, 'jobs.list', {})) as { value: { id: string }[] };
    expect(listed.value.map((j) => j.id)).toContain(r.value.jobId);
    a.close();
    b.close();
  });

  it('refuses uploads without the token, from another origin, or over the size limit', async () => {
    const body = new Uint8Array(16);
    expect((await request(host.port, { method: 'POST', path: '/api/upload', body })).status).toBe(401);
    const foreign = await request(host.port, {
      method: 'POST',
      path: '/api/upload',
      headers: { ...auth(), origin: 'http://evil.example' },
      body,
    });
    expect(foreign.status).toBe(403);
    const big = await request(host.port, {
      method: 'POST',
      path: '/api/upload?name=big.bin',
      headers: auth(),
      body: new Uint8Array(MAX_UPLOAD_BYTES + 1),
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(String(big.body))).toMatchObject({ ok: false, error: { code: 'IMAGE_TOO_BIG' } });
    // Chunked, so no Content-Length to refuse early: the cap applies while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, method: 'POST', path: '/api/upload', headers: auth() },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const block = new Uint8Array(1 << 20);
      for (let i = 0; i < 18; i++) req.write(block);
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await request(host.port, { method: 'GET', path: '/api/upload', headers: auth() })).status).toBe(
      405,
    );
  });

  it('exports go out only as downloads of files the service wrote; no destination path is accepted', async () => {
    const s = await openWs(host.port, host.token);
    const refused = await rpc(s, 1, 'library.export', {
      id: 'abcdef',
      scrub: true,
      dest: path.join(os.homedir(), '.bashrc'),
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    const r = (await rpc(s, 2, 'library.export', { id: 'abcdef' })) as {
      ok: boolean;
      value: { download: { id: string; name: string }; scrubbed: boolean };
    };
    s.close();
    expect(r.ok).toBe(true);
    const dl = await request(host.port, { path: `/api/download/${r.value.download.id}`, headers: auth() });
    expect(dl.status).toBe(200);
    expect(String(dl.body)).toBe('image abcdef');
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="kitchen_sensor__abcdef_.bin"/);
    expect(dl.headers['content-disposition']).toContain("filename*=UTF-8''kitchen%20sensor%20_abcdef_.bin");
    expect((await request(host.port, { path: `/api/download/${r.value.download.id}` })).status).toBe(401);
    expect(
      (await request(host.port, { path: '/api/download/..%2F..%2Fetc%2Fpasswd', headers: auth() })).status,
    ).toBe(404);
  });

  it('survives many random HTTP requests and WebSocket payloads, answering each with an error', async () => {
    const rand = rng(20261202);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = (n: number) =>
      Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0x3000))).join('');
    const values = () =>
      pick([
        null,
        42,
        -1,
        1e308,
        'x',
        '',
        true,
        [],
        {},
        { port: 7 },
        { port: 'socket://10.0.0.1:22' },
        { kind: 'restore', params: { planId: 'plan-x', options: { port: 'virtual:bad', image: 'abcdef' } } },
        { kind: 'compare', params: { a: '/etc/passwd', b: '/etc/shadow' } },
        { jobId: {} },
        { id: 'a'.repeat(10_000) },
        { __proto__: { polluted: true } },
        junk(20),
      ]);
    const methods = [
      'app.info',
      'ports.list',
      'ports.add',
      'jobs.start',
      'jobs.cancel',
      'jobs.list',
      'library.export',
      'monitor.open',
      'monitor.close',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'fs.readFile',
      '',
    ];
    const paths = [
      '/%',
      '/%E0%A4%A',
      '/%00',
      '/..',
      '/api/upload',
      '/api/download/',
      '/api/ws',
      '//x',
      '/?a=%',
    ];

    const s = await openWs(host.port, host.token);
    const answers: Reply[] = [];
    s.on('message', (m: Buffer) => answers.push(JSON.parse(m.toString('utf8')) as Reply));
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      const shape = Math.floor(rand() * 6);
      if (shape === 0) s.send(junk(1 + Math.floor(rand() * 50)));
      else if (shape === 1) s.send(JSON.stringify(values()));
      else if (shape === 2) s.send(Buffer.from(junk(10)), { binary: true });
      else if (shape === 3) s.send('['.repeat(5000) + ']'.repeat(5000));
      else s.send(JSON.stringify({ id: 1000 + i, method: pick(methods), params: values() }));
      sent++;
    }
    s.send(JSON.stringify({ id: 'last', method: 'app.info', params: {} }));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (answers.some((a) => a.id === 'last')) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    s.close();
    const replies = answers.filter((a) => a.reply);
    // Every message got an answer; everything but app.info / lists was refused as data.
    expect(replies.length).toBe(sent + 1);
    expect(replies.every((a) => typeof a.reply!.ok === 'boolean')).toBe(true);

    for (let i = 0; i < 150; i++) {
      const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
      const p = `${pick(paths)}${rand() < 0.5 ? encodeURIComponent(junk(5)) : junk(3).replace(/[^\x21-\x7e]/g, '%')}`;
      const res = await request(host.port, {
        method,
        path: p,
        headers: auth(),
        body: new Uint8Array(8),
      }).catch((e: Error) => ({ status: -1, body: Buffer.from(e.message), headers: {} }));
      expect(res.status, `${method} ${p}`).not.toBe(-1);
    }
    // Garbage that is not HTTP at all.
    await new Promise<void>((resolve) => {
      const sock = net.connect(host.port, '127.0.0.1', () => sock.end('\x00\x01GARBAGE / HTTP/9\r\n\r\n'));
      sock.on('data', () => undefined);
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
    });
    const page = await request(host.port, { path: '/', headers: auth() });
    expect(page.status).toBe(200);
    expect(problems).toEqual([]);
  }, 60_000);
});
