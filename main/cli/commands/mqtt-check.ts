/** `flashback mqtt-check`: does the board reach its MQTT broker? Verdict + ranked diagnosis (main/mqtt/check.ts). */
import { FlashbackError } from '../../errors.js';
import { runMqttCheck, type CheckAfter, type CheckBefore } from '../../mqtt/check.js';
import { parseBrokerUrl } from '../../mqtt/host-probe.js';
import { BOOT_LOG_BAUD } from '../../mqtt/serial-log.js';
import { EXIT, setupExit } from '../exit-codes.js';
import { bad, str } from '../args.js';
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

export function oneOf<T extends string>(
  v: string | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (v === undefined) return undefined;
  const x = v.replace(/_/g, '-') as T;
  if (!allowed.includes(x))
    throw bad(`--${name} ${v} is not one of ${allowed.join(', ')}`, `Use one of: ${allowed.join(', ')}.`);
  return x;
}

export const BEFORE: readonly CheckBefore[] = ['default-reset', 'no-reset', 'manual'];
export const AFTER: readonly CheckAfter[] = ['hard-reset', 'no-reset'];

export const mqttCheckCommand: CliCommand = {
  name: 'mqtt-check',
  summary: 'Reset the board and check it connects to its MQTT broker (pass/fail with diagnosis)',
  usage: [
    'flashback mqtt-check --port P [--broker mqtt://[USER:PASS@]H:P] [--topic T] [--client-id ID] [--duration S]',
    '       [--before default-reset|no-reset|manual] [--after hard-reset|no-reset] [--monitor-baud N] [--rom-baud N]',
    '       [--username U --password W] [--ca FILE] [--elf FILE] [--passed-on PORT] [--json]',
    '',
    '  --before     default-reset pulses EN through DTR/RTS; no-reset listens to the running board (the',
    '               default on socket://, which has no reset lines); manual asks you to press RESET',
    '  --topic      watched at your broker (default "#": its whole tree for the window); with --client-id',
    '               and mosquitto "log_dest topic", the board\'s CONNECT is seen in $SYS',
    '  --elf        names the functions at crash addresses (epc1 and the stack)',
    '  --passed-on  the same sketch passed on PORT: board-side evidence for ranking a restore first',
    "  --rom-baud   the ROM's rate: 74880 (26 MHz crystal, default) or 115200 (40 MHz)",
    '',
    'Exit codes: 0 PASS, 1 FAIL, 3 INCONCLUSIVE, 2 usage or setup error (bad option, port missing or busy)',
  ].join('\n'),
  options: {
    port: { type: 'string', short: 'p' },
    broker: { type: 'string' },
    topic: { type: 'string' },
    'client-id': { type: 'string' },
    duration: { type: 'string' },
    before: { type: 'string' },
    after: { type: 'string' },
    'monitor-baud': { type: 'string' },
    'rom-baud': { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    ca: { type: 'string' },
    elf: { type: 'string' },
    'passed-on': { type: 'string' },
    'broker-port': { type: 'string' },
  },
  async run(ctx) {
    const v = ctx.values;
    const port = str(ctx, 'port');
    if (!port)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'mqtt-check needs --port',
        'Example: flashback mqtt-check --port /dev/ttyUSB0 (or virtual:good)',
      );
    const broker = str(ctx, 'broker');
    if (broker) parseBrokerUrl(broker); // bad URL → BAD_ARGUMENT before anything opens
    const before = oneOf(str(ctx, 'before'), BEFORE, 'before');
    const after = oneOf(str(ctx, 'after'), AFTER, 'after');
    const passedOn = str(ctx, 'passed-on');
    const r = await runMqttCheck(
      {
        port,
        broker,
        topic: str(ctx, 'topic'),
        clientId: str(ctx, 'client-id'),
        durationMs: num(v.duration, 'duration', 12) * 1000,
        monitorBaud: num(v['monitor-baud'], 'monitor-baud', 115200),
        romBaud: num(v['rom-baud'], 'rom-baud', BOOT_LOG_BAUD),
        username: str(ctx, 'username'),
        password: str(ctx, 'password'),
        caFile: str(ctx, 'ca'),
        elfFile: str(ctx, 'elf'),
        embeddedPort: num(v['broker-port'], 'broker-port', 1883),
        network: virtualBoardNetwork(),
        ...(before ? { before } : {}),
        ...(after ? { after } : {}),
        ...(passedOn ? { referencePassed: { port: passedOn } } : {}),
      },
      { signal: ctx.signal, log: ctx.err },
    ).catch((e: unknown) => {
      // Port missing/busy/no permission, unreadable --ca/--elf: setup errors, not a verdict (exit 2).
      throw setupExit(e);
    });
    ctx.out(r.summary);
    const hp = r.hostProbe;
    ctx.out(
      `  broker: ${r.broker.url}${r.broker.embedded ? ` (embedded; boards should use ${r.broker.lanAddresses.map((a) => `${a}:${r.broker.port}`).join(' or ') || 'this host'})` : ''}`,
    );
    ctx.out(
      `  host probe: ${hp.ok ? `OK, CONNACK 0 in ${hp.ms} ms, round trip ${hp.roundTripMs} ms` : `failed${hp.connack !== null ? `, CONNACK ${hp.connack}` : ''}: ${hp.error ?? ''}${hp.tlsMismatch === 'port-speaks-tls' ? ' — this port speaks TLS' : ''}`}`,
    );
    if (r.namedBroker)
      ctx.out(
        `  the board's log names its broker ${r.namedBroker.url}${r.namedBroker.probe ? `: ${r.namedBroker.probe.ok ? 'reachable from here' : `not reachable from here (${r.namedBroker.probe.error ?? r.namedBroker.probe.tcp.error})`}` : ''}`,
      );
    ctx.out(
      `  board: ${r.board.connected ? 'connected' : 'not connected'}${r.board.rcCodes.length ? `, rc=${r.board.rcCodes.join(', rc=')}` : ''} (${r.seconds} s; ${r.serial.rates})`,
    );
    r.diagnosis.forEach((d, i) => {
      ctx.out(`${i + 1}. ${d.cause} [${d.confidence} confidence]`);
      for (const e of d.evidence) ctx.out(`     - ${e}`);
      ctx.out(`     fix: ${d.fix}`);
      if (d.confirm) ctx.out(`     to confirm: ${d.confirm}`);
    });
    const { summary: _s, ended: _e, ...json } = r;
    // Scripts can branch on the verdict: 0 pass, 1 fail, 3 inconclusive (2 = usage/setup error).
    ctx.exitCode = r.verdict === 'pass' ? EXIT.pass : r.verdict === 'fail' ? EXIT.fail : EXIT.inconclusive;
    return json;
  },
};
