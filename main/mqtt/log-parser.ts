/**
 * Serial log → typed events. `parseLine` is pure (one printable line in, events out); `LogParser`
 * adds the little context real logs need (the register line after `Exception (N):`, the IP printed on
 * the line after `IP address:`) and separates bytes received at the wrong baud from text.
 *
 * Formats understood: the PubSubClient example sketch, Tasmota (`MQT:`/`WIF:`), ESPHome (`[mqtt]`),
 * ESPEasy (`MQTT :`), NONOS SDK WiFi lines, the ROM banner and boot failures (boot-banner.ts) and
 * Arduino/SDK crash dumps.
 */
import { parseBootFailure, parseRomBanner } from './boot-banner.js';
import type { LogEvent } from './events.js';
import { rcInfo } from './rc-codes.js';

const failed = (rc: number): LogEvent => ({ kind: 'mqtt-failed', rc, meaning: rcInfo(rc).meaning });

/** Strips a Tasmota-style "00:00:06.123 " timestamp or an ESPHome "[I][mqtt:123]: " tag prefix. */
function body(line: string): string {
  return line.replace(/^\s*\d{2}:\d{2}:\d{2}(\.\d+)?\s+/, '').trim();
}

function mqttEvents(s: string): LogEvent[] {
  const out: LogEvent[] = [];
  // PubSubClient sketches print the attempt and its outcome on one line (Serial.print, then println).
  if (/Attempting MQTT connection|MQT: Attempting connection|Connecting to MQTT/i.test(s))
    out.push({ kind: 'mqtt-attempt' });
  // "failed, rc=-2", "failed, rc = 5", "failed with state -2", Tasmota "Connect failed to H:P, rc -2."
  const rc = /(?:\brc\s*[=:]?\s*|failed with state\s*|\bstate\s*[=:]\s*)(-?\d+)/i.exec(s);
  if (rc && /fail/i.test(s)) out.push(failed(Number(rc[1])));
  else if (/MQTT\s*:\s*Failed to connect/i.test(s))
    out.push({ kind: 'mqtt-failed', rc: -2, meaning: 'connect failed (no code printed)' });
  else if (
    /(?:MQTT connection\.\.\.|MQT: |MQTT\s*: )\s*connected\b/i.test(s) ||
    /MQTT Connected!?/i.test(s) ||
    /^\s*connected\s*$/.test(s)
  )
    out.push({ kind: 'mqtt-connected' });
  else if (/MQTT Disconnected|MQT: Disconnected|MQTT connection lost/i.test(s))
    out.push({ kind: 'mqtt-disconnected' });
  return out;
}

function wifiEvents(s: string): LogEvent[] {
  let m: RegExpExecArray | null;
  if ((m = /^Connecting to (?!MQTT)(.+?)\s*\.*$/i.exec(s))) return [{ kind: 'wifi-connecting', ssid: m[1] }];
  if ((m = /WIF: Connecting to AP\d?\s+(\S+)/.exec(s))) return [{ kind: 'wifi-connecting', ssid: m[1] }];
  if (/\bwi-?fi\b.*\b(connection failed|failed to connect|disconnected)\b|^no .+ found, reconnect/i.test(s))
    return [{ kind: 'wifi-failed' }];
  if (
    /\bwi-?fi\b\s*:?\s*connected\b|connected to wi-?fi|WIF: Connected|^connected with .+, channel \d+/i.test(
      s,
    )
  )
    return [{ kind: 'wifi-connected' }];
  if ((m = /(?:IP address:?\s*|^ip:)(\d{1,3}(?:\.\d{1,3}){3})/i.exec(s))) return [{ kind: 'ip', ip: m[1]! }];
  return [];
}

function crashEvents(s: string): LogEvent[] {
  let m: RegExpExecArray | null;
  if ((m = /^(?:Fatal )?exception \(?(\d+)\)?/i.exec(s)))
    return [{ kind: 'crash', crash: 'exception', exception: Number(m[1]) }];
  if (/Soft WDT reset/i.test(s)) return [{ kind: 'crash', crash: 'soft-wdt' }];
  if (/^wdt reset\b/.test(s)) return [{ kind: 'crash', crash: 'wdt' }];
  if (/^(Panic |Abort called|User exception \(panic)/.test(s)) return [{ kind: 'crash', crash: 'abort' }];
  return [];
}

function publishEvents(s: string): LogEvent[] {
  let m: RegExpExecArray | null;
  if ((m = /^Publish(?:ing)? message:?\s*(.*)$/i.exec(s))) return [{ kind: 'publish', payload: m[1] ?? '' }];
  if ((m = /^Message arrived \[([^\]]*)\]\s*(.*)$/.exec(s)))
    return [{ kind: 'message-in', topic: m[1] ?? '', payload: m[2] ?? '' }];
  // Tasmota: "MQT: tele/sonoff/STATE = {...}"
  if ((m = /^MQT: (\S+\/\S+) = (.*)$/.exec(s)))
    return [{ kind: 'publish', topic: m[1], payload: m[2] ?? '' }];
  return [];
}

/** Events for one printable line (no garbage bytes, no line ending). Unrecognised lines → `text`. */
export function parseLine(line: string): LogEvent[] {
  const s = body(line).replace(/^\[[A-Z]\]\[[\w.]+:\d+\]:\s*/, '');
  if (!s) return [];
  const banner = parseRomBanner(s);
  if (banner) return [{ kind: 'rom-banner', ...banner }];
  const failure = parseBootFailure(s);
  if (failure)
    return [{ kind: 'boot-failure', failure: failure.kind, meaning: failure.meaning, fix: failure.fix }];
  if (/^csum 0x[0-9a-f]+\s*$/i.test(s)) return [{ kind: 'boot-ok' }];
  for (const f of [crashEvents, mqttEvents, publishEvents, wifiEvents]) {
    const ev = f(s);
    if (ev.length) return ev;
  }
  return [{ kind: 'text' }];
}

const isPrintable = (c: number) => (c >= 0x20 && c < 0x7f) || c === 0x09;

/**
 * Splits a raw line (bytes as latin1 chars) into a garbage count and the printable text worth parsing.
 * Bytes at the wrong baud decode as mostly non-ASCII; a line often starts with such noise and ends with
 * real text (the 74880 banner read at 115200, then the app's first line).
 */
export function splitGarbage(raw: string): { garbage: number; text: string } {
  let bad = 0;
  let lastBad = -1;
  for (let i = 0; i < raw.length; i++) {
    if (!isPrintable(raw.charCodeAt(i))) {
      bad++;
      lastBad = i;
    }
  }
  if (bad === 0) return { garbage: 0, text: raw };
  const tail = raw.slice(lastBad + 1);
  // A stray byte or two (a reset glitch, a NUL) is not wrong-baud output: drop them and keep the text.
  if (bad <= 2 && bad / raw.length < 0.2)
    return { garbage: 0, text: [...raw].filter((ch) => isPrintable(ch.charCodeAt(0))).join('') };
  if (/[A-Za-z]{3}/.test(tail) && tail.trim().length >= 4) return { garbage: lastBad + 1, text: tail };
  return { garbage: raw.length, text: '' };
}

export interface ParsedLine {
  /** The printable part of the line. */
  line: string;
  events: LogEvent[];
}

/** Stateful wrapper over parseLine for a stream of lines from one boot session. */
export class LogParser {
  private pendingIp = false;
  private lastException: Extract<LogEvent, { kind: 'crash' }> | null = null;

  /** Parses one raw line (latin1 text, line ending stripped). */
  push(raw: string): ParsedLine {
    const { garbage, text } = splitGarbage(raw);
    const events: LogEvent[] = [];
    if (garbage > 0) {
      events.push({
        kind: 'garbage',
        bytes: garbage,
        note: "bytes at another baud rate (the 74880 ROM banner, or the app at a rate other than the monitor's); not parsed",
      });
    }
    const line = text.trim();
    if (!line) return { line, events };
    // The register line after "Exception (N):" belongs to that crash (Arduino core postmortem): the crash
    // event already returned is completed in place, so callers keep the event objects, not copies.
    const regs = /epc1=(0x[0-9a-f]+).*excvaddr=(0x[0-9a-f]+)/i.exec(line);
    if (regs && this.lastException) {
      this.lastException.epc1 = regs[1];
      this.lastException.excvaddr = regs[2];
      this.lastException = null;
      return { line, events };
    }
    if (this.pendingIp && /^\d{1,3}(\.\d{1,3}){3}$/.test(line)) {
      this.pendingIp = false;
      events.push({ kind: 'ip', ip: line });
      return { line, events };
    }
    this.pendingIp = /^IP address:?\s*$/i.test(line);
    const parsed = parseLine(line);
    for (const e of parsed) {
      if (e.kind === 'crash' && e.crash === 'exception') {
        this.lastException = e;
        // SDK form carries the registers on the same line: "Fatal exception 28(...): epc1=0x..., excvaddr=..."
        const same = /epc1=(0x[0-9a-f]+).*excvaddr=(0x[0-9a-f]+)/i.exec(line);
        if (same) {
          e.epc1 = same[1];
          e.excvaddr = same[2];
          this.lastException = null;
        }
      }
    }
    events.push(...parsed);
    return { line, events };
  }
}

/** Splits a byte stream into lines (latin1, so every byte survives as one char); keeps a partial tail. */
export class LineSplitter {
  private buf = '';
  constructor(private readonly onLine: (raw: string) => void) {}

  push(chunk: Uint8Array): void {
    this.buf += Buffer.from(chunk).toString('latin1');
    let i: number;
    while ((i = this.buf.search(/\r?\n|\r(?!$)/)) >= 0) {
      const m = /\r?\n|\r/.exec(this.buf.slice(i))!;
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + m[0].length);
      this.onLine(line);
    }
    // A board that prints without newlines (or garbage that never ends) must not grow the buffer forever.
    if (this.buf.length > 4096) this.flush();
  }

  /** Emits a line cut off mid-way (end of capture, or a quiet gap before a baud switch). */
  flush(): void {
    if (this.buf.length) {
      const line = this.buf.replace(/\r$/, '');
      this.buf = '';
      this.onLine(line);
    }
  }

  get pending(): string {
    return this.buf;
  }
}
