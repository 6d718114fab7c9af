/**
 * Watching a user's broker from the outside, with what any client may do (no admin rights): a
 * subscription to the board's topic (default: the whole tree), and on mosquitto the `$SYS` tree — the
 * connected-client count and, where the broker publishes its log to `$SYS/broker/log/#`, the
 * "New client connected from … as <client id>" lines, which are the board's CONNECT. Retained messages
 * are old news and are skipped. Says what it could not watch.
 */
import { readFile } from 'node:fs/promises';
import type { IClientOptions } from 'mqtt';
import type { BrokerEvent } from './events.js';

export interface TopicWatchParams {
  url: string;
  topic: string;
  username?: string;
  password?: string;
  caFile?: string;
  clientId?: string;
  /** How long to wait for $SYS to show up (ms). */
  sysWaitMs?: number;
}

export interface TopicWatch {
  /** What the $SYS tree gave us (empty when the broker offers none). */
  sys: string[];
  /** What could not be watched, in words for the report. */
  unwatched: string[];
  close(): Promise<void>;
}

// mosquitto: "1733131313: New client connected from 192.168.1.50:51234 as ESP8266Client-1a2b (p2, c1, k15)."
const NEW_CLIENT = /New client connected from (\S+?)(?::\d+)? as (\S+?)\.?(?: \(p(\d), c\d, k(\d+)\)|$)/;
const CLIENT_GONE = /Client (\S+) (?:disconnected|closed its connection|has exceeded timeout)/;

/** Resolves once subscribed; null when the broker cannot be reached (the host probe reports why). */
export async function watchTopic(
  p: TopicWatchParams,
  onEvent: (e: BrokerEvent) => void,
): Promise<TopicWatch | null> {
  const opts: IClientOptions = {
    clientId: p.clientId ?? `flashback-watch-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(p.username !== undefined ? { username: p.username } : {}),
    ...(p.password !== undefined ? { password: p.password } : {}),
    ...(p.caFile ? { ca: await readFile(p.caFile) } : {}),
  };
  try {
    // Loaded on use: mqtt (and aedes) cost a tenth of a second at every CLI start otherwise.
    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(p.url, opts);
    client.on('error', () => undefined);
    // Set from the message callback: declared so TypeScript does not narrow it to null here.
    let clients = null as string | null;
    let logSeen = false;
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString('utf8');
      if (topic.startsWith('$SYS/')) {
        if (topic === '$SYS/broker/clients/connected') {
          if (clients !== null && text !== clients && !packet.retain)
            onEvent({ kind: 'broker-clients', connected: Number(text) });
          clients = text;
          return;
        }
        if (topic.startsWith('$SYS/broker/log/')) {
          logSeen = true;
          let m: RegExpExecArray | null;
          if ((m = NEW_CLIENT.exec(text)))
            onEvent({
              kind: 'broker-connect',
              clientId: m[2]!,
              address: m[1]!,
              protocolLevel: Number(m[3] ?? 4),
              keepalive: Number(m[4] ?? 0),
            });
          else if ((m = CLIENT_GONE.exec(text)))
            onEvent({ kind: 'broker-disconnect', clientId: m[1]!, address: '?' });
        }
        return;
      }
      // Retained messages were published before the window: not evidence of the board now.
      if (packet.retain) return;
      onEvent({ kind: 'broker-publish', clientId: null, topic, payload: text.slice(0, 200) });
    });
    await client.subscribeAsync(p.topic);
    // $SYS is mosquitto's (and some others'); refusals or silence just mean less to watch.
    await client
      .subscribeAsync(['$SYS/broker/clients/connected', '$SYS/broker/log/#'])
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, p.sysWaitMs ?? 300));
    const sys: string[] = [];
    const unwatched: string[] = [];
    if (clients !== null) sys.push(`$SYS client count (${clients} connected)`);
    if (logSeen) sys.push('$SYS broker log: CONNECTs with client ids');
    else
      unwatched.push(
        "the board's CONNECT: this broker does not publish its log to $SYS (mosquitto: log_dest topic), so only its messages can be seen",
      );
    return { sys, unwatched, close: () => client.endAsync(true) };
  } catch {
    return null;
  }
}
