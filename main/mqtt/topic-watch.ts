/**
 * Watching a user's broker from the outside: a subscription on the board's topic. Unlike the embedded
 * broker it cannot see CONNECTs, only what the board publishes (clientId unknown → null).
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
}

export interface TopicWatch {
  close(): Promise<void>;
}

/** Resolves once subscribed; null when the broker cannot be reached (the host probe reports why). */
export async function watchTopic(
  p: TopicWatchParams,
  onEvent: (e: BrokerEvent) => void,
): Promise<TopicWatch | null> {
  const opts: IClientOptions = {
    clientId: `flashback-watch-${Math.random().toString(16).slice(2, 8)}`,
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
    client.on('message', (topic, payload) =>
      onEvent({
        kind: 'broker-publish',
        clientId: null,
        topic,
        payload: payload.toString('utf8').slice(0, 200),
      }),
    );
    await client.subscribeAsync(p.topic);
    return { close: () => client.endAsync(true) };
  } catch {
    return null;
  }
}
