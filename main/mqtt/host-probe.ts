/**
 * Host-side broker probe (DESIGN.md "MQTT check" step 1): TCP reachability, CONNACK code and latency,
 * then a publish/subscribe round trip on a private topic, with MQTT.js. Failures are mapped to the code
 * PubSubClient would show for the same thing (notes 7.1: refused/timeout/DNS/TLS → −2, no CONNACK → −4).
 * For a broker on loopback it also tries the port on the LAN addresses, which is how mosquitto ≥ 2.0's
 * local-only mode shows up (notes 7.2).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { IClientOptions, MqttClient } from 'mqtt';
import { abortedError, FlashbackError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import type { HostProbeResult } from './evidence.js';
import { isLoopbackHost, lanAddresses } from './lan.js';

export interface BrokerUrl {
  tls: boolean;
  host: string;
  port: number;
  /** URL without credentials, for reports. */
  display: string;
}

/** The URL with any `user:pass@` replaced, for messages: a password is never echoed back. */
export function withoutCredentials(url: string): string {
  return url.replace(
    /^([a-z][\w+.-]*:\/\/)?[^/?#]*@/i,
    (_m, scheme: string | undefined) => `${scheme ?? ''}***@`,
  );
}

export function parseBrokerUrl(url: string): BrokerUrl {
  let u: URL;
  try {
    u = new URL(url.includes('://') ? url : `mqtt://${url}`);
  } catch {
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `Not a broker URL: ${withoutCredentials(url)}`,
      'Use mqtt://HOST:PORT or mqtts://HOST:PORT',
    );
  }
  const scheme = u.protocol.replace(':', '');
  if (!['mqtt', 'mqtts', 'tcp', 'ssl', 'tls'].includes(scheme))
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `Unsupported broker scheme "${scheme}"`,
      'Use mqtt:// (plain, 1883) or mqtts:// (TLS, 8883)',
    );
  const tls = scheme !== 'mqtt' && scheme !== 'tcp';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : tls ? 8883 : 1883;
  return {
    tls,
    host,
    port,
    display: `${tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
  };
}

export interface HostProbeParams {
  url: string;
  username?: string;
  password?: string;
  /** PEM CA file for mqtts://. */
  caFile?: string;
  /** TCP connect timeout (WiFiClient's is 5 s). */
  tcpTimeoutMs?: number;
  /** CONNACK timeout (PubSubClient's socketTimeout is 15 s). */
  connackTimeoutMs?: number;
  clientId?: string;
}

/** Resolves with the connect time in ms, or rejects with the socket error (code set). */
export function tcpConnect(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const sock = net.connect({ host, port });
    const done = (err?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      if (err) reject(err);
      else resolve(Math.round(performance.now() - start));
    };
    const onAbort = () => done(abortedError('Broker probe'));
    const timer = setTimeout(
      () =>
        done(
          Object.assign(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done());
    sock.once('error', (e) => done(e));
  });
}

const errCode = (e: unknown): string => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : ((e as Error).name ?? 'ERROR');
};

async function mqttConnect(
  b: BrokerUrl,
  p: HostProbeParams,
  clientId: string,
  signal?: AbortSignal,
): Promise<{ client: MqttClient; ms: number }> {
  const opts: IClientOptions = {
    protocol: b.tls ? 'mqtts' : 'mqtt',
    host: b.host,
    port: b.port,
    clientId,
    protocolVersion: 4, // what PubSubClient speaks
    reconnectPeriod: 0,
    connectTimeout: p.connackTimeoutMs ?? 15_000,
    clean: true,
    ...(p.username !== undefined ? { username: p.username } : {}),
    ...(p.password !== undefined ? { password: p.password } : {}),
  };
  if (p.caFile) {
    try {
      opts.ca = await readFile(p.caFile);
    } catch {
      throw new FlashbackError(
        'FILE_NOT_FOUND',
        `Cannot read CA file ${p.caFile}`,
        "Pass the broker's CA certificate (PEM) with --ca",
      );
    }
  }
  // Loaded on use: mqtt (and aedes) cost a tenth of a second at every CLI start otherwise.
  const { default: mqtt } = await import('mqtt');
  const start = performance.now();
  const client = mqtt.connect(opts);
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      signal?.removeEventListener('abort', onAbort);
      client.end(true);
      reject(e);
    };
    const onAbort = () => fail(abortedError('Broker probe'));
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ client, ms: Math.round(performance.now() - start) });
    });
    client.once('error', fail);
    // connectTimeout ends the stream without an 'error': that is "no CONNACK" (PubSubClient −4).
    client.once('close', () =>
      fail(Object.assign(new Error('no CONNACK before the connection closed'), { code: 'NO_CONNACK' })),
    );
  });
}

function roundTrip(client: MqttClient, topic: string, timeoutMs: number): Promise<number> {
  const nonce = randomBytes(8).toString('hex');
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no echo on ${topic} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('message', (t, payload) => {
      if (t === topic && payload.toString() === nonce) {
        clearTimeout(timer);
        resolve(Math.round(performance.now() - start));
      }
    });
    client.subscribe(topic, { qos: 1 }, (err) => {
      if (err) {
        clearTimeout(timer);
        reject(err);
        return;
      }
      client.publish(topic, nonce, { qos: 1 });
    });
  });
}

/** Does the port complete a TLS handshake? (a plain mqtt:// probe against a TLS listener) */
export function speaksTls(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const sock = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      servername: net.isIP(host) ? undefined : host,
    });
    const done = (v: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(v);
    };
    const onAbort = () => done(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('secureConnect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Does the port answer a plain MQTT CONNECT? (an mqtts:// probe against a plain listener) */
async function speaksPlainMqtt(b: BrokerUrl, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: b.host, port: b.port });
    const done = (v: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => {
      // CONNECT, MQTT 3.1.1, clean session, keepalive 10, client id "fbtls"
      sock.write(
        Buffer.from([
          0x10, 17, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 10, 0, 5, 0x66, 0x62, 0x74, 0x6c, 0x73,
        ]),
      );
    });
    sock.once('data', (d) => done(d[0] === 0x20));
    sock.once('error', () => done(false));
  });
}

/** Loopback broker: does its port answer on the LAN addresses too? (mosquitto 2.x local-only check) */
async function lanCheck(
  port: number,
  signal?: AbortSignal,
): Promise<{ loopbackOnly: boolean; lanTried: string[] } | null> {
  const addrs = lanAddresses().map((a) => a.address);
  if (!addrs.length) return null;
  const results = await Promise.all(
    addrs.map((a) =>
      tcpConnect(a, port, 1500, signal).then(
        () => true,
        (e) => (errCode(e) === 'ECONNREFUSED' ? false : null),
      ),
    ),
  );
  if (results.some((r) => r === true)) return { loopbackOnly: false, lanTried: addrs };
  return results.every((r) => r === false) ? { loopbackOnly: true, lanTried: addrs } : null;
}

/** Probes the broker; never throws for broker failures (they are the result), only for bad input or abort. */
export async function probeBroker(p: HostProbeParams, opts: OpOptions = {}): Promise<HostProbeResult> {
  const b = parseBrokerUrl(p.url);
  const { signal } = opts;
  const res: HostProbeResult = {
    url: b.display,
    ok: false,
    tcp: { ok: false, ms: null },
    connack: null,
    ms: null,
    roundTripMs: null,
    rcEquivalent: null,
    ...(p.username !== undefined ? { user: p.username } : {}),
  };
  try {
    res.tcp = { ok: true, ms: await tcpConnect(b.host, b.port, p.tcpTimeoutMs ?? 5000, signal) };
  } catch (e) {
    if (signal?.aborted) throw abortedError('Broker probe');
    res.tcp = { ok: false, ms: null, error: errCode(e) };
    res.error = (e as Error).message;
    res.rcEquivalent = -2;
    return res;
  }
  const clientId = p.clientId ?? `flashback-probe-${randomBytes(3).toString('hex')}`;
  let client: MqttClient | undefined;
  try {
    const c = await mqttConnect(b, p, clientId, signal);
    client = c.client;
    res.connack = 0;
    res.ms = c.ms;
    res.rcEquivalent = 0;
    res.roundTripMs = await roundTrip(client, `flashback/probe/${clientId}`, 5000);
    res.ok = true;
  } catch (e) {
    if (signal?.aborted) throw abortedError('Broker probe');
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') {
      res.connack = code; // MQTT.js puts the CONNACK return code on the error
      res.rcEquivalent = code;
    } else if (res.connack === null) {
      // TCP already connected here, so a missing CONNACK is PubSubClient's −4; TLS errors stay −2.
      res.rcEquivalent = code === 'NO_CONNACK' || /connack timeout/i.test((e as Error).message) ? -4 : -2;
    }
    res.error = `${(e as Error).message}${typeof code === 'string' && !(e as Error).message.includes(code) ? ` (${code})` : ''}`;
  } finally {
    client?.end(true);
  }
  // A scheme that does not match the port: name it rather than report a bare protocol error.
  if (!res.ok && res.connack === null && !signal?.aborted) {
    const budget = Math.min(2000, p.connackTimeoutMs ?? 2000);
    if (!b.tls && (await speaksTls(b.host, b.port, budget, signal))) res.tlsMismatch = 'port-speaks-tls';
    else if (b.tls && (await speaksPlainMqtt(b, budget))) res.tlsMismatch = 'port-speaks-plain';
  }
  if (res.ok && isLoopbackHost(b.host)) Object.assign(res, (await lanCheck(b.port, signal)) ?? {});
  return res;
}
