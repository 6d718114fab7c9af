/**
 * The rules behind the diagnosis (pure): each turns one kind of evidence into ranked causes with a fix.
 * Sources: PubSubClient codes (notes 7.1), mosquitto 2.x defaults (7.2), boot output (3.3, 3.4, 5.5),
 * and the users' reports in USERS.md items 11–14.
 */
import type { BoardFacts, Evidence, HostProbeResult } from './evidence.js';
import { rcInfo } from './rc-codes.js';

export interface Cause {
  cause: string;
  evidence: string[];
  fix: string;
}

/** A cause with its rank: higher first. Weights are relative: 100 = the chip cannot run at all. */
export type Ranked = Cause & { weight: number };

const EXCEPTIONS: Record<number, string> = {
  0: 'IllegalInstruction',
  2: 'InstructionFetchError',
  3: 'LoadStoreError (unaligned or IRAM byte access)',
  6: 'IntegerDivideByZero',
  9: 'LoadStoreAlignment',
  28: 'LoadProhibited (null or bad pointer read)',
  29: 'StoreProhibited (null or bad pointer write)',
};

export function probeText(p: HostProbeResult): string {
  if (p.ok)
    return `host probe: ${p.url} accepted us (CONNACK 0) in ${p.ms} ms, round trip ${p.roundTripMs} ms`;
  if (p.connack !== null)
    return `host probe: ${p.url} answered CONNACK ${p.connack} (${rcInfo(p.connack).meaning})`;
  return `host probe: ${p.url} failed${p.tcp.error ? ` at TCP (${p.tcp.error})` : ''}${p.error ? `: ${p.error}` : ''}`;
}

export function hostProbeCauses(p: HostProbeResult): Ranked[] {
  const ev = [probeText(p)];
  const err = `${p.tcp.error ?? ''} ${p.error ?? ''}`;
  if (p.connack === 4 || p.connack === 5)
    return [
      {
        weight: 95,
        cause: 'The broker refuses the credentials (or anonymous clients)',
        evidence: ev,
        fix: rcInfo(p.connack).fix,
      },
    ];
  if (p.connack !== null && p.connack !== 0)
    return [
      {
        weight: 90,
        cause: `The broker refuses connections: ${rcInfo(p.connack).meaning}`,
        evidence: ev,
        fix: rcInfo(p.connack).fix,
      },
    ];
  if (/ECONNREFUSED/.test(err))
    return [
      {
        weight: 95,
        cause:
          'Nothing accepts connections at the broker address: broker down, wrong port, or mosquitto ≥ 2.0 listening only on localhost',
        evidence: ev,
        fix: 'Start the broker; check the port; in mosquitto.conf add "listener 1883" and "allow_anonymous true" (or a password_file), then restart it',
      },
    ];
  if (/ENOTFOUND|EAI_AGAIN/.test(err))
    return [
      {
        weight: 95,
        cause: 'The broker host name does not resolve',
        evidence: ev,
        fix: "Use the broker's IP address or fix DNS (mDNS .local names often fail on ESP8266 too)",
      },
    ];
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out/i.test(err))
    return [
      {
        weight: 95,
        cause: 'The broker address does not answer: wrong IP, host down, or a firewall dropping the port',
        evidence: ev,
        fix: 'Check the broker IP, that the broker host is up, and open the port in its firewall',
      },
    ];
  if (/SSL|TLS|certificate|self.signed|wrong version/i.test(err))
    return [
      {
        weight: 90,
        cause: 'TLS fails: a TLS/plain port mix-up or a certificate the client does not trust',
        evidence: ev,
        fix: "Use mqtts:// only on the TLS port (usually 8883) and mqtt:// on 1883; pass the broker's CA with --ca",
      },
    ];
  return [
    {
      weight: 85,
      cause: 'The host cannot complete an MQTT connection to the broker',
      evidence: ev,
      fix: 'Check the broker log and the URL (scheme, host, port)',
    },
  ];
}

export function rcCauses(f: BoardFacts, ev: Evidence): Ranked[] {
  const out: Ranked[] = [];
  const p = ev.hostProbe;
  for (const rc of f.rcCodes) {
    const n = f.failures.filter((x) => x.rc === rc).length;
    const seen = `board log: "failed, rc=${rc}" ×${n} (${rcInfo(rc).name}: ${rcInfo(rc).meaning})`;
    if (rc === -2 && p && p.ok && !p.loopbackOnly) {
      const evidence = [seen, probeText(p)];
      if (ev.brokerWatch === 'embedded' && f.boardConnects.length === 0)
        evidence.push('the embedded broker saw no CONNECT from the board');
      if (f.wifiFailed)
        out.push({
          weight: 85,
          cause: 'The board is not on WiFi',
          evidence: [...evidence, 'board log reports a WiFi failure'],
          fix: 'Check the SSID/password in the firmware and that the AP offers 2.4 GHz',
        });
      out.push({
        weight: 80,
        cause:
          'Board side: the host reaches the broker but the board cannot open TCP to it — stale SDK/RF data in the last flash sectors, the WiFi stack state, or the firmware',
        evidence: f.wifiConnected ? [...evidence, 'board log says WiFi connected'] : evidence,
        fix: "Restore a good board's full backup (flashback restore rewrites the SDK and RF sectors), or write esp_init_data_default.bin at flash size − 0x4000 and blank.bin over the SDK config sectors; in the sketch call WiFi.mode(WIFI_STA) before WiFi.begin",
      });
      out.push({
        weight: 55,
        cause:
          'The firmware points at another address than this broker, or the network isolates the board (AP client isolation, VLAN, host firewall)',
        evidence,
        fix: 'Make the sketch use one of the host LAN addresses printed above and port as checked; allow the port in the host firewall',
      });
    } else if (rc === -2 && p && p.loopbackOnly) {
      out.push({
        weight: 95,
        cause:
          'The broker listens only on localhost (mosquitto ≥ 2.0 without a listener line), so the board is refused',
        evidence: [
          seen,
          probeText(p),
          `TCP to the broker port on ${p.lanTried?.join(', ') ?? 'the LAN addresses'} is refused`,
        ],
        fix: 'Add "listener 1883" and "allow_anonymous true" (or a password_file) to mosquitto.conf and restart it',
      });
    } else if (rc === -2 && p && !p.ok) {
      out.push(...hostProbeCauses(p).map((c) => ({ ...c, evidence: [seen, ...c.evidence] })));
    } else if (rc === -4) {
      out.push({
        weight: 75,
        cause: `No CONNACK or PINGRESP in time (${rcInfo(rc).name})`,
        evidence: [seen, ...(p ? [probeText(p)] : [])],
        fix: rcInfo(rc).fix,
      });
    } else if (rc === 4 || rc === 5) {
      out.push({
        weight: 90,
        cause: "The broker refuses the board's credentials (or anonymous clients)",
        evidence: [seen, ...(p ? [probeText(p)] : [])],
        fix: rcInfo(rc).fix,
      });
    } else if (rc !== -3) {
      out.push({
        weight: 75,
        cause: `${rcInfo(rc).name}: ${rcInfo(rc).meaning}`,
        evidence: [seen],
        fix: rcInfo(rc).fix,
      });
    }
  }
  return out;
}

export function dropCauses(f: BoardFacts): Ranked[] {
  if (f.drops === 0 && !f.rcCodes.includes(-3) && f.takeovers.length === 0) return [];
  const evidence = [
    `board connected ${f.mqttLines.filter((e) => e.kind === 'mqtt-connected').length}× and lost the connection ${f.drops}×`,
  ];
  const ids = new Map<string, Set<string>>();
  for (const c of f.boardConnects) ids.set(c.clientId, (ids.get(c.clientId) ?? new Set()).add(c.address));
  const shared = [...ids].filter(([, a]) => a.size > 1).map(([id]) => id);
  const dup = f.takeovers.length > 0 || shared.length > 0;
  if (f.takeovers.length)
    evidence.push(
      `the broker saw client id "${f.takeovers[0]!.clientId}" connect while already connected (takeover)`,
    );
  if (shared.length) evidence.push(`client id "${shared[0]}" connected from more than one address`);
  const keepalives = f.boardConnects.map((c) => c.keepalive);
  return [
    {
      weight: dup ? 95 : 60,
      cause:
        'Duplicate MQTT client id: another device (e.g. a cloned board) uses the same id and the broker kicks one off each time the other connects',
      evidence,
      fix: 'Derive the client id from the chip id or MAC (e.g. "ESP8266Client-" + String(ESP.getChipId(), HEX)); after cloning a board, change the id stored in its config',
    },
    {
      weight: dup ? 40 : 55,
      cause:
        'Keepalive or network drops: loop() blocks longer than the keepalive, or the WiFi link drops packets',
      evidence: keepalives.length
        ? [...evidence, `keepalive in CONNECT: ${keepalives.join(', ')} s`]
        : evidence,
      fix: 'Call client.loop() often (no long delay()), raise the keepalive with setKeepAlive(), check WiFi signal',
    },
  ];
}

export function bootCauses(f: BoardFacts): Ranked[] {
  const out: Ranked[] = [];
  const seen = new Set<string>();
  for (const b of f.bootFailures) {
    if (seen.has(b.failure)) continue;
    seen.add(b.failure);
    out.push({
      weight: 100,
      cause: `Boot chain: ${b.meaning}`,
      evidence: [
        `board log: "${b.line ?? b.failure}" ×${f.bootFailures.filter((x) => x.failure === b.failure).length}`,
      ],
      fix: b.fix,
    });
  }
  for (const b of f.banners.filter((x) => x.bootMode[0] !== 3).slice(0, 1))
    out.push({
      weight: 98,
      cause: `The chip did not boot from flash: ${b.bootMeaning}`,
      evidence: [
        `ROM banner: rst cause ${b.rstCause} (${b.rstMeaning}), boot mode (${b.bootMode.join(',')})`,
      ],
      fix: 'Release the FLASH/BOOT button; check GPIO0 (high), GPIO2 (high) and GPIO15 (low) at reset',
    });
  if (f.crashes.length) {
    const c = f.crashes[0]!;
    const what =
      c.crash === 'exception'
        ? `Exception (${c.exception}) ${EXCEPTIONS[c.exception ?? -1] ?? ''}`.trim()
        : c.crash === 'soft-wdt'
          ? 'Soft WDT reset'
          : c.crash === 'wdt'
            ? 'hardware watchdog reset'
            : 'panic/abort';
    const ev = [
      `board log: ${what}${c.epc1 ? ` at epc1=${c.epc1}, excvaddr=${c.excvaddr}` : ''} (${f.crashes.length} crash${f.crashes.length > 1 ? 'es' : ''})`,
    ];
    const fix =
      c.crash === 'soft-wdt'
        ? 'Something blocks loop() too long without yield(): add yield()/delay(0) in long loops'
        : c.crash === 'wdt'
          ? 'Interrupts were off too long, or the supply browns out: check ISR code and the 3.3 V supply under WiFi load'
          : "Decode the stack with the ESP Exception Decoder against the sketch's ELF; a crash right after boot can also mean a bad flash write (restore) or wrong flash size";
    out.push({
      weight: f.everConnected ? 70 : 90,
      cause: `The firmware crashes and reboots: ${what}`,
      evidence: ev,
      fix,
    });
  }
  return out;
}

export function quietCauses(f: BoardFacts, ev: Evidence): Ranked[] {
  if (ev.serialLines === 0)
    return [
      {
        weight: 50,
        cause: 'The board printed nothing',
        evidence: [`no serial output in ${Math.round(ev.windowMs / 1000)} s`],
        fix: 'Check the port and cable, that the board is powered and not held in reset (press RST if it has no auto-reset), and that the firmware uses Serial',
      },
    ];
  const recognised = f.serial.filter((e) => e.kind !== 'garbage' && e.kind !== 'text');
  if (f.garbageLines > 0 && recognised.length <= f.banners.length)
    return [
      {
        weight: 60,
        cause: "The app prints at another baud rate than the monitor's",
        evidence: [`${f.garbageLines} line(s) of bytes at the wrong baud, nothing readable after the banner`],
        fix: "Retry with --monitor-baud 74880, 9600 or the rate in the sketch's Serial.begin(); if 115200 output reads right at 74880, the RF init data crystal byte (48) does not match the board's crystal (notes 5.5)",
      },
    ];
  const saw = recognised.map((e) => e.kind).filter((k, i, a) => a.indexOf(k) === i);
  return [
    {
      weight: 40,
      cause: 'No MQTT lines in the log: unknown firmware, or it does not log its MQTT state',
      evidence: [`${ev.serialLines} line(s) seen${saw.length ? `; recognised: ${saw.join(', ')}` : ''}`],
      fix: 'Run a sketch that logs PubSubClient state (Serial.print(client.state())), or watch the broker side with --broker and --topic',
    },
  ];
}
