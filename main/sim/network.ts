/**
 * The virtual boards' network: a process-wide table from the host names/ports their firmware wants
 * (the demo descriptor's `broker.flashback.test:1883`) to real loopback addresses. The MQTT check routes
 * the demo broker name to the broker it uses for the length of the check; anything unmapped is
 * unreachable, so the demo sketch's TCP connect fails as a real one would (rc=-2).
 */
import type { VirtualNetwork } from './firmware-api.js';

export interface Target {
  host: string;
  port: number;
}

export interface RoutableNetwork extends VirtualNetwork {
  /** Maps host:port to target; returns a function that removes exactly this route. */
  route(host: string, port: number, target: Target): () => void;
  /** Removes the route for host:port (whatever it points at). */
  unroute(host: string, port: number): void;
  routes(): Array<{ host: string; port: number; target: Target }>;
}

/** The broker name and port the demo sketch uses (main/sim/demo-image.ts DEMO_APP). */
export const DEMO_BROKER = { host: 'broker.flashback.test', port: 1883 } as const;

export function createNetwork(): RoutableNetwork {
  const table = new Map<string, Target>();
  const key = (host: string, port: number) => `${host.toLowerCase()}:${port}`;
  return {
    resolve(host, port) {
      const t = table.get(key(host, port));
      return t ? { ...t } : null;
    },
    route(host, port, target) {
      const k = key(host, port);
      const t = { ...target };
      table.set(k, t);
      return () => {
        if (table.get(k) === t) table.delete(k);
      };
    },
    unroute(host, port) {
      table.delete(key(host, port));
    },
    routes() {
      return [...table].map(([k, target]) => {
        const i = k.lastIndexOf(':');
        return { host: k.slice(0, i), port: Number(k.slice(i + 1)), target: { ...target } };
      });
    },
  };
}

/** The one network every in-process virtual board uses. */
export const defaultNetwork: RoutableNetwork = createNetwork();
