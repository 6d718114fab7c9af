/**
 * Evidence → verdict and ranked causes (pure). PASS needs the board connected and seen by the broker we
 * watch (or, at the user's broker, its CONNECT/messages even when the sketch prints nothing); a failure
 * that recovers is a PASS that says so. FAIL needs the failure to outlast the sketch's retry interval, or
 * a boot-chain failure, a crash, a WiFi-stage failure. Ranking: see causes.ts.
 */
import {
  bootCauses,
  crashCauses,
  dropCauses,
  hostProbeCauses,
  quietCauses,
  rcCauses,
  wifiCauses,
  type Cause,
  type Ranked,
} from './causes.js';
import type { SymbolTable } from './elf-symbols.js';
import { boardFacts, failurePersists, type Evidence } from './evidence.js';

export type { Cause, CauseCode, Confidence } from './causes.js';

export interface Diagnosis {
  verdict: 'pass' | 'fail' | 'inconclusive';
  board: { connected: boolean; rcCodes: number[] };
  diagnosis: Cause[];
  /** One line for humans. */
  summary: string;
}

export interface DiagnoseOptions {
  symbols?: SymbolTable;
}

export function diagnose(ev: Evidence, opts: DiagnoseOptions = {}): Diagnosis {
  const f = boardFacts(ev);
  const brokerSawBoard = ev.brokerWatch !== 'embedded' || f.boardConnects.length > 0;
  const causes: Ranked[] = [
    ...bootCauses(f, ev),
    ...crashCauses(f, opts.symbols),
    ...wifiCauses(f),
    ...rcCauses(f, ev),
    ...dropCauses(f),
  ];
  // The user's broker itself fails for us too: that is the first thing to fix, whatever the board says.
  if (ev.hostProbe && !ev.hostProbe.ok && ev.boardsBroker && !f.rcCodes.includes(-2))
    causes.push(...hostProbeCauses(ev.hostProbe).map((c) => ({ ...c, weight: c.weight - 20 })));

  // What the broker saw of the board when its log says nothing about MQTT.
  const explicitTopic = ev.brokerWatch === 'topic' && !!ev.topic;
  const brokerEvidence =
    f.boardConnected || (explicitTopic && f.boardPublishes > 0)
      ? 'high'
      : f.boardPublishes > 0 && ev.brokerWatch === 'topic'
        ? 'medium'
        : null;

  let verdict: Diagnosis['verdict'];
  const crashed = f.crashes.length > 0 || f.bootFailures.length > 0;
  const persistent = failurePersists(f, ev);
  if (f.connected && f.drops === 0 && brokerSawBoard && !crashed) {
    verdict = 'pass';
    // The failures before the connect are history, not causes: the recovery note says what they were.
    causes.length = 0;
    if (f.failuresBeforeConnect > 0)
      causes.push({
        code: 'recovered',
        weight: 30,
        confidence: 'high',
        cause: `Recovered after ${f.failuresBeforeConnect} failed attempt${f.failuresBeforeConnect > 1 ? 's' : ''} (rc=${[...new Set(f.failures.map((x) => x.rc))].join(', rc=')}): the first connects failed, the sketch's retry succeeded`,
        evidence: [
          `board log: ${f.failuresBeforeConnect} failure(s), then "connected"`,
          'usually the broker or WiFi/DHCP still starting, or a broker restart',
        ],
        fix: 'Nothing to repair; if it happens at every boot, delay the first connect until WiFi has an IP',
      });
    else if (f.wifiFailures.length)
      causes.push({
        code: 'recovered',
        weight: 25,
        confidence: 'high',
        cause: `WiFi recovered after ${f.wifiFailures.length} failed attempt(s)`,
        evidence: f.wifiFailures.slice(-2).map((w) => `board log: ${w.detail ?? w.stage}`),
        fix: 'Nothing to repair now; frequent WiFi drops point at signal or the AP',
      });
  } else if (f.connected && !brokerSawBoard && !crashed) {
    verdict = 'fail';
    causes.push({
      code: 'not-this-broker',
      weight: 70,
      confidence: 'high',
      cause: 'The board says it is connected, but not to the broker checked here',
      evidence: ['board log: MQTT connected', 'the embedded broker saw no CONNECT from the board'],
      fix: 'Point the firmware at one of the host addresses printed, or pass its broker with --broker',
    });
  } else if (!f.mqttLines.length && brokerEvidence && !crashed && !f.wifiFailures.length) {
    verdict = 'pass';
    causes.push({
      code: 'note',
      weight: 20,
      confidence: brokerEvidence,
      cause: f.boardConnected
        ? `The broker saw the board connect${ev.clientId ? ` as "${ev.clientId}"` : ''} (the sketch prints nothing about MQTT)`
        : `The board's messages arrived at the broker on ${ev.topic ?? 'its topics'} (the sketch prints nothing about MQTT)`,
      evidence: [
        ...(f.boardConnected
          ? [
              `broker: CONNECT from ${f.boardConnects.find((c) => !ev.clientId || c.clientId === ev.clientId)?.address}`,
            ]
          : []),
        `broker: ${f.boardPublishes} message(s) in the window`,
      ],
      fix:
        brokerEvidence === 'medium'
          ? 'Pass --topic or --client-id to tie the messages to this board'
          : 'Nothing to fix',
    });
  } else if (causes.some((c) => c.code !== 'keepalive' && c.code !== 'board-side')) {
    // A connect failure seen once, with the window ending before the sketch's next retry, is not yet a
    // verdict: it may be the broker or WiFi still starting (broker refusals are definitive at once).
    const transientOnly =
      !crashed &&
      !f.wifiFailures.length &&
      !f.drops &&
      !f.takeovers.length &&
      f.failures.length > 0 &&
      f.failures.every((x) => x.rc < 0 && !x.dns);
    if (transientOnly && !persistent) {
      verdict = 'inconclusive';
      causes.push({
        code: 'single-failure',
        weight: 96,
        confidence: 'low',
        cause: `The board failed to connect ${f.failures.length}× but the window ended before its next retry could show whether it recovers`,
        evidence: [
          `retry interval ≈ ${Math.round(f.retryMs / 1000)} s; window ${Math.round(ev.windowMs / 1000)} s`,
        ],
        fix: 'Run longer (--duration 30) so a failure that persists can be told from one that recovers',
      });
    } else verdict = 'fail';
  } else if (f.mqttLines.length) {
    verdict = 'inconclusive';
    causes.push({
      code: 'no-outcome',
      weight: 30,
      confidence: 'low',
      cause: 'The board tried to connect but no outcome appeared in the window',
      evidence: [`${f.mqttLines.length} MQTT line(s), last: ${f.mqttLines.at(-1)?.kind}`],
      fix: 'Run longer (--duration 30): PubSubClient waits up to 15 s for a CONNACK',
    });
  } else {
    verdict = 'inconclusive';
    causes.push(...quietCauses(f, ev));
  }

  if (verdict === 'pass' && ev.brokerWatch === 'topic' && f.boardPublishes === 0 && ev.topic)
    causes.push({
      code: 'note',
      weight: 10,
      confidence: 'medium',
      cause: `No message from the board seen on "${ev.topic}"`,
      evidence: ['subscription saw nothing'],
      fix: 'Check --topic matches what the sketch publishes',
    });
  // Only a virtual board can pass on a loopback-only broker: say a real one would not.
  if (
    verdict === 'pass' &&
    ev.hostProbe?.loopbackOnly &&
    ev.boardsBroker &&
    !f.boardConnects.some((c) => !/^127\.|^::1/.test(c.address))
  )
    causes.push({
      code: 'local-only',
      weight: 20,
      confidence: 'medium',
      cause: 'Note: the broker answers only on localhost, so boards on the LAN could not reach it',
      evidence: [
        `TCP to the broker port on ${ev.hostProbe.lanTried?.join(', ')} is refused while loopback answers`,
      ],
      fix: 'Add "listener 1883" and "allow_anonymous true" (or a password_file) to mosquitto.conf before moving to real boards',
    });
  if (verdict !== 'pass' && f.garbageLines > 0 && !causes.some((c) => c.code === 'wrong-baud'))
    causes.push({
      code: 'note',
      weight: 5,
      confidence: 'low',
      cause: 'Some output arrived at another baud rate',
      evidence: [`${f.garbageLines} garbled line(s) (not parsed as data)`],
      fix: "Usually the 74880 ROM banner read at the app rate; if app lines are garbled, set --monitor-baud to the sketch's rate",
    });
  if (ev.watched?.length && ev.brokerWatch !== 'embedded' && verdict !== 'pass')
    causes.push({
      code: 'note',
      weight: 1,
      confidence: 'high',
      cause: 'What the check could watch at the broker',
      evidence: ev.watched,
      fix: 'Pass --client-id and enable "log_dest topic" on mosquitto to see the board’s CONNECT',
    });

  causes.sort((a, b) => b.weight - a.weight);
  const diagnosis = causes.map(({ weight: _w, ...c }) => c);
  const top = diagnosis[0];
  const summary =
    verdict === 'pass'
      ? `PASS: the board connected${f.boardConnects[0] ? ` as "${f.boardConnects[0].clientId}"` : ''}${top?.code === 'recovered' ? ` — ${top.cause.split(':')[0]!.toLowerCase()}` : ' and stayed connected'}`
      : `${verdict.toUpperCase()}: ${top?.cause ?? 'no evidence'}${top ? ` (${top.confidence} confidence)` : ''}`;
  return { verdict, board: { connected: f.connected, rcCodes: f.rcCodes }, diagnosis, summary };
}
