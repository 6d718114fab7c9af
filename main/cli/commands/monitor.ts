/**
 * `flashback monitor`: a serial monitor that resets the board, reads the 74880 ROM banner, switches to
 * the app's baud and annotates what it recognises (rc meanings, boot failures, crashes) inline.
 * Runs until Ctrl-C.
 */
import { FlashbackError } from '../../errors.js';
import { annotate } from '../../mqtt/annotate.js';
import { defaultBoardAccess } from '../../mqtt/board-link.js';
import { LogParser } from '../../mqtt/log-parser.js';
import { readSerialLog, ROM_BAUD } from '../../mqtt/serial-log.js';
import type { CliCommand } from '../command.js';

export const monitorCommand: CliCommand = {
  name: 'monitor',
  summary: 'Serial monitor with ROM banner decoding and MQTT/boot annotations',
  usage: 'flashback monitor --port P [--baud N] [--no-reset]',
  options: {
    port: { type: 'string', short: 'p' },
    baud: { type: 'string', short: 'b' },
    'no-reset': { type: 'boolean' },
  },
  async run(ctx) {
    const port = ctx.values.port;
    if (typeof port !== 'string')
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'monitor needs --port',
        'Example: flashback monitor --port /dev/ttyUSB0',
      );
    const baud = ctx.values.baud === undefined ? 115200 : Number(ctx.values.baud);
    if (!Number.isInteger(baud) || baud <= 0)
      throw new FlashbackError('BAD_ARGUMENT', `--baud must be a positive integer`, 'Example: --baud 115200');
    const reset = ctx.values['no-reset'] !== true;
    const link = await defaultBoardAccess.openLink(port, { baud: reset ? ROM_BAUD : baud });
    const parser = new LogParser();
    const counts: Record<string, number> = {};
    const onLine = (raw: string) => {
      const { line, events } = parser.push(raw);
      const notes = events.map(annotate).filter((n): n is string => n !== null);
      for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
      const shown = line || (notes.length ? '' : null);
      if (shown === null) return;
      ctx.out(notes.length ? `${shown}${shown ? '   ' : ''}« ${notes.join(' | ')}` : shown);
    };
    const log = readSerialLog(link, {
      monitorBaud: baud,
      startAt: reset ? 'rom' : 'app',
      onLine,
      signal: ctx.signal,
    });
    try {
      if (reset) await defaultBoardAccess.reset(link);
      ctx.err(
        `monitor on ${port} (${reset ? `${ROM_BAUD} for the ROM banner, then ` : ''}${baud} baud); Ctrl-C to stop`,
      );
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        link.onClose(() => resolve());
      });
    } finally {
      await log.stop();
      await link.close();
    }
    return { port, baud, lines: log.lines, bytes: log.bytes, events: counts };
  },
};
