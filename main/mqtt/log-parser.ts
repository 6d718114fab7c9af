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
import type { LogEvent, WifiStage } from './events.js';
import { rcByName, rcInfo } from './rc-codes.js';

const failed = (rc: number): LogEvent => ({ kind: 'mqtt-failed', rc, meaning: rcInfo(rc).meaning });

/**
 * Strips what terminals and firmwares put in front of the text: Arduino IDE "12:00:01.234 -> ", a Tasmota
 * "00:00:06.123 " time, syslog "Jun  2 20:09:27 host ESP-", ESPEasy "12345 : Info   : ", esp-link
 * "  311> ", ESPHome "[12:00:01]" and its "[I][mqtt:123]: " tag (also tab-separated in the web log).
 */
function body(line: string): string {
  let s = line
    .replace(/^\s*\d{2}:\d{2}:\d{2}(\.\d+)?\s*->\s?/, '')
    .replace(/^[A-Z][a-z]{2}\s+\d+\s+\d{2}:\d{2}:\d{2}\s+\S+\s+(ESP-)?/, '')
    .replace(/^\s*\d+\s*:\s*(?:(?:Info|Error|Debug|Warn)\s*:\s*)?(?=[A-Z]{2,5}\s*:)/, '')
    .replace(/^\s*\d+>\s/, '')
    .replace(/^\[\d{2}:\d{2}:\d{2}(\.\d+)?\]/, '')
    .replace(/^\s*\d{2}:\d{2}:\d{2}(\.\d+)?\s+/, '');
  s = s
    .replace(/^\s*\[[A-Z]{1,2}\]\s*\[[\w.]+:\d+\]:?\s*/, '')
    .replace(/^\[[A-Z]{1,2}\]\[[\w.]+:\d+\]:\s*/, '');
  return s.trim();
}

/** ESPHome's component tag ("[I][mqtt:318]:", "[W][wifi_esp8266:444]:"): what a terse message is about. */
function component(line: string): 'mqtt' | 'wifi' | 'other' | null {
  const m = /\[[A-Z]{1,2}\]\s*\[([a-z_]+)[\w.]*:\d+\]/.exec(line);
  if (!m) return null;
  return m[1]!.startsWith('mqtt') ? 'mqtt' : m[1]!.startsWith('wifi') ? 'wifi' : 'other';
}

/** The firmware names its broker: Tasmota, core debug [hostByName], ESPHome, ESPEasy, common sketches. */
function brokerNamed(s: string): LogEvent | null {
  let m: RegExpExecArray | null;
  if ((m = /Connect failed to ([\w.-]+):(\d+)/i.exec(s)))
    return { kind: 'broker-named', host: m[1]!, port: Number(m[2]) };
  if ((m = /\[hostByName\] Host: \S+ IP: (\d{1,3}(?:\.\d{1,3}){3})/.exec(s)))
    return { kind: 'broker-named', host: m[1]! };
  if ((m = /Resolved broker IP address to (\d{1,3}(?:\.\d{1,3}){3})/i.exec(s)))
    return { kind: 'broker-named', host: m[1]! };
  if ((m = /(?:Server Address:|Connected to broker|TCP: Connect to ip)\s+([\w.-]+):(\d+)/.exec(s)))
    return { kind: 'broker-named', host: m[1]!, port: Number(m[2]) };
  if (
    (m = /Connecting to MQTT (?:broker|server) (?:at )?\(?([\w.-]+\.[\w-]+)\)?(?::(\d+))?/i.exec(s)) ||
    (m = /Connecting to (?:MQTT )?broker @?([\w.-]+\.[\w-]+)(?::(\d+))?/i.exec(s)) ||
    (m = /request IP for: ([\w.-]+\.[\w-]+)/.exec(s))
  )
    return { kind: 'broker-named', host: m[1]!, ...(m[2] ? { port: Number(m[2]) } : {}) };
  return null;
}

/**
 * A broker refusal named in words rather than a number: ESPHome's and AsyncMqttClient's disconnect
 * reasons, Adafruit_MQTT's connectErrorString(), ArduinoMqttClient's names. The words are the MQTT 3.1.1
 * CONNACK return codes' own, so any client that names them reads the same.
 */
const CONNACK_WORDS: Array<[RegExp, number]> = [
  [/not[ _]?auth(?:ori[sz]ed|ed)\b/i, 5],
  [/malformed[ _]credentials|bad[ _]user|user ?name or password|bad[ _]credentials/i, 4],
  [/identifier[ _]rejected|\bID rejected|identifier is .{0,40}not allowed/i, 2],
  [/server[ _]unavailable|service is unavailable|Server unavail/i, 3],
  [/unacceptable[ _]protocol|wrong protocol|level of the MQTT protocol/i, 1],
];

function connackReason(s: string): LogEvent | null {
  for (const [re, rc] of CONNACK_WORDS) if (re.test(s)) return failed(rc);
  if (/TLS[ _]bad[ _]fingerprint/i.test(s))
    return {
      kind: 'mqtt-failed',
      rc: -2,
      meaning:
        "the TLS handshake failed: the broker's certificate does not match the fingerprint in the firmware",
    };
  return null;
}

function mqttEvents(s: string): LogEvent[] {
  const out: LogEvent[] = [];
  const extra: LogEvent[] = [];
  const named = brokerNamed(s);
  if (named) extra.push(named);
  let m: RegExpExecArray | null;
  if ((m = /(?:try again|retry(?:ing)?)\b[^.]{0,40}?\bin (\d+) ?(s|sec|seconds?|ms)\b/i.exec(s)))
    extra.push({ kind: 'retry-interval', ms: Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) });
  // DNS: the broker's name does not resolve (ESPHome, core debug, sketches).
  if (
    (m =
      /(?:Couldn't resolve IP address for|Error resolving MQTT broker IP address|DNS (?:lookup|resolution) failed for|Unable to resolve|DNS failed for)\s*'?([^'!:\s]*)/i.exec(
        s,
      )) ||
    // The core's debug output: "[hostByName] Host: broker.local lookup error: -5!"
    (m = /(?:\[hostByName\] )?Host: (\S+) lookup error/.exec(s))
  ) {
    out.push({
      kind: 'mqtt-failed',
      rc: -2,
      meaning: `the broker name${m[1] ? ` "${m[1]}"` : ''} does not resolve (DNS)`,
      dns: m[1] || true,
    });
    return [...out, ...extra];
  }
  // PubSubClient sketches print the attempt and its outcome on one line (Serial.print, then println).
  if (
    /Attempting MQTT connection|Attempting to connect to the MQTT|MQT: Attempting connection|Connecting to (?:the )?MQTT|^MQTT Connecting\b/i.test(
      s,
    )
  )
    out.push({ kind: 'mqtt-attempt' });
  // "failed, rc=-2", "failed, rc = 5", "failed with state -2", Tasmota "Connect failed to H:P, rc -2."
  // esp_mqtt (NONOS): "Connected to broker H:P" is the TCP connection; the CONNECT is sent next.
  if (/Connected to broker\s+[\w.-]+:\d+/i.test(s))
    return [{ kind: 'mqtt-attempt', tcpOpen: true }, ...extra];
  const rc =
    /(?:\brc\s*[=:]?\s*|failed with state\s*|\bstate\s*[=:]\s*|Connection status:\s*|\berror(?: code)?\s*[=:]?\s*)(-?\d+)\b/i.exec(
      s,
    );
  const byName = rcByName(s);
  const reason = byName !== null && byName !== 0 ? failed(byName) : connackReason(s);
  if (rc && /fail|error/i.test(s) && /mqtt|broker|MQT:|fail/i.test(s)) {
    // ArduinoMqttClient's connectError(): -1 is its connection timeout, -2 TCP refused (PubSubClient: -4, -2).
    const code = Number(rc[1]);
    out.push(/error code/i.test(s) && code === -1 ? failed(-4) : failed(code));
  } else if (reason && !/publish|subscri/i.test(s)) out.push(reason);
  else if (
    /mqtt|broker/i.test(s) &&
    !/publish|subscri/i.test(s) &&
    /\b(?:fail(?:ed|ure)?|refused|timed? ?out|unable to connect|could ?n[o']t connect|can'?t connect)\b/i.test(
      s,
    ) &&
    !/Connection refuse, reason code/i.test(s)
  )
    out.push(
      /timed? ?out/i.test(s)
        ? failed(-4)
        : { kind: 'mqtt-failed', rc: -2, meaning: 'the connection to the broker failed (no code printed)' },
    );
  else if (/MQTT\s*:\s*Failed to connect|Connection refuse, reason code: (\d)/i.test(s)) {
    const code = /reason code: (\d)/.exec(s);
    out.push(
      code
        ? failed(Number(code[1]))
        : {
            kind: 'mqtt-failed',
            rc: -2,
            meaning: 'the TCP connection to the broker failed (no code printed)',
          },
    );
  } else if (/MQTT : Connected to broker|MQTT connected\b|\[mqtt:\d+\]:? MQTT Connected/i.test(s))
    out.push({ kind: 'mqtt-connected' });
  else if (
    /(?:MQTT connection\.\.\.|MQT: |MQTT\s*: )\s*connected\b/i.test(s) ||
    /MQTT Connected!?/i.test(s) ||
    /^\s*connected\s*$/.test(s)
  )
    out.push({ kind: 'mqtt-connected' });
  else if (/\bconnected to (?:the )?MQTT\b|MQTT\b[^,.]{0,20}\bSuccess(?:fully)? connected/i.test(s))
    out.push({ kind: 'mqtt-connected' });
  else if (
    /MQTT Disconnected|MQT: Disconnected|MQTT connection lost|Disconnected from (?:the )?MQTT|Lost MQTT|MQTT\b.{0,30}\bdisconnected\b/i.test(
      s,
    )
  )
    out.push({ kind: 'mqtt-disconnected' });
  return [...out, ...extra];
}

/** SDK disconnect reason codes (user_interface.h / esp_wifi_types.h) → the stage that failed. */
export function wifiReasonStage(reason: number): WifiStage {
  if (reason === 201) return 'no-ap';
  // 2 AUTH_EXPIRE is what the ESP8266 SDK reports for a wrong password too; 15/204 handshake timeout.
  // 14 MIC failure, 15 4-way handshake timeout, 16 group key timeout, 17 IE in 4-way differs: the key is wrong.
  if (reason === 202 || (reason >= 14 && reason <= 17) || reason === 204 || reason === 2 || reason === 23)
    return 'auth';
  if (reason === 200) return 'weak-signal';
  if (reason === 4 || reason === 203 || reason === 6 || reason === 7) return 'assoc';
  return 'unknown';
}

const WIFI_REASON_TEXT: Array<[RegExp, WifiStage]> = [
  [/not found|no ap|probe request unsuccessful/i, 'no-ap'],
  [/handshake|auth(?:entication)? fail|auth expired|mic failure|incorrect password|wrong password/i, 'auth'],
  [/beacon/i, 'weak-signal'],
  [/assoc/i, 'assoc'],
];

const wifiFailed = (stage: WifiStage, detail: string, reason?: number): LogEvent => ({
  kind: 'wifi-failed',
  stage,
  detail,
  ...(reason !== undefined ? { reason } : {}),
});

function wifiEvents(s: string): LogEvent[] {
  let m: RegExpExecArray | null;
  if ((m = /^no (.+) found, reconnect after/i.exec(s)))
    return [wifiFailed('no-ap', `no "${m[1]}" found in the scan`)];
  if ((m = /STA disconnect:\s*(\d+)/.exec(s))) {
    const r = Number(m[1]);
    return [wifiFailed(wifiReasonStage(r), `STA disconnect: ${r}`, r)];
  }
  if (
    (m = /STA_DISCONNECTED.*reason:\s*(\d+)/.exec(s)) ||
    (m = /Disconnected! Reason: '\((\d+)\)/.exec(s)) ||
    // esp_wifi_repeater / SDK event handlers: "disconnect from ssid X, reason 2"; sketches: "WiFi disconnected, reason: 201"
    (m = /disconnect(?:ed)? from (?:ssid )?\S.*?,? reason:?\s*(\d+)/i.exec(s)) ||
    (m = /\b(?:wi-?fi|sta(?:tion)?)\b.{0,30}\bdisconnect(?:ed)?\b.{0,40}\breason\s*[:=]?\s*\(?(\d+)/i.exec(s))
  ) {
    const r = Number(m[1]);
    return [wifiFailed(wifiReasonStage(r), s.slice(s.search(/reason/i)), r)];
  }
  if (
    (m = /Disconnected ssid='([^']*)'.*reason='([^']+)'/.exec(s)) ||
    (m = /\[EVENT\] WIFI_REASON: (\d+)/.exec(s))
  ) {
    const text = m[2] ?? m[1]!;
    const code = /^\d+$/.test(text) ? Number(text) : undefined;
    const stage =
      code !== undefined
        ? wifiReasonStage(code)
        : (WIFI_REASON_TEXT.find(([re]) => re.test(text))?.[1] ?? 'unknown');
    return [wifiFailed(stage, `reason ${text}`, code)];
  }
  // The core's wl_status_t names (WiFiManager prints them): the stage is in the name.
  if (/\bWL_NO_SSID_AVAIL\b/.test(s))
    return [wifiFailed('no-ap', 'WL_NO_SSID_AVAIL: the SSID is not in the scan')];
  if (/\bWL_(?:STATION_)?WRONG_PASSWORD\b/.test(s)) return [wifiFailed('auth', 'WL_WRONG_PASSWORD')];
  // Tasmota
  if (/WIF: Connect failed with AP incorrect password/i.test(s))
    return [wifiFailed('auth', 'AP: incorrect password')];
  if (/WIF: Connect failed as AP cannot be reached/i.test(s))
    return [wifiFailed('no-ap', 'AP cannot be reached')];
  if (/WIF: Connect failed with AP timeout/i.test(s)) return [wifiFailed('weak-signal', 'AP timeout')];
  if (/WIF: Connect failed with AP/i.test(s)) return [wifiFailed('unknown', s)];
  if (/^(beacon timeout|bcn_timout)/i.test(s) || /bcn_timout/.test(s))
    return [wifiFailed('weak-signal', 'beacon timeout')];
  if (/No network found!|No networks? found/i.test(s))
    return [wifiFailed('no-ap', 'no network found in the scan')];
  if (/dhcp client start/i.test(s)) return [{ kind: 'wifi-state', detail: 'dhcp-start' }];
  if ((m = /^state:\s*(\d+)\s*->\s*(\d+)/.exec(s)))
    return [{ kind: 'wifi-state', detail: `state ${m[1]}->${m[2]}` }];
  if (/^(?:f [-r]?\d+, )?scandone$|^reconnect$|^wifi evt: \d+$/.test(s))
    return [{ kind: 'wifi-state', detail: s }];
  if ((m = /^Connecting to (?!MQTT)(.+?)\s*\.*$/i.exec(s))) return [{ kind: 'wifi-connecting', ssid: m[1] }];
  if ((m = /WIF: Connecting to AP\d?\s+(\S+)/.exec(s))) return [{ kind: 'wifi-connecting', ssid: m[1] }];
  if (
    /\bwi-?fi\b.*\b(connection failed|failed to connect|disconnected)\b|Error while connecting to (?:WiFi|network)/i.test(
      s,
    )
  )
    return [wifiFailed('unknown', s)];
  if (
    /\bwi-?fi\b\s*:?\s*connected\b|connected to wi-?fi|WIF: Connected|WIFI : Connected!|^connected with .+, channel \d+|WiFi Connected!/i.test(
      s,
    )
  )
    return [{ kind: 'wifi-connected' }];
  if (
    (m =
      /(?:IP address:?\s*|^ip:|IP address of Device:\s*|WiFi connected:\s*)(\d{1,3}(?:\.\d{1,3}){3})/i.exec(
        s,
      ))
  )
    return [{ kind: 'ip', ip: m[1]! }];
  return [];
}

function crashEvents(s: string): LogEvent[] {
  let m: RegExpExecArray | null;
  if ((m = /^(?:Fatal )?exception \(?(\d+)\)?/i.exec(s)))
    return [{ kind: 'crash', crash: 'exception', exception: Number(m[1]) }];
  if (/Soft WDT reset/i.test(s)) return [{ kind: 'crash', crash: 'soft-wdt' }];
  if (/^wdt reset\b/.test(s)) return [{ kind: 'crash', crash: 'wdt' }];
  if (/^(Panic |Abort called|User exception \(panic)|^ISR not in IRAM|Unhandled C\+\+ exception/.test(s))
    return [{ kind: 'crash', crash: 'abort', detail: s }];
  if (/stack smashing detected|^Stack overflow/i.test(s))
    return [{ kind: 'crash', crash: 'stack', detail: s }];
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
  let s = body(line).replace(/^\[[A-Z]{1,2}\]\[[\w.]+:\d+\]:\s*/, '');
  if (!s) return [];
  // Newer ESPHome logs only "Connecting" / "Connected" / "Disconnected: …" and lets the tag say what.
  const tag = component(line);
  if (tag === 'mqtt' && !/mqtt/i.test(s)) s = `MQTT ${s}`;
  else if (tag === 'wifi' && !/wi-?fi/i.test(s) && /^(?:connected|disconnected)\b/i.test(s)) s = `WiFi ${s}`;
  if (tag === 'wifi' || tag === 'other') {
    // Another component's "connected" (the API, the web server) is not the MQTT session.
    for (const f of [crashEvents, wifiEvents]) {
      const ev = f(s);
      if (ev.length) return ev;
    }
    return [{ kind: 'text' }];
  }
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
  /** The crash whose postmortem lines (registers, ctx, stack) are still arriving. */
  private lastCrash: Extract<LogEvent, { kind: 'crash' }> | null = null;
  private inStack = false;
  /** The last MQTT state line: a "disconnected" right after an attempt is a failed connect (ESPHome). */
  private lastMqtt: LogEvent['kind'] | null = null;
  /** Lines since the last MQTT line: a bare "Connection failed" right after one is its outcome. */
  private sinceMqtt = Infinity;
  /** The SDK associated ("state: 3 -> 5") and has not yet said "connected with": the WPA handshake runs. */
  private associating = false;
  /** The attempt under way has its TCP connection open (the log said so). */
  private tcpOpen = false;

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
    if (this.postmortem(line)) return { line, events };
    if (this.pendingIp && /^\d{1,3}(\.\d{1,3}){3}$/.test(line)) {
      this.pendingIp = false;
      events.push({ kind: 'ip', ip: line });
      return { line, events };
    }
    this.pendingIp = /^IP address:?\s*$/i.test(line);
    let parsed = parseLine(line);
    // Libraries that print the outcome on its own line (Adafruit_MQTT's connectErrorString, a sketch's
    // println after print): read it as MQTT when it follows an MQTT line.
    if (this.sinceMqtt <= 2 && parsed.every((e) => e.kind === 'text') && !/wi-?fi|ssid/i.test(line)) {
      const again = parseLine(`MQTT ${body(line)}`);
      if (again.some((e) => e.kind === 'mqtt-failed' || e.kind === 'mqtt-connected')) parsed = again;
    }
    this.sinceMqtt++;
    parsed = parsed.flatMap((e) => this.handshake(e));
    for (let e of parsed) {
      if (e.kind.startsWith('mqtt-') || e.kind === 'retry-interval') this.sinceMqtt = 0;
      if (e.kind === 'mqtt-disconnected' && this.lastMqtt === 'mqtt-attempt')
        e = this.tcpOpen
          ? {
              kind: 'mqtt-failed',
              rc: -4,
              meaning: 'the broker port took the TCP connection, then closed it without a CONNACK',
            }
          : { kind: 'mqtt-failed', rc: -2, meaning: 'the connection closed while connecting (no CONNACK)' };
      if (e.kind === 'mqtt-attempt') this.tcpOpen = !!e.tcpOpen;
      if (e.kind.startsWith('mqtt-')) this.lastMqtt = e.kind;
      if (e.kind === 'crash') {
        // Newer cores print "Soft WDT reset" then "Exception (4)": one crash, not two.
        if (e.crash === 'exception' && e.exception === 4 && this.lastCrash?.crash === 'soft-wdt') continue;
        this.lastCrash = e;
        this.inStack = false;
        // SDK form carries the registers on the same line: "Fatal exception 28(...): epc1=0x..., excvaddr=..."
        this.registers(line);
      } else if (e.kind === 'rom-banner') this.lastCrash = null;
      events.push(e);
    }
    return { line, events };
  }

  /**
   * NONOS SDK state lines: 3 -> 5 is associated; "connected with" follows only once the WPA handshake is
   * done. Leaving state 5 before that is the handshake failing: a wrong password or a security mode the
   * chip does not speak (the SDK prints no reason for it).
   */
  private handshake(e: LogEvent): LogEvent[] {
    if (e.kind === 'wifi-connected' || e.kind === 'ip' || e.kind === 'rom-banner') this.associating = false;
    if (e.kind !== 'wifi-state') return [e];
    const m = /^state (\d+)->(\d+)$/.exec(e.detail);
    if (!m) return [e];
    if (m[1] === '3' && m[2] === '5') this.associating = true;
    else if (m[1] === '5' && this.associating) {
      this.associating = false;
      return [
        e,
        {
          kind: 'wifi-failed',
          stage: 'auth',
          detail: 'associated, then dropped before "connected with" (WPA handshake failed)',
        },
      ];
    }
    return [e];
  }

  /**
   * Lines that complete the crash being reported (Arduino core postmortem): the register line, `ctx:`,
   * the stack dump's code addresses. The crash event already returned is completed in place, so callers
   * keep the event objects, not copies.
   */
  private postmortem(line: string): boolean {
    const c = this.lastCrash;
    if (!c) return false;
    if (this.registers(line)) return true;
    let m: RegExpExecArray | null;
    if ((m = /^ctx:\s*(\w+)/.exec(line))) {
      c.ctx = m[1];
      return true;
    }
    if (/^>>>stack>>>/.test(line)) return (this.inStack = true);
    if (/^<<<stack<<</.test(line)) {
      this.inStack = false;
      return true;
    }
    if ((m = /^[0-9a-f]{8}:\s+((?:[0-9a-f]{8}\s*){1,4})$/i.exec(line))) {
      const code = m[1]!
        .trim()
        .split(/\s+/)
        .filter((w) => /^40[12][0-9a-f]{5}$/i.test(w));
      c.stack = [...(c.stack ?? []), ...code.map((w) => `0x${w.toLowerCase()}`)].slice(0, 64);
      return true;
    }
    return /^sp: [0-9a-f]+ end: /.test(line);
  }

  private registers(line: string): boolean {
    const c = this.lastCrash;
    const regs = /epc1=(0x[0-9a-f]+).*excvaddr=(0x[0-9a-f]+)/i.exec(line);
    if (!regs || !c || c.epc1) return false;
    c.epc1 = regs[1];
    c.excvaddr = regs[2];
    return true;
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
