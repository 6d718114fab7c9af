/**
 * The virtual boards' side of the MQTT check's BoardNetwork (main/mqtt/board-network.ts): a virtual
 * board's firmware dials the demo broker name, which is routed to the check's broker for the length of
 * the check. Virtual boards reach only brokers on this host (loopback).
 */
import type { BoardNetwork } from '../mqtt/board-network.js';
import { isLoopbackHost } from '../mqtt/lan.js';
import { parsePortSpec } from '../transport/spec.js';
import { defaultNetwork, DEMO_BROKER, type RoutableNetwork } from './network.js';

export function virtualBoardNetwork(network: RoutableNetwork = defaultNetwork): BoardNetwork {
  return {
    routeBroker(port, broker) {
      let kind: string;
      try {
        kind = parsePortSpec(port).kind;
      } catch {
        return null;
      }
      if (kind !== 'virtual') return null;
      if (!isLoopbackHost(broker.host)) return 'Virtual boards only reach a broker on this host (loopback)';
      return network.route(DEMO_BROKER.host, DEMO_BROKER.port, {
        host: broker.host === 'localhost' ? '127.0.0.1' : broker.host,
        port: broker.port,
      });
    },
  };
}
