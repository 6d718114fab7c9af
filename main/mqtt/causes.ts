/**
 * The rules behind the diagnosis (pure): each turns one kind of evidence into ranked causes with a fix,
 * how sure it is and what would confirm it. Sources: PubSubClient codes (notes 7.1), mosquitto 2.x
 * defaults (7.2), boot output (3.3, 3.4, 5.5), SDK WiFi reason codes, the Arduino core's postmortem.
 *
 * The flash (restore, RF init data, SDK sectors) is only blamed on board-side evidence: the ROM/SDK
 * saying so, or the same sketch passing on another board. rc=-4 and CONNACK refusals prove TCP reached
 * the broker, so the radio and the flash work; crashes are the sketch's; WiFi-stage failures are the
 * network's or the credentials'.
 */
import type { BoardFacts, Evidence, HostProbeResult } from './evidence.js';
import type { SymbolTable } from './elf-symbols.js';
import { rcInfo } from './rc-codes.js';
import { BOOT_LOG_BAUD } from './serial-log.js';

export type Confidence = 'high' | 'medium' | 'low';

/** Stable identifiers for causes (tests, the corpus index and scripts branch on these). */
export type CauseCode =
  | 'boot-chain'
  | 'rf-init-missing'
  | 'system-param'
  | 'csum-err'
  | 'no-image'
  | 'flash-size-mismatch'
  | 'download-mode'
  | 'crash-sketch'
  | 'soft-wdt'
  | 'hw-wdt'
  | 'wifi-no-ap'
  | 'wifi-auth'
  | 'wifi-weak'
  | 'wifi-dhcp'
  | 'wifi-assoc'
  | 'wifi-unknown'
  | 'dns'
  | 'broker-unreachable'
  | 'broker-auth'
  | 'broker-refused'
  | 'mqtt-timeout'
  | 'tls-mismatch'
  | 'local-only'
  | 'board-side'
  | 'network-path'
  | 'connect-drop'
  | 'keepalive'
  | 'not-this-broker'
  | 'wrong-baud'
  | 'silent'
  | 'no-mqtt-lines'
  | 'no-outcome'
  | 'single-failure'
  | 'recovered'
  | 'note';

/** Causes whose fix rewrites flash (restore, init data, SDK sectors). */
export const FLASH_REPAIR: ReadonlySet<CauseCode> = new Set([
  'boot-chain',
  'rf-init-missing',
  'system-param',
  'csum-err',
  'no-image',
  'flash-size-mismatch',
  'board-side',
]);

export interface Cause {
  code: CauseCode;
  cause: string;
  evidence: string[];
  fix: string;
  confidence: Confidence;
  /** What would confirm (or rule out) this cause. */
  confirm?: string;
}

/** A cause with its rank: higher first. Weights are relative: 100 = the chip cannot run at all. */
export type Ranked = Cause & { weight: number };

const EXCEPTIONS: Record<number, string> = {
  0: 'IllegalInstruction',
  2: 'InstructionFetchError',
  3: 'LoadStoreError (byte access to flash/IRAM)',
  4: 'Level1Interrupt (the software watchdog on newer cores)',
  6: 'IntegerDivideByZero',
  9: 'LoadStoreAlignment (unaligned access)',
  28: 'LoadProhibited (read through a bad pointer)',
  29: 'StoreProhibited (write through a bad pointer)',
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
  if (p.tlsMismatch === 'port-speaks-tls')
    return [
      {
        code: 'tls-mismatch',
        weight: 95,
        confidence: 'high',
        cause:
          'This port speaks TLS: a plain mqtt:// client (and a plain PubSubClient/WiFiClient) gets no CONNACK there',
        evidence: [...ev, `a TLS handshake on ${p.url.replace(/^mqtts?:\/\//, '')} succeeds`],
        fix: 'Use mqtts:// (WiFiClientSecure on the board, with the CA or fingerprint), or the broker’s plain port (usually 1883)',
        confirm: 'flashback mqtt-check --broker mqtts://HOST:PORT --ca ca.pem',
      },
    ];
  if (p.tlsMismatch === 'port-speaks-plain')
    return [
      {
        code: 'tls-mismatch',
        weight: 95,
        confidence: 'high',
        cause: 'This port speaks plain MQTT, not TLS',
        evidence: [...ev, 'a plain MQTT CONNECT on the same port gets a CONNACK'],
        fix: 'Use mqtt:// on this port, or the broker’s TLS port (usually 8883) for mqtts://',
      },
    ];
  if (p.connack === 4 || p.connack === 5)
    return [
      // Which credentials it refused matters: the ones given for the check, or none at all.
      p.user !== undefined
        ? {
            code: 'broker-auth',
            weight: 95,
            confidence: 'high',
            cause: `The broker refused the user name and password given for the check (user "${p.user}", CONNACK ${p.connack})`,
            evidence: ev,
            fix: "Check the user name and password in --broker mqtt://USER:PASS@HOST:PORT (or --username/--password) against the broker's password_file",
          }
        : {
            code: 'broker-auth',
            weight: 95,
            confidence: 'high',
            cause: `The broker refuses anonymous clients (CONNACK ${p.connack}): the check connected without a user name`,
            evidence: ev,
            fix: `Give the check the broker's user name and password: --broker mqtt://USER:PASS@HOST:PORT. ${rcInfo(p.connack).fix}`,
          },
    ];
  if (p.connack !== null && p.connack !== 0)
    return [
      {
        code: 'broker-refused',
        weight: 90,
        confidence: 'high',
        cause: `The broker refuses connections: ${rcInfo(p.connack).meaning}`,
        evidence: ev,
        fix: rcInfo(p.connack).fix,
      },
    ];
  if (/ECONNREFUSED/.test(err))
    return [
      {
        code: 'broker-unreachable',
        weight: 95,
        confidence: 'high',
        cause:
          'Nothing accepts connections at the broker address: broker down, wrong port, or not listening on this interface',
        evidence: ev,
        fix: 'Start the broker; check the port; on mosquitto ≥ 2.0 add "listener 1883" and "allow_anonymous true" (or a password_file), then restart it',
      },
    ];
  if (/ENOTFOUND|EAI_AGAIN/.test(err))
    return [
      {
        code: 'dns',
        weight: 95,
        confidence: 'high',
        cause: 'The broker host name does not resolve',
        evidence: ev,
        fix: "Use the broker's IP address or fix DNS (mDNS .local names often fail on ESP8266 too)",
      },
    ];
  if (p.rcEquivalent === -4 || /NO_CONNACK|NO_ANSWER|connack/i.test(err))
    return [
      {
        code: 'mqtt-timeout',
        weight: 90,
        confidence: 'medium',
        cause: 'The broker port accepts TCP but never answers the MQTT CONNECT',
        evidence: ev,
        fix: 'Check that this port is an MQTT listener (not TLS, not websockets, not another service) and the broker is healthy',
        confirm: 'mosquitto_sub -h HOST -p PORT -t test -d shows whether a CONNACK comes back',
      },
    ];
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out/i.test(err))
    return [
      {
        code: 'broker-unreachable',
        weight: 95,
        confidence: 'high',
        cause: 'The broker address does not answer: wrong IP, host down, or a firewall dropping the port',
        evidence: ev,
        fix: 'Check the broker IP, that the broker host is up, and open the port in its firewall',
      },
    ];
  if (/SSL|TLS|certificate|self.signed|wrong version|EPROTO/i.test(err))
    return [
      {
        code: 'tls-mismatch',
        weight: 90,
        confidence: 'medium',
        cause: 'TLS fails: a TLS/plain port mix-up or a certificate the client does not trust',
        evidence: ev,
        fix: "Use mqtts:// only on the TLS port (usually 8883) and mqtt:// on 1883; pass the broker's CA with --ca",
      },
    ];
  return [
    {
      code: 'broker-unreachable',
      weight: 85,
      confidence: 'medium',
      cause: 'The host cannot complete an MQTT connection to the broker',
      evidence: ev,
      fix: 'Check the broker log and the URL (scheme, host, port)',
    },
  ];
}

/** The broker the board uses, as far as we know: the one it named, else the one checked if it is the board's. */
function boardsProbe(ev: Evidence): HostProbeResult | null {
  if (ev.namedBroker?.probe) return ev.namedBroker.probe;
  return ev.boardsBroker ? ev.hostProbe : null;
}

export function wifiCauses(f: BoardFacts): Ranked[] {
  const out: Ranked[] = [];
  // The last failure stage wins: an AP that was not found and then refused the key is a key problem.
  const last = f.wifiFailures.at(-1);
  const stages = new Set(f.wifiFailures.map((w) => w.stage));
  const seen = (n: number) =>
    f.wifiFailures
      .slice(-n)
      .map((w) => `board log: ${w.detail ?? w.stage}${w.reason !== undefined ? ` (reason ${w.reason})` : ''}`)
      .filter((x, i, a) => a.indexOf(x) === i);
  const recovered = f.wifiConnected && f.wifiFailures.every((w) => w.t < lastWifiUp(f));
  if (last && !recovered) {
    const stage = stages.has('auth') ? 'auth' : stages.has('no-ap') ? 'no-ap' : last.stage;
    const common = { evidence: seen(3), weight: 88 } as const;
    if (stage === 'no-ap')
      out.push({
        ...common,
        code: 'wifi-no-ap',
        confidence: 'high',
        cause: 'WiFi: the access point is not found (SSID not in the scan)',
        fix: 'Check the SSID spelling and case, that the AP broadcasts on 2.4 GHz (the ESP8266 has no 5 GHz) on channels 1–13, and that the board is in range',
        confirm: 'WiFi.scanNetworks() on the board lists the SSIDs it can see',
      });
    else if (stage === 'auth')
      out.push({
        ...common,
        code: 'wifi-auth',
        confidence: 'high',
        cause:
          'WiFi: authentication fails — wrong password, or a security mode the ESP8266 cannot use (WPA3-only, WPA2/3 mixed, enterprise)',
        fix: 'Check the WiFi password in the firmware; set the AP to WPA2-PSK (AES) for this board',
        confirm: 'The AP/router log shows a PSK mismatch for the board’s MAC',
      });
    else if (stage === 'weak-signal')
      out.push({
        ...common,
        code: 'wifi-weak',
        confidence: 'medium',
        cause: 'WiFi: the link drops (beacon timeout): weak signal or an unstable AP',
        fix: 'Move the board or the AP closer, check the antenna and a steady 3.3 V supply (brown-outs look the same)',
        confirm: 'WiFi.RSSI() below about −80 dBm confirms a weak signal',
      });
    else if (stage === 'assoc')
      out.push({
        ...common,
        code: 'wifi-assoc',
        confidence: 'medium',
        cause: 'WiFi: association fails or expires (AP busy, MAC filter, or too many clients)',
        fix: 'Check the AP’s MAC filter and client limit; restart the AP',
      });
    else
      out.push({
        ...common,
        weight: 84,
        code: 'wifi-unknown',
        confidence: 'low',
        cause: 'WiFi does not connect',
        fix: 'Enable the core’s WiFi debug output (Tools → Debug port: Serial, Debug level: WIFI) to see the SDK’s reason code',
      });
  }
  if (f.dhcpStalled && !f.wifiFailures.length)
    out.push({
      code: 'wifi-dhcp',
      weight: 86,
      confidence: 'medium',
      cause: 'WiFi associates but gets no IP address (DHCP)',
      evidence: ['board log: "dhcp client start..." and no "ip:" after it'],
      fix: 'Check the DHCP server (router lease pool full? 802.11b/g disabled?), or give the board a static IP',
      confirm: 'The router’s DHCP lease table shows no lease for the board’s MAC',
    });
  return out;
}

function lastWifiUp(f: BoardFacts): number {
  return f.serial.filter((e) => e.kind === 'wifi-connected' || e.kind === 'ip').at(-1)?.t ?? -1;
}

export function rcCauses(f: BoardFacts, ev: Evidence): Ranked[] {
  const out: Ranked[] = [];
  const p = boardsProbe(ev);
  for (const rc of f.rcCodes) {
    const list = f.failures.filter((x) => x.rc === rc);
    const n = list.length;
    const seen = `board log: ${list[0]!.dns ? `broker name does not resolve` : `"failed, rc=${rc}"`} ×${n} (${rcInfo(rc).name}: ${list[0]!.meaning})`;
    if (list.some((x) => x.dns)) {
      out.push({
        code: 'dns',
        weight: 92,
        confidence: 'high',
        cause: 'The board cannot resolve the broker’s host name',
        evidence: [seen],
        fix: 'Use the broker’s IP address in the firmware (mDNS .local names often fail on ESP8266), or fix the DNS server the board gets from DHCP',
      });
      continue;
    }
    if (rc === -2) {
      // lwIP's DNS client on the ESP8266 does not do mDNS: a ".local" broker name fails as a TCP failure.
      const mdns = f.serial.find(
        (e): e is typeof e & { kind: 'broker-named'; host: string } =>
          e.kind === 'broker-named' && /\.local$/i.test(e.host),
      );
      if (mdns)
        out.push({
          code: 'dns',
          weight: 93,
          confidence: 'medium',
          cause: `The broker is named "${mdns.host}": an mDNS .local name, which the ESP8266's DNS client does not resolve`,
          evidence: [seen, `board log: ${JSON.stringify(mdns.line ?? mdns.host)}`],
          fix: "Use the broker's IP address (or a name your DNS server knows) in the firmware",
          confirm: 'The same sketch connects when given the IP address instead of the .local name',
        });
      out.push(...rcMinus2(f, ev, p, seen));
    } else if (rc === -4)
      out.push({
        code: 'mqtt-timeout',
        weight: 80,
        confidence: p?.tlsMismatch === 'port-speaks-tls' ? 'high' : 'medium',
        cause:
          p?.tlsMismatch === 'port-speaks-tls'
            ? 'The board speaks plain MQTT to a TLS port: TCP connects, the CONNACK never comes (rc=-4)'
            : 'TCP reached the broker but no CONNACK came in time (rc=-4): the WiFi, the radio and the flash work; the broker side does not answer',
        evidence: [seen, ...(p ? [probeText(p)] : [])],
        fix: rcInfo(rc).fix,
        confirm:
          'The broker log shows "New connection from <board IP>" without a CONNACK, or a TLS handshake error',
      });
    else if (rc === 4 || rc === 5)
      out.push({
        code: 'broker-auth',
        weight: 92,
        confidence: 'high',
        cause: "The broker refuses the board's credentials (or anonymous clients)",
        evidence: [seen, ...(p ? [probeText(p)] : [])],
        fix: rcInfo(rc).fix,
        confirm:
          'The broker log shows "not authorised" / "bad user name or password" for the board’s client id',
      });
    else if (rc >= 1 && rc <= 3)
      out.push({
        code: 'broker-refused',
        weight: 85,
        confidence: 'high',
        cause: `The broker refuses the CONNECT: ${rcInfo(rc).meaning}`,
        evidence: [seen],
        fix: rcInfo(rc).fix,
      });
    else if (rc !== -3)
      out.push({
        code: 'broker-refused',
        weight: 70,
        confidence: 'low',
        cause: `${rcInfo(rc).name}: ${rcInfo(rc).meaning}`,
        evidence: [seen],
        fix: rcInfo(rc).fix,
      });
  }
  return out;
}

/** rc=-2: TCP (or TLS) to the broker never opened. Who is at fault depends on what else we know. */
function rcMinus2(f: BoardFacts, ev: Evidence, p: HostProbeResult | null, seen: string): Ranked[] {
  if (p && !p.ok && !p.loopbackOnly)
    return hostProbeCauses(p).map((c) => ({ ...c, evidence: [seen, ...c.evidence] }));
  // A virtual board lives on this host and reaches loopback: a localhost-only broker is no reason for
  // its failure (the good demo board passes against the same broker); it is noted, not blamed.
  if (p?.loopbackOnly && ev.loopbackReach)
    return [
      ...rcMinus2(f, ev, { ...p, loopbackOnly: false }, seen),
      {
        code: 'note',
        weight: 10,
        confidence: 'medium',
        cause: 'Note: the broker answers only on localhost, so real boards on the LAN could not reach it',
        evidence: [
          `TCP to the broker port on ${p.lanTried?.join(', ') ?? 'the LAN addresses'} is refused while loopback answers`,
        ],
        fix: 'Add "listener 1883" and "allow_anonymous true" (or a password_file) to mosquitto.conf before moving to real boards',
      },
    ];
  if (p?.loopbackOnly)
    return [
      {
        code: 'local-only',
        weight: 95,
        confidence: 'high',
        cause:
          'The broker listens only on localhost (a "listener PORT 127.0.0.1" line, or mosquitto ≥ 2.0 without a listener line), so the board is refused',
        evidence: [
          seen,
          probeText(p),
          `TCP to the broker port on ${p.lanTried?.join(', ') ?? 'the LAN addresses'} is refused while loopback answers`,
        ],
        fix: 'Add "listener 1883" and "allow_anonymous true" (or a password_file) to mosquitto.conf and restart it',
      },
    ];
  const wifi = f.wifiConnected ? ['board log says WiFi connected'] : [];
  // The board's own flash/radio is suspect only with evidence: the same sketch passes on another board.
  if (ev.referencePassed && p?.ok)
    return [
      {
        code: 'board-side',
        weight: 85,
        confidence: 'high',
        cause:
          'Board side: the same sketch connects from another board, this one cannot open TCP to the broker — stale SDK/RF data in its last flash sectors or its radio',
        evidence: [seen, probeText(p), `the same sketch passed on ${ev.referencePassed.port}`, ...wifi],
        fix: "Restore the good board's full backup (flashback restore rewrites the SDK and RF sectors), or without a donor `flashback repair`, which resets the RF calibration and SDK sectors the way this firmware's layout needs (WiFi settings are reset)",
        confirm: 'After the restore this board passes the check against the same broker',
      },
      networkPath(seen, p, ev, 50),
    ];
  const out: Ranked[] = [];
  if (p?.ok) {
    out.push(networkPath(seen, p, ev, 80));
    out.push({
      code: 'board-side',
      weight: 45,
      confidence: 'low',
      cause: "Board side (less likely): this board's radio or its RF/SDK data",
      evidence: [seen, probeText(p), ...wifi],
      fix: 'Only after ruling out the network: run the same sketch on a board known to work; if that one connects, restore this one from a good backup',
      confirm: 'The same sketch on another board passes this check (the workbench remembers when it did)',
    });
  } else {
    out.push({
      code: 'broker-unreachable',
      weight: 80,
      confidence: 'medium',
      cause:
        'The board cannot open TCP to its broker (rc=-2): wrong broker address or port in the firmware, the broker not listening on the LAN, or a firewall between them',
      evidence: [
        seen,
        ...(ev.namedBroker
          ? [
              `the board's log names its broker ${ev.namedBroker.url}${ev.namedBroker.probe ? '' : ' (not probed)'}`,
            ]
          : []),
        ...wifi,
        ...(ev.brokerWatch === 'embedded' && !ev.boardsBroker
          ? ['the embedded broker is not the board’s broker (the board never connected to it)']
          : []),
      ],
      fix: 'Check the broker address/port compiled into the sketch; from a PC on the same WiFi try mosquitto_sub -h BROKER -p PORT -t "#"; on mosquitto ≥ 2.0 add "listener 1883"; open the port in the broker host’s firewall',
      confirm:
        'Re-run with --broker mqtt://HOST:PORT (the board’s broker): the host probe tells broker-down from board-side',
    });
  }
  return out;
}

function networkPath(seen: string, p: HostProbeResult, ev: Evidence, weight: number): Ranked {
  const evidence = [seen, probeText(p)];
  if (ev.brokerWatch === 'embedded') evidence.push('the embedded broker saw no CONNECT from the board');
  return {
    code: 'network-path',
    weight,
    confidence: 'medium',
    cause:
      'The host reaches the broker but the board does not: the firmware points at another address/port, or the network isolates the board (AP client isolation, guest VLAN, host firewall)',
    evidence,
    fix: 'Make the sketch use one of the host LAN addresses and the port checked; allow the port in the host firewall; disable AP/client isolation for the board',
    confirm:
      'A phone on the board’s WiFi reaches the broker (e.g. an MQTT app); the broker log shows no connection attempt from the board',
  };
}

export function dropCauses(f: BoardFacts): Ranked[] {
  if (f.drops === 0 && !f.rcCodes.includes(-3) && f.takeovers.length === 0) return [];
  const connects = f.mqttLines.filter((e) => e.kind === 'mqtt-connected').length;
  const evidence = [`board connected ${connects}× and lost the connection ${f.drops}×`];
  const ids = new Map<string, Set<string>>();
  for (const c of f.boardConnects) ids.set(c.clientId, (ids.get(c.clientId) ?? new Set()).add(c.address));
  const shared = [...ids].filter(([, a]) => a.size > 1).map(([id]) => id);
  const dup = f.takeovers.length > 0 || shared.length > 0;
  // Connects that are cut again and again (more drops than failures) are the pattern, whatever rc shows.
  const loop = f.drops >= 2 && f.drops >= f.failures.length;
  if (f.takeovers.length)
    evidence.push(
      `the broker saw client id "${f.takeovers[0]!.clientId}" connect while already connected (takeover)`,
    );
  if (shared.length) evidence.push(`client id "${shared[0]}" connected from more than one address`);
  const keepalives = f.boardConnects.map((c) => c.keepalive);
  return [
    {
      code: 'connect-drop',
      weight: dup ? 95 : loop ? 85 : 60,
      confidence: dup ? 'high' : 'medium',
      // Only a takeover or one id from two addresses proves the duplicate; otherwise name the usual suspects.
      cause: dup
        ? 'Duplicate MQTT client id: another device (e.g. a cloned board) uses the same id and the broker kicks one off each time the other connects'
        : 'The broker closes the session soon after it opens: most often a duplicate client id (another device with the same id), else a publish/subscribe it does not authorise',
      evidence,
      fix: 'Derive the client id from the chip id or MAC (e.g. "ESP8266Client-" + String(ESP.getChipId(), HEX)); after cloning a board, change the id stored in its config',
      confirm: 'The broker log shows the same client id from two IP addresses',
    },
    {
      code: 'keepalive',
      weight: dup ? 40 : 55,
      confidence: 'low',
      cause:
        'Keepalive or network drops: loop() blocks longer than the keepalive, the broker closes the session (e.g. a publish it does not authorise), or the WiFi link drops packets',
      evidence: keepalives.length
        ? [...evidence, `keepalive in CONNECT: ${keepalives.join(', ')} s`]
        : evidence,
      fix: 'Call client.loop() often (no long delay()), raise the keepalive with setKeepAlive(), check topic ACLs and WiFi signal',
    },
  ];
}

/** "\r\nHO" style: every byte of the address is printable ASCII, so text was used as a pointer. */
function looksLikeText(addr: number): string | null {
  const bytes = [addr & 0xff, (addr >>> 8) & 0xff, (addr >>> 16) & 0xff, addr >>> 24];
  if (!bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d)) return null;
  return JSON.stringify(String.fromCharCode(...bytes));
}

function crashPattern(c: BoardFacts['crashes'][number]): string | null {
  const v = c.excvaddr ? parseInt(c.excvaddr, 16) : null;
  const pc = c.epc1 ? parseInt(c.epc1, 16) : null;
  if (v !== null && (c.exception === 28 || c.exception === 29 || c.exception === 9 || c.exception === 3)) {
    const text = looksLikeText(v);
    if (text)
      return `the bad address ${c.excvaddr} is ASCII text ${text}: a string/buffer overwrote a pointer, or text is used as a pointer`;
    if (v < 0x1000) return `a null pointer was dereferenced (address ${c.excvaddr} = NULL + ${v})`;
    if (c.exception === 3 && v >= 0x40100000 && v < 0x40300000)
      return `a byte was read from flash/IRAM at ${c.excvaddr}: a PROGMEM string read with a normal pointer (use pgm_read_byte / F())`;
  }
  if (pc !== null && (c.exception === 2 || c.exception === 0) && pc >= 0x3ff00000 && pc < 0x40000000)
    return `execution jumped into RAM (${c.epc1}): a bad function pointer or a smashed stack`;
  if (c.exception === 6) return 'a division by zero';
  return null;
}

export function crashCauses(f: BoardFacts, symbols?: SymbolTable | null): Ranked[] {
  if (!f.crashes.length) return [];
  const out: Ranked[] = [];
  const wdt =
    f.crashes.filter((c) => c.crash === 'wdt').length + f.banners.filter((b) => b.rstCause === 4).length;
  const soft = f.crashes.filter(
    (c) => c.crash === 'soft-wdt' || (c.crash === 'exception' && c.exception === 4),
  );
  const exc = f.crashes.filter((c) => c.crash === 'exception' && c.exception !== 4);
  const appTail = f.lastAppLines.length
    ? [`the app's last lines: ${f.lastAppLines.map((l) => JSON.stringify(l)).join(' / ')}`]
    : [];
  const romCause = f.banners.at(-1);
  const rom = romCause
    ? [
        `ROM: rst cause:${romCause.rstCause} (${romCause.rstMeaning}), boot mode (${romCause.bootMode.join(',')})`,
      ]
    : [];
  const name = (addr?: string) => {
    if (!addr || !symbols) return '';
    const s = symbols.lookup(parseInt(addr, 16));
    return s ? ` in ${s.name}+0x${s.offset.toString(16)}` : '';
  };
  if (exc.length) {
    const c = exc[0]!;
    const what = `Exception (${c.exception}) ${EXCEPTIONS[c.exception ?? -1] ?? ''}`.trim();
    const pattern = crashPattern(c);
    const where =
      c.ctx === 'sys'
        ? 'in the SDK/WiFi context or an interrupt (ctx: sys): an ISR or a network callback misbehaves, or the heap/stack ran out'
        : c.ctx === 'cont'
          ? "in the sketch's setup()/loop() (ctx: cont)"
          : '';
    const stackNames =
      symbols && c.stack?.length
        ? c.stack
            .map((a) => symbols.lookup(parseInt(a, 16)))
            .filter((s): s is NonNullable<typeof s> => !!s)
            .map((s) => s.name)
            .filter((n, i, a) => a.indexOf(n) === i)
            .slice(0, 6)
        : [];
    out.push({
      code: 'crash-sketch',
      weight: f.everConnected ? 75 : 90,
      confidence: 'high',
      cause: `The firmware crashes and reboots: ${what}${name(c.epc1)}${pattern ? ` — ${pattern}` : ''}`,
      evidence: [
        `board log: ${what}${c.epc1 ? ` at epc1=${c.epc1}${name(c.epc1)}, excvaddr=${c.excvaddr}` : ''}${c.ctx ? `, ctx: ${c.ctx}` : ''} (${exc.length} crash${exc.length > 1 ? 'es' : ''})`,
        ...(where ? [`where: ${where}`] : []),
        ...(stackNames.length ? [`call stack (from the ELF): ${stackNames.join(' ← ')}`] : []),
        ...rom,
        ...appTail,
      ],
      fix: symbols
        ? 'Fix the sketch at the function named above; the flash is not at fault'
        : "A bug in the sketch or a library, not the flash: pass the sketch's ELF with --elf FILE to name the function, or decode the stack with the ESP Exception Decoder",
      confirm:
        'The same crash at the same epc1 after reflashing the same build (a flash fault would move or vanish)',
    });
  }
  const aborts = f.crashes.filter((c) => c.crash === 'abort' || c.crash === 'stack');
  if (aborts.length && !exc.length) {
    const said = aborts.map((c) => c.detail ?? c.line ?? '').join(' ');
    const why = /yield/.test(said)
      ? 'yield()/delay() called where it must not be (a network callback, Ticker or interrupt)'
      : /ISR not in IRAM/.test(said)
        ? 'an interrupt handler is not in IRAM (mark it IRAM_ATTR)'
        : /stack smashing|Stack overflow/i.test(said)
          ? 'a local buffer overflowed the stack (stack smashing)'
          : /C\+\+ exception|bad_alloc/.test(said)
            ? 'an unhandled C++ exception, usually out of memory (new/String growth failed)'
            : 'panic()/abort()/assert() in the sketch or a library';
    out.push({
      code: 'crash-sketch',
      weight: f.everConnected ? 75 : 90,
      confidence: 'high',
      cause: `The firmware aborts and reboots: ${why}`,
      evidence: [
        `board log: ${aborts
          .map((c) => JSON.stringify(c.detail ?? c.line ?? c.crash))
          .filter((x, i, a) => a.indexOf(x) === i)
          .slice(0, 2)
          .join(' / ')}${aborts[0]!.ctx ? `, ctx: ${aborts[0]!.ctx}` : ''}`,
        ...rom,
        ...appTail,
      ],
      fix: symbols
        ? 'Fix the sketch where the stack names; the flash is not at fault'
        : "A bug in the sketch or a library, not the flash: pass the sketch's ELF with --elf FILE to name the functions on the stack",
      confirm: 'The same abort after reflashing the same build (a flash fault would move or vanish)',
    });
  }
  if (soft.length)
    out.push({
      code: 'soft-wdt',
      weight: f.everConnected ? 72 : 88,
      confidence: 'high',
      cause:
        'The software watchdog resets the chip: loop() (or a library it calls) blocks for ~3 s without yield()',
      evidence: [
        `board log: Soft WDT reset ×${soft.length}${soft[0]!.ctx ? `, ctx: ${soft[0]!.ctx}` : ''}`,
        ...rom,
        ...appTail,
      ],
      fix: 'Find the blocking loop (sensor reads, while() waiting for WiFi/MQTT without delay()) and add yield()/delay(0) in it; decode the stack with --elf to see where',
    });
  if (wdt && !exc.length && !soft.length)
    out.push({
      code: 'hw-wdt',
      weight: 87,
      confidence: 'medium',
      cause:
        'The hardware watchdog resets the chip (rst cause:4, "wdt reset"): code runs ~6–8 s with interrupts off or in a tight loop, or the supply browns out',
      evidence: [
        `ROM/SDK: ${f.crashes.filter((c) => c.crash === 'wdt').length}× "wdt reset", ${f.banners.filter((b) => b.rstCause === 4).length} banner(s) with rst cause:4`,
        ...rom,
        ...appTail,
      ],
      fix: 'Look at ISRs and loops with interrupts disabled, long blocking library calls in setup(); check the 3.3 V supply under WiFi load (≥ 300 mA, a capacitor near the module)',
      confirm: 'The last app line printed before each reset points at the blocking call',
    });
  return out;
}

export function bootCauses(f: BoardFacts, ev: Evidence): Ranked[] {
  const out: Ranked[] = [];
  const seen = new Set<string>();
  const code = (k: string): CauseCode =>
    k === 'rf-init-missing' ||
    k === 'system-param' ||
    k === 'csum-err' ||
    k === 'no-image' ||
    k === 'flash-size-mismatch'
      ? k
      : 'boot-chain';
  for (const b of f.bootFailures) {
    if (seen.has(b.failure)) continue;
    seen.add(b.failure);
    const n = f.bootFailures.filter((x) => x.failure === b.failure).length;
    out.push({
      code: code(b.failure),
      weight: b.failure === 'no-image' && seen.has('csum-err') ? 99 : 100,
      confidence: 'high',
      cause: `Boot chain: ${b.meaning}`,
      evidence: [
        `board log${b.baud ? ` (read at ${b.baud})` : ''}: "${b.line ?? b.failure}" ×${n}`,
        ...(f.banners.length
          ? [
              `ROM: rst cause:${f.banners.at(-1)!.rstCause}, ${f.banners.length} boot banner(s) in ${Math.round(ev.windowMs / 1000)} s`,
            ]
          : []),
        ...(f.lastAppLines.length && f.banners.length > 1
          ? [`the app's last lines: ${f.lastAppLines.map((l) => JSON.stringify(l)).join(' / ')}`]
          : []),
      ],
      fix: b.fix,
    });
  }
  for (const b of f.banners.filter((x) => x.bootMode[0] !== 3).slice(0, 1))
    out.push({
      code: 'download-mode',
      weight: 98,
      confidence: b.bootMode[0] === 1 ? 'high' : 'medium',
      cause: `The chip did not boot from flash: ${b.bootMeaning}`,
      evidence: [
        `ROM banner: rst cause ${b.rstCause} (${b.rstMeaning}), boot mode (${b.bootMode.join(',')})`,
      ],
      fix: 'Release the FLASH/BOOT button; check GPIO0 (high), GPIO2 (high) and GPIO15 (low) at reset',
    });
  return out;
}

export function quietCauses(f: BoardFacts, ev: Evidence): Ranked[] {
  if (ev.serialLines === 0)
    return [
      {
        code: 'silent',
        weight: 50,
        confidence: 'medium',
        cause: 'The board printed nothing',
        evidence: [`no serial output in ${Math.round(ev.windowMs / 1000)} s`],
        fix: ev.listenOnly
          ? 'Nothing was reset (listening only): press RESET (--before manual), or check that the firmware prints on Serial'
          : 'Check the port and cable, that the board is powered and not held in reset (press RST if it has no auto-reset), and that the firmware uses Serial',
      },
    ];
  const recognised = f.serial.filter((e) => e.kind !== 'garbage' && e.kind !== 'text');
  const appGarbage = f.serial.filter((e) => e.kind === 'garbage' && e.baud !== BOOT_LOG_BAUD).length;
  if (
    appGarbage > 0 &&
    recognised.length <= f.banners.length + f.serial.filter((e) => e.kind === 'boot-ok').length
  )
    return [
      {
        code: 'wrong-baud',
        weight: 60,
        confidence: 'medium',
        cause: "The app prints at another baud rate than the monitor's",
        evidence: [`${appGarbage} line(s) of bytes at the wrong rate, nothing readable from the app`],
        fix: "Retry with --monitor-baud set to the sketch's Serial.begin() rate (9600, 74880, 115200…); if 115200 output only reads right at 74880, the RF init data crystal byte (48) does not match the board's crystal (notes 5.5)",
      },
    ];
  const saw = recognised.map((e) => e.kind).filter((k, i, a) => a.indexOf(k) === i);
  return [
    {
      code: 'no-mqtt-lines',
      weight: 40,
      confidence: 'low',
      cause: 'No MQTT lines in the log: unknown firmware, or it does not log its MQTT state',
      evidence: [`${ev.serialLines} line(s) seen${saw.length ? `; recognised: ${saw.join(', ')}` : ''}`],
      fix: 'Watch the broker side: --broker mqtt://HOST:PORT with --client-id ID or --topic T counts what the broker sees of the board',
    },
  ];
}
