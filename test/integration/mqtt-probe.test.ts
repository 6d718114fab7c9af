/**
 * Host probe and embedded broker against real peers on loopback: aedes in-process, a refused port, a
 * TCP server that never answers. Debian's mosquitto is in mqtt-mosquitto.test.ts.
 */
import net from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../main/mqtt/embedded-broker.js';
import type { BrokerEvent } from '../../main/mqtt/events.js';
import { parseBrokerUrl, probeBroker } from '../../main/mqtt/host-probe.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('host probe', () => {
  let broker: EmbeddedBroker | undefined;
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
  });

  it('parses broker URLs', () => {
    expect(parseBrokerUrl('mqtt://10.0.0.5')).toMatchObject({ tls: false, host: '10.0.0.5', port: 1883 });
    expect(parseBrokerUrl('mqtts://u:p@broker.lan')).toMatchObject({
      tls: true,
      port: 8883,
      display: 'mqtts://broker.lan:8883',
    });
    expect(() => parseBrokerUrl('http://x')).toThrow(/scheme/);
  });

  it('round-trips through the embedded broker, which records the CONNECT and PUBLISH', async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const seen: BrokerEvent[] = [];
    broker.onEvent((e) => seen.push(e));
    const r = await probeBroker({ url: broker.url, clientId: 'probe-1' });
    expect(r.ok).toBe(true);
    expect(r.connack).toBe(0);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.roundTripMs).not.toBeNull();
    expect(seen.find((e) => e.kind === 'broker-connect')).toMatchObject({
      clientId: 'probe-1',
      protocolLevel: 4,
      address: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(seen.some((e) => e.kind === 'broker-publish' && e.topic === 'flashback/probe/probe-1')).toBe(true);
  });

  it('embedded broker reports a takeover when a second client uses the same id', async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const seen: BrokerEvent[] = [];
    broker.onEvent((e) => seen.push(e));
    const a = await mqtt.connectAsync(broker.url, { clientId: 'clone', reconnectPeriod: 0, keepalive: 15 });
    const b = await mqtt.connectAsync(broker.url, { clientId: 'clone', reconnectPeriod: 0, keepalive: 30 });
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([a.endAsync(true), b.endAsync(true)]);
    expect(
      seen.filter((e) => e.kind === 'broker-connect').map((e) => (e as { keepalive: number }).keepalive),
    ).toEqual([15, 30]);
    expect(seen.some((e) => e.kind === 'broker-takeover' && e.clientId === 'clone')).toBe(true);
  });

  it('an unreachable broker: refused port → TCP error, PubSubClient-equivalent rc=-2', async () => {
    const port = await freePort();
    const r = await probeBroker({ url: `mqtt://127.0.0.1:${port}` });
    expect(r.ok).toBe(false);
    expect(r.tcp).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    expect(r.rcEquivalent).toBe(-2);
  });

  it('a TCP server that never answers CONNECT → no CONNACK (rc -4 equivalent)', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const r = await probeBroker({ url: `mqtt://127.0.0.1:${port}`, connackTimeoutMs: 500 });
      expect(r.tcp.ok).toBe(true);
      expect(r.connack).toBeNull();
      expect(r.rcEquivalent).toBe(-4);
    } finally {
      silent.close();
    }
  });

  it('mqtts:// against a plain MQTT port: TLS fails (rc -2 equivalent) and the diagnosis says TLS/plain mix-up', async () => {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const r = await probeBroker({ url: `mqtts://127.0.0.1:${broker.port}`, connackTimeoutMs: 3000 });
    expect(r.ok).toBe(false);
    expect(r.tcp.ok).toBe(true);
    expect(r.connack).toBeNull();
    expect(r.rcEquivalent).toBe(-2);
    expect(r.error).toMatch(/SSL|TLS|EPROTO|wrong version/i);
  });

  it('honours abort', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(
      probeBroker({ url: `mqtt://127.0.0.1:${port}` }, { signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    silent.close();
  });
});
