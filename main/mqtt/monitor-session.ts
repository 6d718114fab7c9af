/**
 * A serial monitor session on an open link, shared by `flashback monitor` and the workbench: reads both
 * rates like a person toggling the monitor (serial-log.ts), annotates every line with the one annotator,
 * resets the board on request (reading the next banner at the ROM rate), sends a line, and keeps the
 * log so it can be cleared or saved.
 */
import type { Link } from '../transport/link.js';
import { Annotator, type AnnotatedLine } from './annotate.js';
import { readSerialLog, BOOT_LOG_BAUD, type SerialLog } from './serial-log.js';

export type MonitorBefore = 'default-reset' | 'no-reset' | 'manual';

export interface MonitorSessionOptions {
  monitorBaud: number;
  romBaud?: number;
  /** Read both rates (default: when the link can change rate). */
  dualRate?: boolean;
  before?: MonitorBefore;
  /** Resets the board into its firmware (EN pulse; main/esp/reset.ts hardReset). */
  reset: (link: Link) => Promise<void>;
  onLine: (l: AnnotatedLine) => void;
  /** Status text: rate switches, what the reset/listen choice means. */
  onStatus?: (text: string) => void;
  /** Lines kept for save (default 20 000). */
  keep?: number;
}

export interface MonitorSession {
  readonly dualRate: boolean;
  /** "74880 for the ROM, 115200 for the app" or "one fixed rate …". */
  readonly rates: string;
  reset(): Promise<void>;
  /** Sends a line to the board at the app's rate (CR LF appended unless `raw`). */
  send(text: string, raw?: boolean): Promise<void>;
  clear(): void;
  /** The log as text, one line each, with the annotations after « (what save writes). */
  text(): string;
  readonly lines: number;
  stop(): Promise<void>;
}

export function formatLine(l: AnnotatedLine): string {
  return l.notes.length ? `${l.line}${l.line ? '   ' : ''}« ${l.notes.join(' | ')}` : l.line;
}

export async function startMonitorSession(link: Link, o: MonitorSessionOptions): Promise<MonitorSession> {
  const romBaud = o.romBaud ?? BOOT_LOG_BAUD;
  const annotator = new Annotator();
  const keep = o.keep ?? 20_000;
  let log: string[] = [];
  let count = 0;
  const before = o.before ?? (link.capabilities.controlLines ? 'default-reset' : 'no-reset');
  const canReset = link.capabilities.controlLines;
  const resetting = (before === 'default-reset' && canReset) || before === 'manual';
  const reader: SerialLog = readSerialLog(link, {
    monitorBaud: o.monitorBaud,
    romBaud,
    ...(o.dualRate !== undefined ? { dualRate: o.dualRate } : {}),
    startAt: resetting ? 'rom' : 'app',
    awaitBanner: before === 'manual',
    bannerWaitMs: before === 'manual' ? 120_000 : undefined,
    onLine: (raw, baud) => {
      const l = annotator.push(raw, baud);
      if (!l.line && !l.notes.length) return;
      count++;
      log.push(formatLine(l));
      if (log.length > keep) log = log.slice(-keep);
      o.onLine(l);
    },
    onSwitch: (baud, why) => o.onStatus?.(`${baud} baud: ${why}`),
  });
  const rates = !link.capabilities.baudChange
    ? `one fixed rate set by the bridge, not by flashback: text at another rate (the ROM/SDK at ${romBaud}) shows as garbage`
    : reader.dualRate
      ? `${romBaud} for the ROM/SDK, ${o.monitorBaud} for the app, switching on each reboot`
      : `${o.monitorBaud} only`;
  if (before === 'manual')
    o.onStatus?.(`Press RESET on the board now; waiting for its boot banner at ${romBaud} baud`);
  else if (before === 'default-reset' && !canReset)
    o.onStatus?.(`${link.spec} has no reset lines: listening to the board as it runs`);
  else if (before === 'no-reset' || !canReset) o.onStatus?.('Listening without a reset');
  if (before === 'default-reset' && canReset) await o.reset(link);

  return {
    dualRate: reader.dualRate,
    rates,
    async reset() {
      if (!canReset) {
        o.onStatus?.(`${link.spec} has no reset lines: press RESET on the board`);
        await reader.expectBoot();
        return;
      }
      await reader.expectBoot();
      await o.reset(link);
    },
    async send(text, raw = false) {
      // The app listens at its own rate; bytes sent while we read the ROM would arrive garbled.
      if (link.capabilities.baudChange && reader.phase === 'rom') await link.setBaud(o.monitorBaud);
      await link.write(Buffer.from(raw ? text : `${text}\r\n`, 'utf8'));
      if (link.capabilities.baudChange && reader.phase === 'rom') await link.setBaud(romBaud);
    },
    clear() {
      log = [];
    },
    text: () => (log.length ? `${log.join('\n')}\n` : ''),
    get lines() {
      return count;
    },
    stop: () => reader.stop(),
  };
}
