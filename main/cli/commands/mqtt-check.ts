/** `flashback mqtt-check`: does the board reach its MQTT broker? Verdict + ranked diagnosis (main/mqtt/check.ts). */
import { FlashbackError } from '../../errors.js';
import { runMqttCheck } from '../../mqtt/check.js';
import { virtualBoardNetwork } from '../../sim/index.js';
import type { CliCommand } from '../command.js';

function num(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `--${name} must be a number, got ${JSON.stringify(v)}`,
      `Example: --${name} ${fallback}`,
    );
  return n;
}

export const mqttCheckCommand: CliCommand = {
  name: 'mqtt-check',
  summary: 'Reset the board and check it connects to its MQTT broker (pass/fail with diagnosis)',
  usage:
    'flashback mqtt-check --port P [--broker mqtt://H:P] [--topic T] [--duration S] [--monitor-baud N] [--username U --password W] [--ca FILE] [--json]',
  options: {
    port: { type: 'string', short: 'p' },
    broker: { type: 'string' },
    topic: { type: 'string' },
    duration: { type: 'string' },
    'monitor-baud': { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    ca: { type: 'string' },
    'broker-port': { type: 'string' },
  },
  async run(ctx) {
    const v = ctx.values;
    const port = v.port;
    if (typeof port !== 'string')
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'mqtt-check needs --port',
        'Example: flashback mqtt-check --port /dev/ttyUSB0 (or virtual:good)',
      );
    const opt = (k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
    const r = await runMqttCheck(
      {
        port,
        broker: opt('broker'),
        topic: opt('topic'),
        durationMs: num(v.duration, 'duration', 12) * 1000,
        monitorBaud: num(v['monitor-baud'], 'monitor-baud', 115200),
        username: opt('username'),
        password: opt('password'),
        caFile: opt('ca'),
        embeddedPort: num(v['broker-port'], 'broker-port', 1883),
        network: virtualBoardNetwork(),
      },
      { signal: ctx.signal, log: ctx.err },
    );
    ctx.out(r.summary);
    const hp = r.hostProbe;
    ctx.out(
      `  broker: ${r.broker.url}${r.broker.embedded ? ` (embedded; boards should use ${r.broker.lanAddresses.map((a) => `${a}:${r.broker.port}`).join(' or ') || 'this host'})` : ''}`,
    );
    ctx.out(
      `  host probe: ${hp.ok ? `OK, CONNACK 0 in ${hp.ms} ms, round trip ${hp.roundTripMs} ms` : `failed${hp.connack !== null ? `, CONNACK ${hp.connack}` : ''}: ${hp.error ?? ''}`}`,
    );
    ctx.out(
      `  board: ${r.board.connected ? 'connected' : 'not connected'}${r.board.rcCodes.length ? `, rc=${r.board.rcCodes.join(', rc=')}` : ''} (${r.seconds} s)`,
    );
    r.diagnosis.forEach((d, i) => {
      ctx.out(`${i + 1}. ${d.cause}`);
      for (const e of d.evidence) ctx.out(`     - ${e}`);
      ctx.out(`     fix: ${d.fix}`);
    });
    const { summary: _s, ended: _e, ...json } = r;
    // Scripts can branch on the verdict: 0 pass, 1 fail, 3 inconclusive.
    ctx.exitCode = r.verdict === 'pass' ? 0 : r.verdict === 'fail' ? 1 : 3;
    return json;
  },
};
