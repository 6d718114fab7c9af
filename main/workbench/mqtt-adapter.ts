/**
 * Runs the MQTT check (main/mqtt/check.ts) for the workbench: the board's serial lines are tapped from
 * its link as they arrive (annotated with PubSubClient rc meanings, ESP8266-NOTES 7.1), the check's
 * log lines become host events, and the broker's events and verdict are mapped to the wire DTOs.
 */
import type { MqttCheckResult } from '../mqtt/check.js';
import { runMqttCheck } from '../mqtt/check.js';
import { defaultBoardAccess, type BoardAccess } from '../mqtt/board-link.js';
import type { BoardNetwork } from '../mqtt/board-network.js';
import type { TimedEvent } from '../mqtt/events.js';
import type { JobParams, MqttReport } from './api.js';
import type { MqttCheckOptions } from './deps.js';
import { LineSplitter } from './lines.js';
import { Annotator } from '../mqtt/annotate.js';

function brokerText(e: TimedEvent): string | null {
  switch (e.kind) {
    case 'broker-connect':
      return `CONNECT from ${e.address} client id "${e.clientId}" (keepalive ${e.keepalive} s)`;
    case 'broker-disconnect':
      return `client "${e.clientId}" disconnected`;
    case 'broker-takeover':
      return `client id "${e.clientId}" taken over by ${e.address} (duplicate client id)`;
    case 'broker-publish':
      return `PUBLISH ${e.topic} ${JSON.stringify(e.payload.slice(0, 80))}${e.clientId ? ` from "${e.clientId}"` : ''}`;
    case 'broker-client-error':
      return `client "${e.clientId}" error: ${e.error}`;
    default:
      return null;
  }
}

export function mqttReport(r: MqttCheckResult): MqttReport {
  const broker = r.events.filter((e) => e.source === 'broker');
  const ids = new Set<string>();
  let messages = 0;
  let last: string | null = null;
  for (const e of broker) {
    if (e.kind === 'broker-connect' && !e.clientId.startsWith('flashback-')) ids.add(e.clientId);
    if (e.kind === 'broker-publish' && !(e.clientId ?? '').startsWith('flashback-')) {
      messages++;
      last = `${e.topic} ${e.payload.slice(0, 120)}`;
    }
  }
  return {
    verdict: r.verdict,
    broker: r.broker.url,
    board: r.board,
    hostProbe: { ok: r.hostProbe.ok, connack: r.hostProbe.connack, ms: r.hostProbe.ms },
    brokerView: { clientIds: [...ids], messages, lastMessage: last },
    diagnosis: r.diagnosis.map((d) => ({
      cause: d.cause,
      evidence: ([] as string[]).concat(d.evidence).join('; '),
      fix: d.fix,
      code: d.code,
      factoryData: FACTORY_DATA_CAUSES.has(d.code),
      confidence: d.confidence,
      ...(d.confirm ? { confirm: d.confirm } : {}),
    })),
    serialRates: r.serial.rates,
    seconds: r.seconds,
  };
}

/** Causes the factory-data repair addresses (RF init/calibration, SDK system parameters, radio data). */
const FACTORY_DATA_CAUSES: ReadonlySet<string> = new Set(['rf-init-missing', 'system-param', 'board-side']);

export async function runWorkbenchMqttCheck(
  params: JobParams<'mqtt-check'>,
  opts: MqttCheckOptions,
  network?: BoardNetwork,
): Promise<MqttReport> {
  const tapped: BoardAccess = {
    reset: defaultBoardAccess.reset,
    openLink: async (spec, o) => {
      const link = await defaultBoardAccess.openLink(spec, o);
      const annotator = new Annotator();
      const split = new LineSplitter((text) => {
        // Lines at the wrong baud (the 74880 ROM banner read at 115200) are noise: skip mostly-binary ones.
        const printable = text.replace(/[^\x20-\x7e]/g, '');
        if (printable.length < text.length * 0.7 || printable.trim().length === 0) return;
        const l = annotator.push(printable);
        opts.onEvent({
          source: 'serial',
          text: printable,
          ...(l.notes.length ? { meaning: l.notes.join(' | ') } : {}),
          ...(l.rc !== undefined ? { rc: l.rc } : {}),
        });
      });
      link.onData((c) => split.push(c));
      return link;
    },
  };
  const result = await runMqttCheck(
    {
      port: params.port,
      ...(params.broker ? { broker: params.broker } : {}),
      ...(params.topic ? { topic: params.topic } : {}),
      ...(params.durationSec ? { durationMs: params.durationSec * 1000 } : {}),
      ...(params.clientId ? { clientId: params.clientId } : {}),
      ...(params.before ? { before: params.before } : {}),
      ...(params.after ? { after: params.after } : {}),
      ...(params.passedOn ? { referencePassed: { port: params.passedOn } } : {}),
      board: tapped,
      ...(network ? { network } : {}),
    },
    {
      ...opts,
      log: (line) => (opts.onEvent({ source: 'host', text: line }), opts.log?.(line)),
      // The broker's view streams live, beside the serial log.
      onEvent: (e) => {
        const text = brokerText(e);
        if (text) opts.onEvent({ source: 'broker', text, t: e.t });
      },
    },
  );
  opts.onEvent({ source: 'check', text: result.summary });
  return mqttReport(result);
}
