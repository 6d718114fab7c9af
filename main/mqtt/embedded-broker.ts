/**
 * The embedded broker (aedes) the check uses when the user has none: listens on all interfaces so a
 * real board on the LAN can reach it (1883 when free, else a free port), and records what a broker log
 * would show — each CONNECT (client id, address, protocol level, keepalive), takeovers of a client id
 * already connected (pattern 13 in USERS.md), disconnects and PUBLISHes.
 */
import net from 'node:net';
import { FlashbackError } from '../errors.js';
import type { BrokerEvent } from './events.js';
import { lanAddresses } from './lan.js';

export interface EmbeddedBrokerOptions {
  /** Port to try first (default 1883); 0 = any free port. */
  port?: number;
  /** Interface (default 0.0.0.0: boards on the LAN must reach it). */
  host?: string;
}

export interface EmbeddedBroker {
  port: number;
  host: string;
  /** mqtt://127.0.0.1:PORT, for the host probe and in-process virtual boards. */
  url: string;
  /** Where a real board should point (host LAN addresses). */
  lanAddresses: string[];
  /** Subscribe to broker events; returns an unsubscribe function. */
  onEvent(listener: (e: BrokerEvent) => void): () => void;
  close(): Promise<void>;
}

const addr = (c: { conn: unknown }) => {
  const s = c.conn as net.Socket | undefined;
  return `${(s?.remoteAddress ?? '?').replace(/^::ffff:/, '')}:${s?.remotePort ?? '?'}`;
};

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const listeners = new Set<(e: BrokerEvent) => void>();
  const emit = (e: BrokerEvent) => listeners.forEach((l) => l(e));
  const live = new Map<string, number>(); // client id → open connections with that id

  // Loaded on use: mqtt (and aedes) cost a tenth of a second at every CLI start otherwise.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    preConnect: (client, packet, done) => {
      const clientId = packet.clientId ?? '';
      const address = addr(client);
      // Same id already connected: aedes will close the old session, as mosquitto does.
      if ((live.get(clientId) ?? 0) > 0) emit({ kind: 'broker-takeover', clientId, address });
      emit({
        kind: 'broker-connect',
        clientId,
        address,
        protocolLevel: packet.protocolVersion ?? 4,
        keepalive: packet.keepalive ?? 0,
      });
      done(null, true);
    },
  });
  broker.on('client', (c) => live.set(c.id, (live.get(c.id) ?? 0) + 1));
  broker.on('clientDisconnect', (c) => {
    live.set(c.id, Math.max(0, (live.get(c.id) ?? 1) - 1));
    emit({ kind: 'broker-disconnect', clientId: c.id, address: addr(c) });
  });
  broker.on('clientError', (c, err) =>
    emit({ kind: 'broker-client-error', clientId: c.id, error: err.message }),
  );
  broker.on('publish', (packet, client) => {
    if (!client || packet.topic.startsWith('$SYS')) return;
    emit({
      kind: 'broker-publish',
      clientId: client.id,
      topic: packet.topic,
      payload: Buffer.from(packet.payload).toString('utf8').slice(0, 200),
    });
  });

  const host = opts.host ?? '0.0.0.0';
  const server = net.createServer((sock) => broker.handle(sock));
  let port: number;
  try {
    port = await listen(server, opts.port ?? 1883, host);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE' || opts.port === 0) {
      broker.close();
      throw new FlashbackError(
        'BROKER_UNREACHABLE',
        `Cannot start the embedded broker: ${(e as Error).message}`,
        'Pass your own broker with --broker mqtt://HOST:PORT',
      );
    }
    port = await listen(server, 0, host); // 1883 taken (a local mosquitto?): any free port
  }
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    port,
    host,
    url: `mqtt://127.0.0.1:${port}`,
    lanAddresses: lanAddresses().map((a) => a.address),
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () =>
      new Promise<void>((resolve) => {
        listeners.clear();
        for (const s of sockets) s.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
