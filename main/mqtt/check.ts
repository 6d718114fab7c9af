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
import { readSerialLog, BOOT_LOG_BAUD, type SerialLog } from './serial-log.js';
import { loadElfSymbols } from './elf-symbols.js';
import { watchTopic, type TopicWatch } from './topic-watch.js';

export type CheckBefore = 'default-reset' | 'no-reset' | 'manual';
export type CheckAfter = 'hard-reset' | 'no-reset';

export interface MqttCheckParams {
  port: string;
  /** mqtt://[user:pass@]H:P or mqtts://H:P; omitted → the embedded broker. */
  broker?: string;
  /** Topic to watch on the user's broker (default '#': its whole tree for the window). */
  topic?: string;
  /** The board's MQTT client id: its CONNECT (embedded broker, $SYS log) is proof it connected. */
  clientId?: string;
  /**
   * How the board starts: reset through DTR/RTS (default where the link has control lines), listen to
   * it running (no-reset; the default on socket://), or the user presses RESET (manual).
   */
  before?: CheckBefore;
  /** Reset the board again when done (hard-reset) or leave it running (no-reset, default). */
  after?: CheckAfter;
  /** The ROM's rate (74880 for a 26 MHz crystal, 115200 for 40 MHz). */
  romBaud?: number;
  /** The same sketch passed the check on another board (the wizard knows): board-side evidence. */
  referencePassed?: { port: string };
  /** ELF of the sketch, to name the functions at crash addresses. */
  elfFile?: string;
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
  /** The broker the board's own log named, probed when it differs from the one checked. */
  namedBroker: { url: string; probe: HostProbeResult | null } | null;
  broker: {
    url: string;
    embedded: boolean;
    watch: BrokerWatch;
    port: number;
    lanAddresses: string[];
    /** What was watched on the broker, and what could not be. */
    watched: string[];
  };
  /** How the board was started and how its log was read. */
  serial: { before: CheckBefore; after: CheckAfter; rates: string; switches: number };
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

/** Credentials in mqtt://user:pass@host win only when no --username/--password was given. */
function urlCredentials(url: string): { username?: string; password?: string } {
  try {
    const u = new URL(url.includes('://') ? url : `mqtt://${url}`);
    return {
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    };
  } catch {
    return {};
  }
}

export async function runMqttCheck(
  p: MqttCheckParams,
  opts: MqttCheckOptions = {},
): Promise<MqttCheckResult> {
  const { signal, log } = opts;
  if (signal?.aborted) throw abortedError('MQTT check');
  const durationMs = p.durationMs ?? 12_000;
  const monitorBaud = p.monitorBaud ?? 115_200;
  const romBaud = p.romBaud ?? BOOT_LOG_BAUD;
  const access = p.board ?? defaultBoardAccess;
  const start = performance.now();
  const now = () => Math.round(performance.now() - start);
  // Probes must answer inside the window: a broker that takes TCP and never sends CONNACK is "no
  // CONNACK within the window" (PubSubClient's −4), not a check that overruns.
  const probeBudget = () => Math.max(500, Math.min(15_000, durationMs - now() - 300));
  const events: TimedEvent[] = [];
  const add = (e: TimedEvent) => {
    if (events.length < MAX_EVENTS) events.push(e);
    opts.onEvent?.(e);
  };
  const cleanup: Array<() => unknown> = [];
  const probeAbort = new AbortController();
  let settled = false;
  const onOuterAbort = () => probeAbort.abort();
  signal?.addEventListener('abort', onOuterAbort, { once: true });
  cleanup.push(() => signal?.removeEventListener('abort', onOuterAbort));

  // A bad --elf is a setup error: say so before the window, not after it.
  const symbols = p.elfFile ? await loadElfSymbols(p.elfFile) : null;
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
    const cred = { ...urlCredentials(url) };
    const username = p.username ?? cred.username;
    const password = p.password ?? cred.password;
    const onBroker = (e: BrokerEvent) => add({ ...e, t: now(), source: 'broker' });
    let watch: BrokerWatch = 'none';
    const watched: string[] = [];
    if (embedded) {
      cleanup.push(embedded.onEvent(onBroker));
      watch = 'embedded';
      watched.push('embedded broker: every CONNECT, client id and PUBLISH');
    }
    // A simulated board reaches the broker through the network it was given (real boards: nothing).
    const route = p.network?.routeBroker(p.port, { host: b.host, port: b.port }) ?? null;
    // Its network is the simulator's: the broker it reaches is the one routed here, never its own.
    const virtual = route !== null;
    if (typeof route === 'string') log?.(`${route}; ${b.display} is out of its reach`);
    else if (route) cleanup.push(route);

    // 2. Host probe, concurrently with the board (it takes ms; the board takes seconds).
    const probeClientId = `flashback-probe-${randomBytes(3).toString('hex')}`;
    let hostProbe: HostProbeResult | null = null;
    const probing = probeBroker(
      {
        url,
        username,
        password,
        caFile: p.caFile,
        clientId: probeClientId,
        // Room left after the CONNACK wait for the TLS sniff (≤ 2 s) inside the window.
        connackTimeoutMs: Math.max(500, probeBudget() - 2000),
        tcpTimeoutMs: Math.min(5000, probeBudget()),
      },
      { signal: probeAbort.signal },
    ).then(async (r) => {
      hostProbe = r;
      // The check already ended (a setup error, an abort): its broker is gone, so this result says nothing.
      if (settled) return;
      log?.(
        `Host probe: ${r.ok ? `OK, CONNACK 0 in ${r.ms} ms` : `failed (${r.connack !== null ? `CONNACK ${r.connack}` : (r.tcp.error ?? r.error)})`}`,
      );
      if (!embedded && r.connack === 0) {
        const topic = p.topic ?? '#';
        const w: TopicWatch | null = await watchTopic(
          { url, topic, username, password, caFile: p.caFile, clientId: `${probeClientId}-w` },
          onBroker,
        );
        // The check ended while the watch subscribed: its cleanup already ran, so close the watch here.
        if (settled) return void (await w?.close());
        if (w) {
          cleanup.push(() => w.close());
          watch = 'topic';
          watched.push(
            `subscription to "${topic}" (new, non-retained messages${p.topic ? '' : ' on the whole tree'})`,
            ...w.sys,
          );
        } else watched.push(`could not subscribe to "${topic}" on ${b.display}`);
        watched.push(...(w?.unwatched ?? []));
      }
    });
    probing.catch(() => undefined); // awaited below; this only keeps an early exit from leaving it unhandled

    // 3. The board's log, at both rates where the link allows.
    let namedBroker: MqttCheckResult['namedBroker'] = null;
    let namedProbing: Promise<void> = Promise.resolve();
    const parser = new LogParser();
    const onLine = (raw: string, baud: number) => {
      const { line, events: evs } = parser.push(raw);
      // Kept by reference: the parser completes a crash event when its register line follows.
      for (const e of evs) {
        add(
          Object.assign(e, {
            t: now(),
            source: 'serial' as const,
            baud,
            ...(line ? { line } : {}),
          }),
        );
        if (e.kind === 'broker-named' && !namedBroker) namedProbing = probeNamed(e.host, e.port);
      }
    };
    // The board names its own broker: if it is not the one checked here, probe that one too.
    const probeNamed = async (host: string, port: number | undefined) => {
      const target = parseBrokerUrl(`mqtt://${host.includes(':') ? `[${host}]` : host}:${port ?? 1883}`);
      const same = target.host === b.host && target.port === b.port;
      namedBroker = { url: target.display, probe: same ? hostProbe : null };
      if (same || probeAbort.signal.aborted) return;
      log?.(`The board's log names its broker ${target.display}: probing it too`);
      try {
        namedBroker.probe = await probeBroker(
          {
            url: target.display,
            // The user's credentials are for the user's broker: never sent to another host the log names.
            ...(target.host === b.host ? { username, password } : {}),
            connackTimeoutMs: probeBudget(),
            tcpTimeoutMs: Math.min(5000, probeBudget()),
          },
          { signal: probeAbort.signal },
        );
      } catch {
        // Aborted at the window's end: left unprobed.
      }
    };

    const caps = await openBoard(access, p.port, romBaud);
    const link = caps.link;
    cleanup.push(() => link.close());
    const before: CheckBefore = p.before ?? (link.capabilities.controlLines ? 'default-reset' : 'no-reset');
    const after: CheckAfter = p.after ?? 'no-reset';
    if (!p.before && !link.capabilities.controlLines)
      log?.(
        `${p.port} has no reset lines: listening to the board as it runs (use --before manual and press RESET to see it boot)`,
      );
    else if (before === 'default-reset' && !link.capabilities.controlLines)
      log?.(`${p.port} has no reset lines: cannot reset the board, listening only`);
    const resetting = (before === 'default-reset' && link.capabilities.controlLines) || before === 'manual';
    const rates = !link.capabilities.baudChange
      ? `one fixed rate set by the bridge, not by flashback: text at another rate (the ROM/SDK at ${romBaud}) shows as garbage`
      : `ROM/SDK text at ${romBaud}, the app at ${monitorBaud}, switching on each reboot`;
    log?.(`Reading the board's log: ${rates}`);
    const serial: SerialLog = readSerialLog(link, {
      monitorBaud,
      romBaud,
      startAt: resetting ? 'rom' : 'app',
      awaitBanner: before === 'manual',
      bannerWaitMs: before === 'manual' ? durationMs : undefined,
      onLine,
      onSwitch: (baud, why) => log?.(`serial: ${baud} baud (${why})`),
      signal,
    });
    cleanup.push(() => serial.stop());
    // At the user's broker the watch must be subscribed before the board boots, or its CONNECT is missed.
    if (!embedded && resetting)
      await Promise.race([probing.catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    if (before === 'manual')
      log?.(`Press RESET on the board now; waiting for its boot banner at ${romBaud} baud`);
    else if (resetting) {
      // The board may have booted (power-on) while we waited: read the banner of our reset at the ROM rate.
      await serial.expectBoot();
      await access.reset(link);
    }

    // 4. Watch the window.
    const evidence = (): Evidence => ({
      events,
      hostProbe,
      brokerWatch: watch,
      probeClientId,
      serialLines: serial.lines,
      windowMs: now(),
      boardsBroker: !!p.broker || virtual,
      ...(virtual ? { loopbackReach: true } : {}),
      ...(p.clientId ? { clientId: p.clientId } : {}),
      ...(p.topic ? { topic: p.topic } : {}),
      ...(p.referencePassed ? { referencePassed: p.referencePassed } : {}),
      ...(namedBroker ? { namedBroker } : {}),
      watched,
      listenOnly: !resetting,
    });
    let ended: MqttCheckResult['ended'] = 'window';
    while (now() < durationMs) {
      if (signal?.aborted) throw abortedError('MQTT check');
      opts.onProgress?.({ phase: 'watching', done: now(), total: durationMs, bytesPerSec: 0 });
      if (p.earlyStop !== false && hostProbe && certainty(evidence())) {
        ended = 'certain';
        break;
      }
      // Never sleep past the window: the verdict is due at durationMs, not up to 100 ms later.
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(100, durationMs - now()))));
    }
    // Whatever the probes have not answered by now goes unanswered: the window is the limit.
    probeAbort.abort();
    await probing.catch(() => undefined);
    await namedProbing;
    await serial.stop();
    if (after === 'hard-reset' && link.capabilities.controlLines) await access.reset(link);
    hostProbe ??= unansweredProbe(b.display, now());
    const d = diagnose(evidence(), symbols ? { symbols } : {});
    return {
      ...d,
      port: p.port,
      hostProbe,
      namedBroker,
      broker: {
        url: b.display,
        embedded: !!embedded,
        watch,
        port: b.port,
        lanAddresses: embedded?.lanAddresses ?? [],
        watched,
      },
      serial: { before, after, rates, switches: serial.switches },
      events,
      seconds: Math.round(now() / 100) / 10,
      ended,
    };
  } finally {
    settled = true;
    probeAbort.abort();
    for (const c of cleanup.reverse()) {
      try {
        await c();
      } catch {
        // Best effort: a link that already dropped cannot be closed twice.
      }
    }
  }
}

/** Opens the board's port at the ROM rate (the reader moves it to the app rate when needed). */
async function openBoard(access: BoardAccess, port: string, romBaud: number): Promise<{ link: Link }> {
  return { link: await access.openLink(port, { baud: romBaud }) };
}

/** The probe did not finish inside the window (a broker that accepts TCP and never answers). */
function unansweredProbe(url: string, ms: number): HostProbeResult {
  return {
    url,
    ok: false,
    tcp: { ok: false, ms: null, error: 'NO_ANSWER' },
    connack: null,
    ms: null,
    roundTripMs: null,
    rcEquivalent: -4,
    error: `no answer within the check's window (${Math.round(ms / 1000)} s)`,
  };
}
