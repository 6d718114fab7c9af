/**
 * Evidence → verdict and ranked causes (pure). The ranking follows DESIGN.md "MQTT check": host cannot
 * reach the broker → broker/network; host can but the board cannot → board side (factory/RF data,
 * WiFi, firmware); connects then drops → duplicate client id or keepalive. Codes per notes 7.1.
 */
import {
  bootCauses,
  dropCauses,
  hostProbeCauses,
  quietCauses,
  rcCauses,
  type Cause,
  type Ranked,
} from './causes.js';
import { boardFacts, type Evidence } from './evidence.js';

export type { Cause } from './causes.js';

export interface Diagnosis {
  verdict: 'pass' | 'fail' | 'inconclusive';
  board: { connected: boolean; rcCodes: number[] };
  diagnosis: Cause[];
  /** One line for humans. */
  summary: string;
}

export function diagnose(ev: Evidence): Diagnosis {
  const f = boardFacts(ev);
  const brokerSawBoard = ev.brokerWatch !== 'embedded' || f.boardConnects.length > 0;
  const causes: Ranked[] = [...bootCauses(f), ...rcCauses(f, ev), ...dropCauses(f)];
  if (ev.hostProbe && !ev.hostProbe.ok && !f.rcCodes.includes(-2))
    causes.push(...hostProbeCauses(ev.hostProbe).map((c) => ({ ...c, weight: c.weight - 20 })));
  let verdict: Diagnosis['verdict'];
  if (f.connected && f.drops === 0 && brokerSawBoard && f.crashes.length === 0) verdict = 'pass';
  else if (f.connected && !brokerSawBoard) {
    verdict = 'fail';
    causes.push({
      weight: 70,
      cause: 'The board says it is connected, but not to the broker checked here',
      evidence: ['board log: MQTT connected', 'the embedded broker saw no CONNECT from the board'],
      fix: 'Point the firmware at one of the host addresses printed, or pass its broker with --broker',
    });
  } else if (causes.length) verdict = 'fail';
  else if (f.mqttLines.length) {
    verdict = 'inconclusive';
    causes.push({
      weight: 30,
      cause: 'The board tried to connect but no outcome appeared in the window',
      evidence: [`${f.mqttLines.length} MQTT line(s), last: ${f.mqttLines.at(-1)?.kind}`],
      fix: 'Run longer (--duration 30): PubSubClient waits up to 15 s for a CONNACK',
    });
  } else {
    verdict = 'inconclusive';
    causes.push(...quietCauses(f, ev));
  }
  if (verdict === 'pass' && ev.brokerWatch === 'topic' && f.boardPublishes === 0)
    causes.push({
      weight: 10,
      cause: 'No message from the board seen on the watched topic',
      evidence: ['subscription saw nothing'],
      fix: 'Check --topic matches what the sketch publishes',
    });
  if (verdict === 'pass' && ev.hostProbe?.loopbackOnly)
    causes.push({
      weight: 20,
      cause:
        'The broker listens only on localhost: boards on the LAN cannot reach it (mosquitto ≥ 2.0 without a listener line)',
      evidence: [`TCP to the broker port on ${ev.hostProbe.lanTried?.join(', ')} is refused`],
      fix: 'Add "listener 1883" and "allow_anonymous true" (or a password_file) to mosquitto.conf before moving to real boards',
    });
  if (verdict !== 'pass' && f.garbageLines > 0 && !causes.some((c) => c.cause.includes('baud')))
    causes.push({
      weight: 5,
      cause: 'Some output arrived at another baud rate',
      evidence: [`${f.garbageLines} garbled line(s) (not parsed as data)`],
      fix: "Usually the 74880 ROM banner; if app lines are garbled, set --monitor-baud to the sketch's rate",
    });
  causes.sort((a, b) => b.weight - a.weight);
  const diagnosis = causes.map(({ cause, evidence, fix }) => ({ cause, evidence, fix }));
  const summary =
    verdict === 'pass'
      ? `PASS: the board connected${f.boardConnects[0] ? ` as "${f.boardConnects[0].clientId}"` : ''} and stayed connected`
      : `${verdict.toUpperCase()}: ${diagnosis[0]?.cause ?? 'no evidence'}`;
  return { verdict, board: { connected: f.connected, rcCodes: f.rcCodes }, diagnosis, summary };
}
