/**
 * The timeline the MQTT check builds: what the board printed (parsed), what the broker saw and what
 * the host probe found. `mqtt-check --json` prints these as `events`.
 */
import type { BootFailureKind, RomBanner } from './boot-banner.js';

/** Where a WiFi connection failed (SDK reason codes, core/Tasmota/ESPHome/ESPEasy wording). */
export type WifiStage = 'no-ap' | 'auth' | 'weak-signal' | 'dhcp' | 'assoc' | 'unknown';

/** Events parsed from one serial line (log-parser.ts). */
export type LogEvent =
  | ({ kind: 'rom-banner' } & RomBanner)
  | { kind: 'boot-failure'; failure: BootFailureKind; meaning: string; fix: string }
  | { kind: 'boot-ok' }
  | { kind: 'wifi-connecting'; ssid?: string }
  | { kind: 'wifi-connected' }
  | { kind: 'wifi-failed'; stage: WifiStage; reason?: number; detail?: string }
  | { kind: 'wifi-state'; detail: string }
  | { kind: 'ip'; ip: string }
  /** tcpOpen: the log says the TCP connection to the broker is open (esp_mqtt "Connected to broker H:P"). */
  | { kind: 'mqtt-attempt'; tcpOpen?: boolean }
  /** The firmware names the broker it uses (Tasmota, core debug [hostByName], ESPHome, ESPEasy). */
  | { kind: 'broker-named'; host: string; port?: number }
  /** "try again in 5 seconds" / "Retry in 10 sec": the sketch's retry interval. */
  | { kind: 'retry-interval'; ms: number }
  | { kind: 'mqtt-connected' }
  | { kind: 'mqtt-failed'; rc: number; meaning: string; dns?: string | true }
  | { kind: 'mqtt-disconnected' }
  | { kind: 'publish'; topic?: string; payload: string }
  | { kind: 'message-in'; topic: string; payload: string }
  | {
      kind: 'crash';
      crash: 'exception' | 'soft-wdt' | 'wdt' | 'stack' | 'abort';
      exception?: number;
      epc1?: string;
      excvaddr?: string;
      /** `ctx: sys` (SDK/interrupt) or `ctx: cont` (the sketch's loop/setup). */
      ctx?: string;
      /** Code addresses from the stack dump (0x40…), for --elf. */
      stack?: string[];
      /** The panic/abort line itself ("Panic core_esp8266_main.cpp:137 __yield"). */
      detail?: string;
    }
  | { kind: 'garbage'; bytes: number; note: string }
  | { kind: 'text' };

/** Events from the broker we watch (embedded broker or a subscription on the user's broker). */
export type BrokerEvent =
  | { kind: 'broker-connect'; clientId: string; address: string; protocolLevel: number; keepalive: number }
  | { kind: 'broker-disconnect'; clientId: string; address: string }
  | { kind: 'broker-takeover'; clientId: string; address: string }
  | { kind: 'broker-publish'; clientId: string | null; topic: string; payload: string }
  | { kind: 'broker-client-error'; clientId: string; error: string }
  /** $SYS/broker/clients/connected changed (mosquitto). */
  | { kind: 'broker-clients'; connected: number };

export type TimedEvent = (LogEvent | BrokerEvent) & {
  /** Milliseconds since the check started. */
  t: number;
  source: 'serial' | 'broker';
  /** Serial events: the rate the line was read at. */
  baud?: number;
  /** The serial line (printable part) the event came from. */
  line?: string;
};

export const MQTT_LOG_KINDS = new Set(['mqtt-attempt', 'mqtt-connected', 'mqtt-failed', 'mqtt-disconnected']);
