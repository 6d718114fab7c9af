/**
 * Facts derived from the check's timeline (pure): what the board's log says about WiFi and MQTT, and
 * what the broker saw of it. diagnosis.ts ranks causes from these; check.ts uses `certainty` to stop early.
 */
import type { BrokerEvent, LogEvent, TimedEvent } from './events.js';

export interface HostProbeResult {
  /** Broker URL without credentials. */
  url: string;
  /** CONNACK 0 and the publish/subscribe round trip came back. */
  ok: boolean;
  tcp: { ok: boolean; ms: number | null; error?: string };
  /** CONNACK return code (0 = accepted), null when none arrived. */
  connack: number | null;
  /** Milliseconds from TCP connect start to CONNACK. */
  ms: number | null;
  roundTripMs: number | null;
  /** What PubSubClient would have reported for the same failure (notes 7.1, derived mapping). */
  rcEquivalent: number | null;
  error?: string;
  /** Broker on loopback answers at 127.0.0.1 but refuses on the LAN addresses (mosquitto 2.x local-only). */
  loopbackOnly?: boolean;
  lanTried?: string[];
}

export type BrokerWatch = 'embedded' | 'topic' | 'none';

export interface Evidence {
  events: TimedEvent[];
  hostProbe: HostProbeResult | null;
  brokerWatch: BrokerWatch;
  /** Our own probe's client id, so its CONNECT is not taken for the board's. */
  probeClientId?: string;
  /** Serial lines received (any content), to tell "printed nothing" from "printed unknown text". */
  serialLines: number;
  windowMs: number;
}

type Serial = TimedEvent & LogEvent;
type Broker = TimedEvent & BrokerEvent;
type SerialOf<K extends LogEvent['kind']> = TimedEvent & Extract<LogEvent, { kind: K }>;
type BrokerOf<K extends BrokerEvent['kind']> = TimedEvent & Extract<BrokerEvent, { kind: K }>;

export interface BoardFacts {
  serial: Serial[];
  broker: Broker[];
  mqttLines: Serial[];
  /** Connected at the end of the window (last MQTT state line is "connected"). */
  connected: boolean;
  everConnected: boolean;
  /** Failure codes in order of first appearance. */
  rcCodes: number[];
  failures: SerialOf<'mqtt-failed'>[];
  /** Connected, then lost the connection again (attempt/failure/disconnect after a connect). */
  drops: number;
  crashes: SerialOf<'crash'>[];
  bootFailures: SerialOf<'boot-failure'>[];
  banners: SerialOf<'rom-banner'>[];
  garbageLines: number;
  wifiConnected: boolean;
  wifiFailed: boolean;
  /** Broker CONNECTs other than our probe's. */
  boardConnects: BrokerOf<'broker-connect'>[];
  takeovers: BrokerOf<'broker-takeover'>[];
  boardPublishes: number;
  serialPublishes: number;
}

export function boardFacts(ev: Evidence): BoardFacts {
  const serial = ev.events.filter((e): e is Serial => e.source === 'serial');
  const broker = ev.events.filter((e): e is Broker => e.source === 'broker');
  const mqttLines = serial.filter((e) => e.kind.startsWith('mqtt-'));
  let connected = false;
  let everConnected = false;
  let drops = 0;
  const rcCodes: number[] = [];
  const failures: BoardFacts['failures'] = [];
  for (const e of serial) {
    if (e.kind === 'mqtt-connected') {
      connected = true;
      everConnected = true;
    } else if (
      e.kind === 'mqtt-failed' ||
      e.kind === 'mqtt-disconnected' ||
      e.kind === 'mqtt-attempt' ||
      e.kind === 'crash' ||
      e.kind === 'rom-banner'
    ) {
      if (connected) drops++;
      connected = false;
      if (e.kind === 'mqtt-failed') {
        failures.push(e);
        if (!rcCodes.includes(e.rc)) rcCodes.push(e.rc);
      }
    }
  }
  const boardConnects = broker.filter(
    (e): e is BrokerOf<'broker-connect'> => e.kind === 'broker-connect' && e.clientId !== ev.probeClientId,
  );
  const boardIds = new Set(boardConnects.map((c) => c.clientId));
  return {
    serial,
    broker,
    mqttLines,
    connected,
    everConnected,
    rcCodes,
    failures,
    drops,
    crashes: serial.filter((e): e is SerialOf<'crash'> => e.kind === 'crash'),
    bootFailures: serial.filter((e): e is SerialOf<'boot-failure'> => e.kind === 'boot-failure'),
    banners: serial.filter((e): e is SerialOf<'rom-banner'> => e.kind === 'rom-banner'),
    garbageLines: serial.filter((e) => e.kind === 'garbage').length,
    wifiConnected: serial.some((e) => e.kind === 'wifi-connected' || e.kind === 'ip'),
    wifiFailed: serial.some((e) => e.kind === 'wifi-failed'),
    boardConnects,
    takeovers: broker.filter((e): e is BrokerOf<'broker-takeover'> => e.kind === 'broker-takeover'),
    boardPublishes: broker.filter(
      (e) =>
        e.kind === 'broker-publish' &&
        e.clientId !== ev.probeClientId &&
        (e.clientId === null || boardIds.has(e.clientId) || ev.brokerWatch === 'topic'),
    ).length,
    serialPublishes: serial.filter((e) => e.kind === 'publish').length,
  };
}

/**
 * Whether the verdict is already certain, so the check may stop before the window ends:
 * pass after a connect plus two publishes the broker saw (serial publishes when we cannot watch);
 * fail after two consecutive identical failures with the host probe done, a boot-chain failure that
 * halts or loops the chip, or a repeated crash.
 */
export function certainty(ev: Evidence): 'pass' | 'fail' | null {
  const f = boardFacts(ev);
  if (f.connected) {
    const lastConnect = [...f.serial].reverse().find((e) => e.kind === 'mqtt-connected')!;
    const pubsAfter =
      ev.brokerWatch === 'none'
        ? f.serial.filter((e) => e.kind === 'publish' && e.t >= lastConnect.t).length
        : f.broker.filter(
            (e) =>
              e.kind === 'broker-publish' && e.clientId !== ev.probeClientId && e.t >= lastConnect.t - 50,
          ).length;
    const brokerSawBoard = ev.brokerWatch !== 'embedded' || f.boardConnects.length > 0;
    if (pubsAfter >= 2 && brokerSawBoard && f.drops === 0) return 'pass';
    return null;
  }
  if (ev.hostProbe) {
    const last2 = f.mqttLines.filter((e) => e.kind === 'mqtt-failed').slice(-2);
    const lastTwoLines = f.mqttLines.filter((e) => e.kind !== 'mqtt-attempt').slice(-2);
    if (
      last2.length === 2 &&
      lastTwoLines.every((e) => e.kind === 'mqtt-failed') &&
      last2[0]!.rc === last2[1]!.rc
    )
      return 'fail';
  }
  if (f.bootFailures.some((b) => b.failure === 'csum-err' || b.failure === 'no-image')) return 'fail';
  if (f.bootFailures.length >= 2 || f.crashes.length >= 2) return 'fail';
  if (f.banners.some((b) => b.bootMode[0] === 1)) return 'fail';
  return null;
}
