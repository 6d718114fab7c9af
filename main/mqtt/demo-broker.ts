/**
 * The demo boards' broker outside a check: the monitor (CLI and workbench) brings up an embedded broker
 * on loopback and routes the demo sketch's broker name to it, so virtual:good connects and publishes in
 * the monitor as it does in the check (and virtual:bad shows its own failure, not a missing broker).
 */
import type { BoardNetwork } from './board-network.js';
import { startEmbeddedBroker } from './embedded-broker.js';

const DEMO_PORTS = /^virtual:(good|bad)$/;

export interface DemoBroker {
  port: number;
  close(): Promise<void>;
}

/** Null for anything but the demo boards. */
export async function startDemoBroker(port: string, network: BoardNetwork): Promise<DemoBroker | null> {
  if (!DEMO_PORTS.test(port)) return null;
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const route = network.routeBroker(port, { host: '127.0.0.1', port: broker.port });
  if (typeof route !== 'function') {
    await broker.close();
    return null;
  }
  const unroute = route;
  return {
    port: broker.port,
    close: async () => {
      unroute();
      await broker.close();
    },
  };
}
