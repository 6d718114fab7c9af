/**
 * The browser's WebSocket client (renderer/api/ws-bridge.ts) against a scripted host: after the
 * connection drops and comes back, it fetches the jobs and ports again, so a job that ended during
 * the gap does not stay "running" on screen (issue 11: reattach).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { JobSnapshot, WorkbenchEvent } from '../../main/workbench/api.js';

// The renderer uses the browser's WebSocket; `ws` offers the same onopen/onmessage/onclose surface.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
const { createWsClient } = await import('../../renderer/api/ws-bridge.js');

const job = (state: JobSnapshot['state']): JobSnapshot => ({
  id: 'j1',
  kind: 'restore',
  port: 'virtual:bad',
  state,
  progress: null,
  startedAt: 1,
});

describe('ws bridge', () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  afterAll(() => new Promise<void>((r) => wss.close(() => r())));

  it('after a reconnect, replays the jobs and ports it missed as events', async () => {
    let connections = 0;
    wss.on('connection', (sock) => {
      connections++;
      const n = connections;
      sock.on('message', (raw: Buffer) => {
        const { id, method } = JSON.parse(raw.toString('utf8')) as { id: number; method: string };
        const value =
          method === 'jobs.list'
            ? [job(n === 1 ? 'running' : 'cancelled')]
            : method === 'ports.list'
              ? []
              : {};
        sock.send(JSON.stringify({ id, reply: { ok: true, value } }));
      });
      // The first connection sees the job start, then drops (host restarted, laptop slept).
      if (n === 1) {
        sock.send(JSON.stringify({ event: { type: 'job', job: job('running') } }));
        setTimeout(() => sock.terminate(), 100);
      }
    });
    const port = (wss.address() as AddressInfo).port;
    const client = createWsClient(`ws://127.0.0.1:${port}/api/ws`);
    const events: WorkbenchEvent[] = [];
    const off = client.subscribe((e) => events.push(e));
    await expect
      .poll(() => events.filter((e) => e.type === 'job').map((e) => (e.type === 'job' ? e.job.state : '')), {
        timeout: 5000,
      })
      .toEqual(['running', 'cancelled']);
    expect(events.some((e) => e.type === 'ports')).toBe(true);
    expect(connections).toBe(2);
    off();
    client.close();
  });
});
