/**
 * PubSubClient `state()` / `rc=` codes (v2.8, ESP8266-NOTES 7.1) with what each means on an ESP8266
 * and what to try next. Codes 1–5 are the broker's CONNACK return code copied straight through, so the
 * same table explains a host probe's CONNACK.
 */
export interface RcInfo {
  rc: number;
  name: string;
  /** One sentence: what happened on the wire. */
  meaning: string;
  /** What the user should try next. */
  fix: string;
}

const TABLE: readonly RcInfo[] = [
  {
    rc: -4,
    name: 'MQTT_CONNECTION_TIMEOUT',
    meaning: 'no CONNACK within 15 s of CONNECT, or a keep-alive PINGREQ went unanswered',
    fix: 'Check for a TLS port used with a plain client (8883 vs 1883), an overloaded broker or a link that drops packets; raise the keepalive if the sketch blocks loop() for long',
  },
  {
    rc: -3,
    name: 'MQTT_CONNECTION_LOST',
    meaning: 'the TCP connection closed while connected (broker kicked the client or the network dropped)',
    fix: 'Look at the broker log: "already connected" or a takeover means a duplicate client id; otherwise check WiFi signal and keepalive',
  },
  {
    rc: -2,
    name: 'MQTT_CONNECT_FAILED',
    meaning:
      'the TCP (or TLS) connection to the broker never opened: refused, timed out, DNS failed or WiFi not up',
    fix: 'Check the broker address and port in the firmware, that the broker listens on the LAN (mosquitto 2.x: add "listener 1883"), the firewall, and the board side (WiFi state, RF init data)',
  },
  {
    rc: -1,
    name: 'MQTT_DISCONNECTED',
    meaning:
      'not connected: initial state, after disconnect(), or the CONNECT did not fit MQTT_MAX_PACKET_SIZE',
    fix: 'Shorten the client id/will/credentials or raise MQTT_MAX_PACKET_SIZE (256 in v2.8); make sure connect() is actually called',
  },
  { rc: 0, name: 'MQTT_CONNECTED', meaning: 'connected (CONNACK 0)', fix: 'Nothing to fix' },
  {
    rc: 1,
    name: 'MQTT_CONNECT_BAD_PROTOCOL',
    meaning: 'the broker rejected the protocol version (PubSubClient speaks MQTT 3.1.1)',
    fix: 'Upgrade the broker or build PubSubClient with MQTT_VERSION MQTT_VERSION_3_1',
  },
  {
    rc: 2,
    name: 'MQTT_CONNECT_BAD_CLIENT_ID',
    meaning: 'the broker rejected the client id',
    fix: 'Use a non-empty client id of at most 23 characters, unique per board (e.g. prefix + chip id)',
  },
  {
    rc: 3,
    name: 'MQTT_CONNECT_UNAVAILABLE',
    meaning: 'the broker is up but refuses service',
    fix: 'Check the broker log and its health; restart it',
  },
  {
    rc: 4,
    name: 'MQTT_CONNECT_BAD_CREDENTIALS',
    meaning: 'bad user name or password',
    fix: "Fix the user name/password in the firmware or the broker's password_file",
  },
  {
    rc: 5,
    name: 'MQTT_CONNECT_UNAUTHORIZED',
    meaning: 'not authorised (mosquitto ≥ 2.0 with a listener refuses anonymous clients by default)',
    fix: 'Give the board a user name and password from the broker\'s password_file, or set "allow_anonymous true" in mosquitto.conf',
  },
];

/** Looks up a code; unknown codes get a generic entry rather than throwing. */
export function rcInfo(rc: number): RcInfo {
  return (
    TABLE.find((e) => e.rc === rc) ?? {
      rc,
      name: 'UNKNOWN',
      meaning: `state ${rc} is not a PubSubClient v2.8 code (-5 was TLS_BAD_SERVER_CREDENTIALS in an old fork)`,
      fix: 'Check which MQTT library the firmware uses and look the code up there',
    }
  );
}

export const allRcCodes: readonly number[] = TABLE.map((e) => e.rc);

/** A PubSubClient state printed by name ("unable to connect, MQTT_CONNECT_FAILED"): its code, else null. */
export function rcByName(text: string): number | null {
  const m = /\bMQTT_[A-Z_]+\b/.exec(text);
  return m ? (TABLE.find((e) => e.name === m[0])?.rc ?? null) : null;
}

/** Short inline annotation for the monitor: "rc=-2 MQTT_CONNECT_FAILED: …". */
export function rcAnnotation(rc: number): string {
  const i = rcInfo(rc);
  return `${i.name}: ${i.meaning}`;
}
