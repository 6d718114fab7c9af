/**
 * The one annotator for serial lines, shared by `flashback monitor`, the workbench's Monitor view and the
 * MQTT check's live log: rc meanings, the ROM banner decoded, boot failures with their fix, crashes
 * decoded (exception cause, bad-address pattern, ctx), WiFi reason codes. `Annotator` is the stateful
 * form (a crash's register/ctx lines complete it); `annotateLine` the stateless one for single lines.
 */
import type { LogEvent } from './events.js';
import { LogParser, parseLine } from './log-parser.js';
import { rcInfo } from './rc-codes.js';

const EXCEPTION_NAMES: Record<number, string> = {
  0: 'IllegalInstruction',
  2: 'InstructionFetchError',
  3: 'LoadStoreError',
  4: 'Level1Interrupt (soft WDT)',
  6: 'IntegerDivideByZero',
  9: 'LoadStoreAlignment',
  28: 'LoadProhibited',
  29: 'StoreProhibited',
};

const WIFI_STAGE: Record<string, string> = {
  'no-ap': 'AP not found (SSID not in the scan; 2.4 GHz only)',
  auth: 'authentication failed (wrong password or unsupported security mode)',
  'weak-signal': 'beacon timeout (weak signal or unstable AP)',
  dhcp: 'no DHCP lease',
  assoc: 'association failed or expired',
  unknown: 'WiFi failure',
};

/** What a bad address looks like: NULL + offset, or ASCII text used as a pointer. */
function addressPattern(excvaddr?: string): string | null {
  if (!excvaddr) return null;
  const v = parseInt(excvaddr, 16);
  if (v < 0x1000) return 'null pointer';
  const bytes = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  if (bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 10 || b === 13))
    return `text used as a pointer (${JSON.stringify(String.fromCharCode(...bytes))})`;
  return null;
}

export function annotate(e: LogEvent): string | null {
  switch (e.kind) {
    case 'rom-banner':
      return `reset: ${e.rstMeaning}; boot mode (${e.bootMode.join(',')}): ${e.bootMeaning}`;
    case 'boot-failure':
      return `${e.meaning}. Fix: ${e.fix}`;
    case 'mqtt-failed':
      return e.dns ? `DNS: ${e.meaning}` : `rc=${e.rc} ${rcInfo(e.rc).name}: ${e.meaning}`;
    case 'mqtt-connected':
      return 'MQTT connected';
    case 'wifi-failed':
      return `WiFi: ${WIFI_STAGE[e.stage] ?? e.stage}${e.reason !== undefined ? ` (reason ${e.reason})` : ''}`;
    case 'broker-named':
      return `the firmware's broker: ${e.host}${e.port ? `:${e.port}` : ''}`;
    case 'crash': {
      if (e.crash === 'exception') {
        const pattern = addressPattern(e.excvaddr);
        return `crash: exception ${e.exception} ${EXCEPTION_NAMES[e.exception ?? -1] ?? ''}${e.epc1 ? ` at epc1=${e.epc1} excvaddr=${e.excvaddr}` : ''}${pattern ? ` — ${pattern}` : ''}${e.ctx ? ` (ctx: ${e.ctx})` : ''}; a sketch bug, decode with --elf`;
      }
      return e.crash === 'soft-wdt'
        ? 'crash: software watchdog (loop() blocked without yield)'
        : e.crash === 'wdt'
          ? 'crash: hardware watchdog (interrupts off too long, or power)'
          : 'crash: panic/abort';
    }
    case 'garbage':
      return `${e.bytes} byte(s) at another baud rate, not shown as text`;
    default:
      return null;
  }
}

export interface AnnotatedLine {
  /** The printable part of the line. */
  line: string;
  /** The rate it was read at, when known. */
  baud?: number;
  notes: string[];
  /** A PubSubClient state code seen on the line (0 = connected). */
  rc?: number;
  events: LogEvent[];
}

/** Stateful annotator for one serial stream (crash postmortems span several lines). */
export class Annotator {
  private readonly parser = new LogParser();

  push(raw: string, baud?: number): AnnotatedLine {
    const { line, events } = this.parser.push(raw);
    const notes = events.map(annotate).filter((n): n is string => n !== null);
    const rcEvent = events.find((e) => e.kind === 'mqtt-failed' || e.kind === 'mqtt-connected');
    const rc = rcEvent ? (rcEvent.kind === 'mqtt-failed' ? rcEvent.rc : 0) : undefined;
    return { line, notes, events, ...(baud ? { baud } : {}), ...(rc !== undefined ? { rc } : {}) };
  }
}

/** One line on its own: the note (and rc) a monitor shows beside it, or null when it carries nothing. */
export function annotateLine(line: string): { rc?: number; meaning: string } | null {
  const events = parseLine(line);
  const notes = events.map(annotate).filter((n): n is string => n !== null);
  if (!notes.length) return null;
  const rcEvent = events.find((e) => e.kind === 'mqtt-failed' || e.kind === 'mqtt-connected');
  const rc = rcEvent ? (rcEvent.kind === 'mqtt-failed' ? rcEvent.rc : 0) : undefined;
  return { meaning: notes.join(' | '), ...(rc !== undefined ? { rc } : {}) };
}
