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
  /** The scheme does not match the port: mqtt:// on a TLS listener, or mqtts:// on a plain one. */
  tlsMismatch?: 'port-speaks-tls' | 'port-speaks-plain';
  /** The user name the probe logged in with (never the password); absent when it connected anonymously. */
  user?: string;
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
  /**
   * The broker checked is the one the board uses: given with --broker, or a virtual board routed to it.
   * False for the embedded broker on a real board: it is only the board's broker if the board connects.
   */
  boardsBroker?: boolean;
  /** The board reaches this host's loopback (a virtual board): a localhost-only broker does not refuse it. */
  loopbackReach?: boolean;
  /** The board's client id (--client-id): its CONNECT at the broker is proof. */
  clientId?: string;
  /** An explicit --topic (not the default whole tree). */
  topic?: string;
  /** The same sketch passed on another board: evidence that this board's own flash/radio differs. */
  referencePassed?: { port: string };
  /** The broker the board's log names, and what probing it found. */
  namedBroker?: { url: string; probe: HostProbeResult | null };
  /** What was watched on the broker and what could not be. */
  watched?: string[];
  /** No reset: the log starts mid-run. */
  listenOnly?: boolean;
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
  /** Failures before the first successful connect (a recovery when it then stays connected). */
  failuresBeforeConnect: number;
  /** Connected, then lost the connection again (attempt/failure/disconnect after a connect). */
  drops: number;
  crashes: SerialOf<'crash'>[];
  bootFailures: SerialOf<'boot-failure'>[];
  banners: SerialOf<'rom-banner'>[];
  garbageLines: number;
  wifiConnected: boolean;
  wifiFailures: SerialOf<'wifi-failed'>[];
  /** DHCP started and no address followed. */
  dhcpStalled: boolean;
  /** The sketch's retry interval (printed, or the gap between failures), ms. */
  retryMs: number;
  /** Broker CONNECTs other than our own clients'. */
  boardConnects: BrokerOf<'broker-connect'>[];
  /** A CONNECT that is the board's for sure (its --client-id, or the only client on the embedded broker). */
  boardConnected: boolean;
  takeovers: BrokerOf<'broker-takeover'>[];
  boardPublishes: number;
  serialPublishes: number;
  /** Text the app printed last (read at the app rate), for boot-loop verdicts. */
  lastAppLines: string[];
}

const DEFAULT_RETRY_MS = 5000;

export function boardFacts(ev: Evidence): BoardFacts {
  const serial = ev.events.filter((e): e is Serial => e.source === 'serial');
  const broker = ev.events.filter((e): e is Broker => e.source === 'broker');
  const mqttLines = serial.filter((e) => e.kind.startsWith('mqtt-'));
  let connected = false;
  let everConnected = false;
  let drops = 0;
  let failuresBeforeConnect = 0;
  const rcCodes: number[] = [];
  const failures: BoardFacts['failures'] = [];
  for (const e of serial) {
    if (e.kind === 'mqtt-connected') {
      connected = true;
      everConnected = true;
    } else if (e.kind === 'rom-banner' || e.kind === 'boot-ok' || e.kind === 'crash') {
      // A crash or a new boot ends the session without the broker dropping it (crashes are judged on
      // their own: a crash loop after each connect is the sketch's, not a broker kicking the client).
      connected = false;
    } else if (e.kind === 'mqtt-failed' || e.kind === 'mqtt-disconnected' || e.kind === 'mqtt-attempt') {
      if (connected) drops++;
      connected = false;
      if (e.kind === 'mqtt-failed') {
        failures.push(e);
        if (!everConnected) failuresBeforeConnect++;
        if (!rcCodes.includes(e.rc)) rcCodes.push(e.rc);
      }
    }
  }
  const ours = (id: string | null) => !!id && !!ev.probeClientId && id.startsWith(ev.probeClientId);
  const boardConnects = broker.filter(
    (e): e is BrokerOf<'broker-connect'> => e.kind === 'broker-connect' && !ours(e.clientId),
  );
  const boardIds = new Set(boardConnects.map((c) => c.clientId));
  const boardConnected = ev.clientId
    ? boardConnects.some((c) => c.clientId === ev.clientId)
    : ev.brokerWatch === 'embedded' && boardConnects.length > 0;
  const printed = serial.find((e): e is SerialOf<'retry-interval'> => e.kind === 'retry-interval');
  const gaps = failures.slice(1).map((f, i) => f.t - failures[i]!.t);
  const retryMs = printed?.ms ?? (gaps.length ? Math.max(...gaps) : DEFAULT_RETRY_MS);
  const dhcpAt = serial.findLast((e) => e.kind === 'wifi-state' && e.detail === 'dhcp-start');
  const lastAppLines = serial
    .filter((e) => e.kind !== 'garbage' && e.line && (e.baud === undefined || e.baud !== 74_880))
    .filter((e) => e.kind !== 'rom-banner' && e.kind !== 'boot-ok' && e.kind !== 'boot-failure')
    .filter((e) => !/^(load 0x|tail \d|chksum|csum|ho \d|v[0-9a-f]{8}$|~ld$)/.test(e.line ?? ''))
    .slice(-3)
    .map((e) => e.line!);
  return {
    serial,
    broker,
    mqttLines,
    connected,
    everConnected,
    rcCodes,
    failures,
    failuresBeforeConnect,
    drops,
    crashes: serial.filter((e): e is SerialOf<'crash'> => e.kind === 'crash'),
    bootFailures: serial.filter((e): e is SerialOf<'boot-failure'> => e.kind === 'boot-failure'),
    banners: serial.filter((e): e is SerialOf<'rom-banner'> => e.kind === 'rom-banner'),
    garbageLines: serial.filter((e) => e.kind === 'garbage').length,
    wifiConnected: serial.some((e) => e.kind === 'wifi-connected' || e.kind === 'ip'),
    wifiFailures: serial.filter((e): e is SerialOf<'wifi-failed'> => e.kind === 'wifi-failed'),
    dhcpStalled: !!dhcpAt && !serial.some((e) => e.kind === 'ip' && e.t >= dhcpAt.t),
    retryMs,
    boardConnects,
    boardConnected,
    takeovers: broker.filter((e): e is BrokerOf<'broker-takeover'> => e.kind === 'broker-takeover'),
    boardPublishes: broker.filter(
      (e) =>
        e.kind === 'broker-publish' &&
        !ours(e.clientId) &&
        (e.clientId === null || boardIds.has(e.clientId) || ev.brokerWatch === 'topic'),
    ).length,
    serialPublishes: serial.filter((e) => e.kind === 'publish').length,
    lastAppLines,
  };
}

/**
 * The failure has outlasted the sketch's retry interval: two or more failures a retry apart with no
 * connect after them, or one failure followed by a full interval without success.
 */
export function failurePersists(f: BoardFacts, ev: Evidence, minFailures = 2): boolean {
  const after = f.failures.filter((x) => !f.everConnected || x.t > lastConnectT(f));
  if (!after.length || f.connected) return false;
  const span = after.at(-1)!.t - after[0]!.t;
  if (after.length >= minFailures && (span >= f.retryMs * (minFailures - 1) * 0.8 || minFailures <= 1))
    return true;
  // Fewer failures than that, but the window ran a full retry interval past the last one without success.
  return ev.windowMs - after.at(-1)!.t >= f.retryMs * 1.2;
}

function lastConnectT(f: BoardFacts): number {
  return [...f.serial].reverse().find((e) => e.kind === 'mqtt-connected')?.t ?? -1;
}

/**
 * Whether the verdict is already certain, so the check may stop before the window ends:
 * pass after a connect plus two publishes the broker saw (serial publishes when we cannot watch);
 * fail when the same failure repeats across two retry intervals (a transient failure that recovers
 * must not end the check early), a boot-chain failure that halts or loops the chip, or a repeated crash.
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
              e.kind === 'broker-publish' &&
              !(e.clientId ?? '').startsWith(ev.probeClientId ?? '\u0000') &&
              e.t >= lastConnect.t - 50,
          ).length;
    const brokerSawBoard = ev.brokerWatch !== 'embedded' || f.boardConnects.length > 0;
    if (pubsAfter >= 2 && brokerSawBoard && f.drops === 0) return 'pass';
    return null;
  }
  // The broker saw the board's CONNECT and its messages, although the sketch printed nothing of it.
  if (!f.mqttLines.length && f.boardConnected && f.boardPublishes >= 1) return 'pass';
  // A CONNACK refusal is the broker's answer, not a transient: the host probe got the same one.
  const refused = f.failures.at(-1);
  if (refused && refused.rc > 0 && ev.hostProbe?.connack === refused.rc) return 'fail';
  if (ev.hostProbe) {
    const tail = f.mqttLines.filter(
      (e) => e.kind !== 'mqtt-attempt' && e.kind !== 'retry-interval' && e.kind !== 'broker-named',
    );
    const last3 = tail.slice(-3);
    if (
      last3.length === 3 &&
      last3.every((e) => e.kind === 'mqtt-failed' && e.rc === (last3[0] as SerialOf<'mqtt-failed'>).rc) &&
      last3[2]!.t - last3[0]!.t >= f.retryMs * 1.6
    )
      return 'fail';
  }
  if (f.bootFailures.some((b) => b.failure === 'csum-err' || b.failure === 'no-image')) return 'fail';
  if (f.bootFailures.length >= 2) return 'fail';
  // A crash loop is certain once the ROM's own cause for a reboot after the first crash was read (the
  // reader alternates rates across cycles), or after enough crashes that waiting longer adds nothing.
  const firstCrash = f.crashes[0];
  if (
    firstCrash &&
    f.crashes.length >= 2 &&
    (f.banners.some((b) => b.t > firstCrash.t) || f.crashes.length >= 5)
  )
    return 'fail';
  if (f.banners.some((b) => b.bootMode[0] === 1)) return 'fail';
  return null;
}
