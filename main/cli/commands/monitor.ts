/**
 * `flashback monitor`: a serial monitor that reads the ROM/SDK text at 74880 and the app at its rate,
 * switching on each reboot, and annotates what it recognises (rc meanings, boot banner and failures,
 * crashes, WiFi reasons) with the same annotator as the MQTT check. Keys on a terminal: Ctrl-R reset,
 * Ctrl-L clear, Ctrl-S save the log, type a line + Enter to send it. Runs until Ctrl-C (or --duration).
 */
import { writeFile } from 'node:fs/promises';
import { FlashbackError } from '../../errors.js';
import { defaultBoardAccess } from '../../mqtt/board-link.js';
import { startDemoBroker } from '../../mqtt/demo-broker.js';
import { virtualBoardNetwork } from '../../sim/index.js';
import { formatLine, startMonitorSession, type MonitorSession } from '../../mqtt/monitor-session.js';
import { BOOT_LOG_BAUD } from '../../mqtt/serial-log.js';
import { bad, str } from '../args.js';
import type { CliCommand, CliContext } from '../command.js';
import { setupExit } from '../exit-codes.js';
import { AFTER, BEFORE, oneOf } from './mqtt-check.js';

function rate(ctx: CliContext, name: string, fallback: number): number {
  const v = str(ctx, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw bad(`--${name} must be a positive integer`, `Example: --${name} ${fallback}`);
  return n;
}

/** Terminal keys: Ctrl-R reset, Ctrl-L clear, Ctrl-S save, printable text + Enter sends a line. */
function keyboard(ctx: CliContext, session: MonitorSession, save: () => Promise<void>): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    // Piped input: each line goes to the board.
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        void session.send(line);
      }
    };
    stdin.on('data', onData);
    return () => {
      stdin.off('data', onData);
      stdin.pause();
    };
  }
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  const onData = (d: Buffer) => {
    for (const ch of d.toString('utf8')) {
      if (ch === '\u0003') process.kill(process.pid, 'SIGINT');
      else if (ch === '\u0012') {
        ctx.err('-- reset --');
        void session.reset();
      } else if (ch === '\u000c') {
        session.clear();
        process.stdout.write('\u001b[2J\u001b[H');
      } else if (ch === '\u0013') void save();
      else if (ch === '\r' || ch === '\n') {
        ctx.err(`>> ${typed}`);
        void session.send(typed);
        typed = '';
      } else if (ch === '\u007f') typed = typed.slice(0, -1);
      else if (ch >= ' ') typed += ch;
    }
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}

export const monitorCommand: CliCommand = {
  name: 'monitor',
  summary: 'Serial monitor at both rates (ROM 74880 / app), with boot, crash, WiFi and MQTT annotations',
  usage: [
    'flashback monitor --port P [--baud N] [--rom-baud N] [--before default-reset|no-reset|manual]',
    '       [--after hard-reset|no-reset] [--single-rate] [--send TEXT] [--save FILE] [--duration S]',
    '',
    '  keys: Ctrl-R reset the board, Ctrl-L clear, Ctrl-S save the log, a line + Enter sends it',
    '  --baud        the app rate (default 115200); the ROM/SDK text is read at --rom-baud (74880;',
    '                115200 for a 40 MHz crystal) after each reset/reboot unless --single-rate',
    '  --before      default-reset (EN pulse), no-reset (listen; the default on socket://), manual',
    '',
    'Exit codes: 0 done, 2 usage or setup error (bad option, port missing or busy)',
  ].join('\n'),
  options: {
    port: { type: 'string', short: 'p' },
    baud: { type: 'string', short: 'b' },
    'monitor-baud': { type: 'string' },
    'rom-baud': { type: 'string' },
    before: { type: 'string' },
    after: { type: 'string' },
    'no-reset': { type: 'boolean' },
    'single-rate': { type: 'boolean' },
    send: { type: 'string', multiple: true },
    save: { type: 'string' },
    duration: { type: 'string' },
  },
  async run(ctx) {
    const port = str(ctx, 'port');
    if (!port)
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'monitor needs --port',
        'Example: flashback monitor --port /dev/ttyUSB0',
      );
    const baud = rate(ctx, 'monitor-baud', rate(ctx, 'baud', 115200));
    const romBaud = rate(ctx, 'rom-baud', BOOT_LOG_BAUD);
    const before =
      oneOf(str(ctx, 'before'), BEFORE, 'before') ??
      (ctx.values['no-reset'] === true ? 'no-reset' : undefined);
    const after = oneOf(str(ctx, 'after'), AFTER, 'after') ?? 'no-reset';
    const duration = str(ctx, 'duration');
    const durationMs = duration === undefined ? null : Number(duration) * 1000;
    if (durationMs !== null && !(durationMs > 0))
      throw bad('--duration must be a positive number of seconds', 'Example: --duration 20');
    const saveTo = str(ctx, 'save');
    const link = await defaultBoardAccess.openLink(port, { baud: romBaud }).catch((e: unknown) => {
      throw setupExit(e);
    });
    // The demo boards' broker is up while their monitor runs (as during a check).
    const demoBroker = await startDemoBroker(port, virtualBoardNetwork()).catch(() => null);
    if (demoBroker) ctx.err(`-- demo broker on 127.0.0.1:${demoBroker.port} for ${port} --`);
    const counts: Record<string, number> = {};
    let session: MonitorSession | null = null;
    const save = async (
      file = saveTo ?? `flashback-monitor-${new Date().toISOString().replace(/[:.]/g, '-')}.log`,
    ) => {
      if (!session) return;
      await writeFile(file, session.text());
      ctx.err(`-- log saved to ${file} --`);
    };
    let stopKeys = () => {};
    try {
      session = await startMonitorSession(link, {
        monitorBaud: baud,
        romBaud,
        dualRate: ctx.values['single-rate'] !== true,
        ...(before ? { before } : {}),
        reset: defaultBoardAccess.reset,
        onLine: (l) => {
          for (const e of l.events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
          ctx.out(formatLine(l));
        },
        onStatus: (t) => ctx.err(`-- ${t} --`),
      });
      ctx.err(`monitor on ${port}: ${session.rates}; Ctrl-C to stop`);
      const s = session;
      for (const line of (ctx.values.send as string[] | undefined) ?? []) await s.send(line);
      stopKeys = keyboard(ctx, s, () => save());
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        link.onClose(() => resolve());
        if (durationMs !== null) setTimeout(resolve, durationMs).unref();
      });
    } finally {
      stopKeys();
      await session?.stop();
      if (saveTo && session) await save(saveTo);
      if (after === 'hard-reset' && link.capabilities.controlLines && link.isOpen)
        await defaultBoardAccess.reset(link).catch(() => undefined);
      await link.close();
      await demoBroker?.close();
    }
    return { port, baud, romBaud, rates: session.rates, lines: session.lines, events: counts };
  },
};
