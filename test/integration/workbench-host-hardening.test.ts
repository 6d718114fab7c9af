/**
 * Through the browser host's API (issue 11 item 7 and item 10's scrub):
 * - a typed network port is accepted only when it behaves like a serial bridge, so `ports.add` +
 *   `monitor.open` cannot relay an SSH server, a service port or a telnet server that does not speak
 *   RFC 2217 — while a real bridge (a virtual board on raw TCP) still works end to end;
 * - `library.export` returns the scrub's report (blanked sectors, what it found but did not remove,
 *   masked), and the download is the scrubbed image.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { arduinoFsOptions } from '../../main/image/arduino-map.js';
import { startWorkbench, type Workbench } from '../../main/host/index.js';
import { Library } from '../../main/library/library.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { buildDemoImage, DEMO_WIFI } from '../../main/sim/demo-image.js';
import { startSimServer, type SimServer } from '../../main/sim/tcp-server.js';
import { useTempHome } from '../support/home.js';

const home = useTempHome('fb-host-hard-');
const MB = 1 << 20;
let wb: Workbench;
let sock: WebSocket;
let nextId = 1;
const cleanups: Array<() => unknown> = [];

type Reply = { ok: boolean; value?: any; error?: { code: string; message: string; hint: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any

function call(method: string, params: unknown): Promise<Reply> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMsg = (m: Buffer) => {
      const msg = JSON.parse(m.toString('utf8')) as { id?: number; reply?: Reply };
      if (msg.id === id && msg.reply) {
        sock.off('message', onMsg);
        resolve(msg.reply);
      }
    };
    sock.on('message', onMsg);
    sock.send(JSON.stringify({ id, method, params }));
  });
}

/** A TCP server that records what it received and greets (or answers) as told. */
async function fakeService(onConnect: (s: net.Socket) => void) {
  const received: Buffer[] = [];
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.on('data', (d) => received.push(d));
    s.on('error', () => undefined);
    onConnect(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => Buffer.concat(received),
    connections: () => connections,
  };
}

beforeAll(async () => {
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-static-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Flashback</title>');
  cleanups.push(() => fs.rmSync(staticDir, { recursive: true, force: true }));
  wb = await startWorkbench({ port: 0, staticDir });
  sock = new WebSocket(`ws://127.0.0.1:${wb.port}/api/ws?token=${wb.token}`, {
    origin: `http://127.0.0.1:${wb.port}`,
  });
  await new Promise((r, j) => (sock.once('open', r), sock.once('error', j)));
});

afterAll(async () => {
  sock?.close();
  await wb?.close();
  for (const c of cleanups.splice(0).reverse()) await c();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('typed network ports: serial bridges only', () => {
  it('refuses an SSH server, a service port, a closed port and a telnet server without RFC 2217; nothing is relayed', async () => {
    const ssh = await fakeService((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    const telnet = await fakeService((s) => s.write('login: '));
    const closed = await fakeService((s) => s.destroy());
    const closedPort = closed.port;
    for (const c of cleanups.splice(-1)) await c(); // now nothing listens there

    const cases: Array<[string, RegExp]> = [
      [`socket://127.0.0.1:${ssh.port}`, /greets like SSH/],
      ['socket://127.0.0.1:22', /port 22 is the SSH port/],
      ['socket://127.0.0.1:6379', /Redis/],
      ['rfc2217://127.0.0.1:3306', /MySQL/],
      [`socket://127.0.0.1:${closedPort}`, /cannot connect/],
      [`rfc2217://127.0.0.1:${telnet.port}`, /does not agree to the RFC 2217 COM-PORT option/],
    ];
    for (const [port, why] of cases) {
      const added = await call('ports.add', { port });
      expect(added, port).toMatchObject({ ok: false, error: { code: 'BAD_PORT_SPEC' } });
      expect(added.error!.message).toMatch(why);
      expect(added.error!.hint.length).toBeGreaterThan(10);
      // Not added, so not usable: neither the monitor nor a job opens it.
      expect(await call('monitor.open', { port, baud: 115200 })).toMatchObject({
        ok: false,
        error: { code: 'BAD_PORT_SPEC' },
      });
      expect(await call('jobs.start', { kind: 'detect', params: { port } })).toMatchObject({
        ok: false,
        error: { code: 'BAD_PORT_SPEC' },
      });
    }
    const listed = ((await call('ports.list', {})).value as Array<{ path: string }>).map((p) => p.path);
    for (const [port] of cases) expect(listed).not.toContain(port);
    // The SSH server saw only the probe's connection, and not one byte from us.
    expect(ssh.connections()).toBe(1);
    expect(ssh.received().length).toBe(0);
    // The telnet server got only the RFC 2217 offer (IAC WILL COM-PORT-OPTION).
    expect([...telnet.received()]).toEqual([0xff, 0xfb, 44]);
  });

  it('accepts an RFC 2217 bridge that agrees to the COM-PORT option', async () => {
    const bridge = await fakeService((s) =>
      s.on('data', (d) => {
        if (d.includes(Buffer.from([0xff, 0xfb, 44]))) s.write(Buffer.from([0xff, 0xfd, 44]));
      }),
    );
    const port = `rfc2217://127.0.0.1:${bridge.port}`;
    expect(await call('ports.add', { port })).toMatchObject({ ok: true, value: { port } });
  });

  it('a real raw-TCP bridge (a virtual board served as ser2net would) is added, detected and monitored', async () => {
    const board = new VirtualBoard({
      flashSize: MB,
      flash: buildDemoImage('good', MB),
      pace: false,
      bootMode: 'download',
    });
    const server: SimServer = await startSimServer(board);
    cleanups.push(async () => (await server.close(), board.close()));
    const added = await call('ports.add', { port: server.url });
    expect(added).toMatchObject({ ok: true, value: { port: server.url } });
    const started = await call('jobs.start', { kind: 'detect', params: { port: server.url } });
    expect(started.ok).toBe(true);
    const job = await wb.service.waitJob((started.value as { jobId: string }).jobId);
    expect(job?.state, JSON.stringify(job?.error)).toBe('done');
    expect(await call('monitor.open', { port: server.url, baud: 115200 })).toMatchObject({ ok: true });
    expect(await call('monitor.close', { port: server.url })).toMatchObject({ ok: true });
  });
});

describe('library.export over the host API carries the scrub report', () => {
  it('returns what was blanked and what was left (masked), and the download is the scrubbed image', async () => {
    const img = buildDemoImage('good', 4 * MB);
    const fsArea = arduinoFsOptions(4 * MB)[0]!;
    const planted = '{"ssid":"HomeNet","pass":"hunter2-secret"}';
    const at = fsArea.start + 3 * fsArea.blockSize;
    img.set(new TextEncoder().encode(`${planted}\0`), at);
    const entry = await new Library(path.join(home, 'library')).add(img, { label: 'planted' });

    const r = await call('library.export', { id: entry.id, scrub: true });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const value = r.value as {
      download: { id: string; name: string };
      scrubbed: boolean;
      report: {
        blanked: number[];
        findings: Array<{ offset: number; kind: string; masked: string; hint: string }>;
      };
    };
    expect(value.scrubbed).toBe(true);
    expect(value.report.blanked).toEqual([4 * MB - 0x3000]);
    expect(value.report.findings).toEqual([
      expect.objectContaining({ offset: at + planted.indexOf('hunter2-secret'), kind: 'json' }),
    ]);
    expect(value.report.findings[0]!.hint).toMatch(/do not share it publicly/);
    expect(JSON.stringify(r)).not.toContain('hunter2-secret');
    expect(JSON.stringify(r)).not.toContain(DEMO_WIFI.password);

    const body = await new Promise<Buffer>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: wb.port,
            path: `/api/download/${value.download.id}?token=${wb.token}`,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          },
        )
        .on('error', reject);
    });
    expect(body.length).toBe(4 * MB);
    expect(body.includes(DEMO_WIFI.password)).toBe(false); // the SDK's copy was blanked
    expect(body.includes('hunter2-secret')).toBe(true); // the app's copy stays — and the report says so
  });
});
