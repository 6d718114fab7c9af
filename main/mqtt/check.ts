/**
 * The live MQTT connect check (DESIGN.md "MQTT check"): host probe + broker watch + the board's serial
 * log over one window, then a verdict with a ranked diagnosis. Ends early when the verdict is certain
 * (evidence.ts `certainty`). Everything it starts — embedded broker, watch client, link, virtual
 * network route — is stopped before it returns, also on abort.
 */
import { randomBytes } from 'node:crypto';
import { abortedError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import type { Link } from '../transport/link.js';
import { defaultBoardAccess, type BoardAccess } from './board-link.js';
import type { BoardNetwork } from './board-network.js';
import { diagnose, type Diagnosis } from './diagnosis.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import type { BrokerEvent, TimedEvent } from './events.js';
import { certainty, type BrokerWatch, type Evidence, type HostProbeResult } from './evidence.js';
import { parseBrokerUrl, probeBroker } from './host-probe.js';
import { LogParser } from './log-parser.js';
import { readSerialLog, ROM_BAUD, type SerialLog } from './serial-log.js';
import { watchTopic, type TopicWatch } from './topic-watch.js';

export interface MqttCheckParams {
  port: string;
  /** mqtt://H:P or mqtts://H:P; omitted → the embedded broker. */
  broker?: string;
  /** Topic to watch on the user's broker (the embedded broker sees everything). */
  topic?: string;
  /** Window in ms (default 12 000). */
  durationMs?: number;
  monitorBaud?: number;
  username?: string;
  password?: string;
  caFile?: string;
  /** Embedded broker port to try first (default 1883; 0 = any free port). */
  embeddedPort?: number;
  /** Stop as soon as the verdict is certain (default true). */
  earlyStop?: boolean;
  /** Board access (default: main/transport + hard reset). */
  board?: BoardAccess;
  /** Routes a simulated board's broker name to the check's broker (virtual boards); default none. */
  network?: BoardNetwork;
}

export interface MqttCheckResult extends Diagnosis {
  port: string;
  hostProbe: HostProbeResult;
  broker: { url: string; embedded: boolean; watch: BrokerWatch; port: number; lanAddresses: string[] };
  events: TimedEvent[];
  seconds: number;
  /** Why the window ended. */
  ended: 'certain' | 'window';
}

const MAX_EVENTS = 1000;

export interface MqttCheckOptions extends OpOptions {
  /** Each timeline event as it happens (the workbench streams the broker's view live). */
  onEvent?: (e: TimedEvent) => void;
}

export async function runMqttCheck(
  p: MqttCheckParams,
  opts: MqttCheckOptions = {},
): Promise<MqttCheckResult> {
  const { signal, log } = opts;
  if (signal?.aborted) throw abortedError('MQTT check');
  const durationMs = p.durationMs ?? 12_000;
  const monitorBaud = p.monitorBaud ?? 115_200;
  const access = p.board ?? defaultBoardAccess;
  const start = performance.now();
  const now = () => Math.round(performance.now() - start);
  const events: TimedEvent[] = [];
  const add = (e: TimedEvent) => {
    if (events.length < MAX_EVENTS) events.push(e);
    opts.onEvent?.(e);
  };
  const cleanup: Array<() => unknown> = [];

  try {
    // 1. The broker: the user's, or our embedded one.
    let embedded: EmbeddedBroker | null = null;
    if (!p.broker) {
      embedded = await startEmbeddedBroker({ port: p.embeddedPort ?? 1883 });
      cleanup.push(() => embedded!.close());
      log?.(
        `Embedded broker on port ${embedded.port}; point the sketch at ${embedded.lanAddresses.map((a) => `${a}:${embedded!.port}`).join(' or ') || 'this host'}`,
      );
    }
    const url = p.broker ?? embedded!.url;
    const b = parseBrokerUrl(url);
    const onBroker = (e: BrokerEvent) => add({ ...e, t: now(), source: 'broker' });
    let watch: BrokerWatch = 'none';
    if (embedded) {
      cleanup.push(embedded.onEvent(onBroker));
      watch = 'embedded';
    }
    // A simulated board reaches the broker through the network it was given (real boards: nothing).
    const route = p.network?.routeBroker(p.port, { host: b.host, port: b.port }) ?? null;
    if (typeof route === 'string') log?.(`${route}; ${b.display} is out of its reach`);
    else if (route) cleanup.push(route);

    // 2. Host probe, concurrently with the board (it takes ms; the board takes seconds).
    const probeClientId = `flashback-probe-${randomBytes(3).toString('hex')}`;
    let hostProbe: HostProbeResult | null = null;
    const probing = probeBroker(
      { url, username: p.username, password: p.password, caFile: p.caFile, clientId: probeClientId },
      { signal },
    ).then(async (r) => {
      hostProbe = r;
      log?.(
        `Host probe: ${r.ok ? `OK, CONNACK 0 in ${r.ms} ms` : `failed (${r.connack !== null ? `CONNACK ${r.connack}` : (r.tcp.error ?? r.error)})`}`,
      );
      if (!embedded && p.topic && r.ok) {
        const w: TopicWatch | null = await watchTopic(
          { url, topic: p.topic, username: p.username, password: p.password, caFile: p.caFile },
          onBroker,
        );
        if (w) {
          cleanup.push(() => w.close());
          watch = 'topic';
        }
      }
    });
    probing.catch(() => undefined); // awaited below; this only keeps an early exit from leaving it unhandled

    // 3. The board: listen first, then reset, so the ROM banner is not missed.
    const parser = new LogParser();
    const onLine = (raw: string) => {
      const { line, events: evs } = parser.push(raw);
      // Kept by reference: the parser completes a crash event when its register line follows.
      for (const e of evs)
        add(
          Object.assign(e, {
            t: now(),
            source: 'serial' as const,
            ...(line ? { line } : {}),
          }),
        );
    };
    const link: Link = await access.openLink(p.port, { baud: ROM_BAUD });
    cleanup.push(() => link.close());
    if (link.baud !== ROM_BAUD && link.capabilities.baudChange) await link.setBaud(ROM_BAUD);
    if (!link.capabilities.baudChange && link.baud !== monitorBaud)
      log?.(`${p.port} runs at ${link.baud} baud; the ROM banner will not be readable`);
    const serial: SerialLog = readSerialLog(link, { monitorBaud, onLine, signal });
    cleanup.push(() => serial.stop());
    await access.reset(link);

    // 4. Watch the window.
    const evidence = (): Evidence => ({
      events,
      hostProbe,
      brokerWatch: watch,
      probeClientId,
      serialLines: serial.lines,
      windowMs: now(),
    });
    let ended: MqttCheckResult['ended'] = 'window';
    while (now() < durationMs) {
      if (signal?.aborted) throw abortedError('MQTT check');
      opts.onProgress?.({ phase: 'watching', done: now(), total: durationMs, bytesPerSec: 0 });
      if (p.earlyStop !== false && hostProbe && certainty(evidence())) {
        ended = 'certain';
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await probing;
    await serial.stop();
    const d = diagnose(evidence());
    return {
      ...d,
      port: p.port,
      hostProbe: hostProbe!,
      broker: {
        url: b.display,
        embedded: !!embedded,
        watch,
        port: b.port,
        lanAddresses: embedded?.lanAddresses ?? [],
      },
      events,
      seconds: Math.round(now() / 100) / 10,
      ended,
    };
  } finally {
    for (const c of cleanup.reverse()) {
      try {
        await c();
      } catch {
        // Best effort: a link that already dropped cannot be closed twice.
      }
    }
  }
}
