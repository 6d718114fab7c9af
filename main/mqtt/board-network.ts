/**
 * How the MQTT check lets a board whose network is simulated reach the broker it uses. Real boards
 * have their own network and need nothing; virtual boards (main/sim) route their firmware's broker
 * name to the check's broker. Passed in by the composition root, so main/mqtt knows nothing of the
 * simulator.
 */
export interface BrokerTarget {
  host: string;
  port: number;
}

export interface BoardNetwork {
  /**
   * Makes the board on `port` reach `broker` for the check. Returns the undo, `null` when there is
   * nothing to route (a real board), or a sentence saying why the board cannot reach that broker.
   */
  routeBroker(port: string, broker: BrokerTarget): (() => void) | null | string;
}
