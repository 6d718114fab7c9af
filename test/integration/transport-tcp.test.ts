import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { openLink } from '../../main/transport/index.js';
import type { Link } from '../../main/transport/link.js';
import { systemTool } from '../support/system-tools.js';

const servers: net.Server[] = [];
const links: Link[] = [];

afterEach(async () => {
  for (const l of links.splice(0)) await l.close().catch(() => undefined);
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function listen(onConn: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConn);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

function collect(link: Link, n: number): Promise<Uint8Array> {
  const parts: number[] = [];
  return new Promise((resolve) => {
    const off = link.onData((c) => {
      parts.push(...c);
      if (parts.length >= n) {
        off();
        resolve(Uint8Array.from(parts));
      }
    });
  });
}

describe('socket:// link', () => {
  it('echoes bytes both ways over real TCP', async () => {
    const port = await listen((s) => s.pipe(s));
    const link = await openLink(`socket://127.0.0.1:${port}`, { baud: 115200 });
    links.push(link);
    expect(link.kind).toBe('tcp');
    expect(link.spec).toBe(`socket://127.0.0.1:${port}`);
    expect(link.capabilities).toEqual({ controlLines: false, baudChange: false });
    const payload = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff);
    const got = collect(link, payload.length);
    await link.write(payload);
    expect(Array.from(await got)).toEqual(Array.from(payload));
  });

  it('records the baud but keeps no control lines (no-ops, no throw)', async () => {
    const port = await listen(() => {});
    const link = await openLink(`socket://127.0.0.1:${port}`, { baud: 115200 });
    links.push(link);
    await link.setSignals({ dtr: true, rts: false });
    await link.setBaud(921600);
    expect(link.baud).toBe(921600);
    await link.flushInput();
    expect(link.isOpen).toBe(true);
  });

  it('reports a far-side close through onClose with an error', async () => {
    let peer: net.Socket | undefined;
    const port = await listen((s) => (peer = s));
    const link = await openLink(`socket://127.0.0.1:${port}`, { baud: 115200 });
    links.push(link);
    const closed = new Promise<Error | undefined>((r) => link.onClose(r));
    await new Promise((r) => setTimeout(r, 20));
    peer!.destroy();
    const err = await closed;
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_CLOSED');
    expect(link.isOpen).toBe(false);
    await expect(link.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'PORT_CLOSED' });
    // A listener added after the close still hears about it.
    expect(await new Promise((r) => link.onClose(r))).toBe(err);
  });

  it('a close we asked for fires onClose once without an error', async () => {
    const port = await listen(() => {});
    const link = await openLink(`socket://127.0.0.1:${port}`, { baud: 115200 });
    const calls: Array<Error | undefined> = [];
    link.onClose((e) => calls.push(e));
    await link.close();
    await link.close();
    expect(calls).toEqual([undefined]);
  });

  it('ECONNREFUSED → PORT_NOT_FOUND with a hint to start the sim or bridge', async () => {
    const port = await listen(() => {});
    await new Promise((r) => servers.pop()!.close(r)); // the port is free now
    const err = await openLink(`socket://127.0.0.1:${port}`, { baud: 115200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlashbackError);
    expect((err as FlashbackError).code).toBe('PORT_NOT_FOUND');
    expect((err as FlashbackError).hint).toMatch(/flashback sim --listen/);
    expect((err as FlashbackError).hint).toMatch(/ser2net/);
  });

  // Node's net.Server always accepts, so a listener that never accepts (backlog full) comes from python3.
  const python = systemTool('python3');
  it.skipIf(python.missing)(
    'times out connecting to a listener whose backlog is full (needs python3)',
    async () => {
      const py = spawn(python.path, [
        '-c',
        'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\n' +
          'c=socket.socket();c.connect(s.getsockname())\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)',
      ]);
      try {
        const port = await new Promise<number>((r) =>
          py.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))),
        );
        const t0 = Date.now();
        const err = await openLink(`socket://127.0.0.1:${port}`, { baud: 115200, timeoutMs: 300 }).catch(
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(FlashbackError);
        expect((err as FlashbackError).code).toBe('TIMEOUT');
        expect((err as FlashbackError).hint).toMatch(/flashback sim --listen/);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
        expect(Date.now() - t0).toBeLessThan(3000);
      } finally {
        py.kill();
      }
    },
  );

  it('rejects a malformed spec before touching the network', async () => {
    await expect(openLink('socket://127.0.0.1', { baud: 115200 })).rejects.toMatchObject({
      code: 'BAD_PORT_SPEC',
    });
  });
});
