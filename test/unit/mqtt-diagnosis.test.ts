import { describe, expect, it } from 'vitest';
import { diagnose } from '../../main/mqtt/diagnosis.js';
import { FLASH_REPAIR } from '../../main/mqtt/causes.js';
import type { TimedEvent } from '../../main/mqtt/events.js';
import { certainty, type Evidence, type HostProbeResult } from '../../main/mqtt/evidence.js';
import { LogParser } from '../../main/mqtt/log-parser.js';

/** Builds serial events from log lines, one per 100 ms, through the real parser (in place, as check.ts does). */
function serial(lines: string[], t0 = 0): TimedEvent[] {
  const p = new LogParser();
  return lines.flatMap((line, i) =>
    p.push(line).events.map((e) => Object.assign(e, { t: t0 + i * 100, source: 'serial' as const, line })),
  );
}
const connect = (clientId: string, t: number, address = '192.168.4.23'): TimedEvent => ({
  kind: 'broker-connect',
  clientId,
  address,
  protocolLevel: 4,
  keepalive: 15,
  t,
  source: 'broker',
});
const publish = (clientId: string, t: number): TimedEvent => ({
  kind: 'broker-publish',
  clientId,
  topic: 'demo/out',
  payload: 'x',
  t,
  source: 'broker',
});

const goodProbe: HostProbeResult = {
  url: 'mqtt://127.0.0.1:1883',
  ok: true,
  tcp: { ok: true, ms: 1 },
  connack: 0,
  ms: 3,
  roundTripMs: 2,
  rcEquivalent: 0,
};
const refusedProbe: HostProbeResult = {
  url: 'mqtt://10.0.0.9:1883',
  ok: false,
  tcp: { ok: false, ms: null, error: 'ECONNREFUSED' },
  connack: null,
  ms: null,
  roundTripMs: null,
  rcEquivalent: -2,
  error: 'connect ECONNREFUSED 10.0.0.9:1883',
};

function evidence(events: TimedEvent[], over: Partial<Evidence> = {}): Evidence {
  return {
    events,
    hostProbe: goodProbe,
    brokerWatch: 'embedded',
    probeClientId: 'flashback-probe',
    serialLines: events.filter((e) => e.source === 'serial').length,
    windowMs: 12000,
    // A virtual board routed to the checked broker: it is the board's broker.
    boardsBroker: true,
    ...over,
  };
}

const seedFail = [
  'Connecting to Lab',
  'WiFi connected',
  'IP address: 192.168.4.23',
  'Attempting MQTT connection...failed, rc=-2 try again in 5 seconds',
  'Attempting MQTT connection...failed, rc=-2 try again in 5 seconds',
];
const good = [
  'Connecting to Lab',
  'WiFi connected',
  'Attempting MQTT connection...connected',
  'Publish message: hello world #1',
  'Publish message: hello world #2',
];

describe('diagnose', () => {
  it('PASS: connected, broker saw the board and its publishes', () => {
    const ev = evidence([
      ...serial(good),
      connect('ESP8266Client-a1b2c3', 250),
      publish('ESP8266Client-a1b2c3', 310),
      publish('ESP8266Client-a1b2c3', 410),
    ]);
    const d = diagnose(ev);
    expect(d.verdict).toBe('pass');
    expect(d.board).toEqual({ connected: true, rcCodes: [] });
    expect(d.summary).toMatch(/ESP8266Client-a1b2c3/);
    expect(certainty(ev)).toBe('pass');
  });

  it('not yet certain with only one publish', () => {
    expect(
      certainty(evidence([...serial(good.slice(0, 4)), connect('c', 250), publish('c', 310)])),
    ).toBeNull();
  });

  it('rc=-2 with a good host probe: network path first, flash repair only as a low-confidence afterthought', () => {
    const ev = evidence(serial(seedFail));
    const d = diagnose(ev);
    expect(d.verdict).toBe('fail');
    expect(d.board.rcCodes).toEqual([-2]);
    expect(d.diagnosis[0]!.code).toBe('network-path');
    expect(d.diagnosis[0]!.evidence.join(' ')).toMatch(/saw no CONNECT/);
    const board = d.diagnosis.find((c) => c.code === 'board-side')!;
    expect(board.confidence).toBe('low');
    expect(board.confirm).toMatch(/another board/);
  });

  it('rc=-2 when the same sketch passed on another board: restore / init data first, with high confidence', () => {
    const d = diagnose(evidence(serial(seedFail), { referencePassed: { port: 'virtual:good' } }));
    expect(d.diagnosis[0]!.code).toBe('board-side');
    expect(d.diagnosis[0]!.confidence).toBe('high');
    expect(d.diagnosis[0]!.fix).toMatch(/restore/);
    expect(d.diagnosis[0]!.fix).toMatch(/flashback repair/); // by the firmware's layout, not init data on every board
    expect(d.diagnosis[0]!.evidence.join(' ')).toMatch(/passed on virtual:good/);
  });

  it('two quick rc=-2 lines are not yet a verdict; the failure must outlast the retry interval', () => {
    const quick = serial(seedFail.slice(3), 0); // two failures 100 ms apart, window 1 s
    expect(certainty(evidence(quick, { windowMs: 1000 }))).toBeNull();
    expect(diagnose(evidence(quick, { windowMs: 1000 })).verdict).toBe('inconclusive');
    // Three failures 5 s apart: persistent.
    const slow = [0, 5000, 10000].flatMap((t) => serial([seedFail[3]!], t));
    expect(certainty(evidence(slow, { windowMs: 10100 }))).toBe('fail');
  });

  it('a failure that recovers is a PASS that says so', () => {
    const ev = evidence([
      ...serial([seedFail[3]!], 0),
      ...serial([seedFail[3]!], 5000),
      ...serial(
        ['Attempting MQTT connection...connected', 'Publish message: a', 'Publish message: b'],
        10000,
      ),
      connect('c', 10000),
      publish('c', 10100),
      publish('c', 10200),
    ]);
    expect(certainty({ ...ev, events: ev.events.filter((e) => e.t < 6000) })).toBeNull();
    const d = diagnose(ev);
    expect(d.verdict).toBe('pass');
    expect(d.diagnosis[0]!.code).toBe('recovered');
    expect(d.summary).toMatch(/recovered after 2 failed attempts/);
  });

  it('rc=-2 after a WiFi failure ranks WiFi first', () => {
    const d = diagnose(
      evidence(
        serial([
          'WiFi connection failed',
          'Attempting MQTT connection...failed, rc=-2 try again in 5 seconds',
        ]),
      ),
    );
    expect(d.diagnosis[0]!.code).toMatch(/^wifi-/);
  });

  it('host probe failing points at the broker/network, including mosquitto local-only', () => {
    const d = diagnose(evidence(serial(seedFail), { hostProbe: refusedProbe, brokerWatch: 'none' }));
    expect(d.verdict).toBe('fail');
    expect(d.diagnosis[0]!.cause).toMatch(/Nothing accepts connections/);
    expect(d.diagnosis[0]!.fix).toMatch(/listener 1883/);
  });

  it('host reaches a loopback broker that refuses LAN addresses: local-only listener', () => {
    const d = diagnose(
      evidence(serial(seedFail), {
        hostProbe: { ...goodProbe, loopbackOnly: true, lanTried: ['192.168.1.5'] },
        brokerWatch: 'none',
      }),
    );
    expect(d.diagnosis[0]!.cause).toMatch(/only on localhost/);
    expect(d.diagnosis[0]!.evidence.join(' ')).toMatch(/192\.168\.1\.5/);
  });

  it('maps host probe errors to the broker/network cause they mean', () => {
    const cases: Array<[Partial<HostProbeResult>, RegExp]> = [
      [{ tcp: { ok: false, ms: null, error: 'ENOTFOUND' } }, /does not resolve/],
      [{ tcp: { ok: false, ms: null, error: 'ETIMEDOUT' } }, /firewall/],
      [
        { tcp: { ok: true, ms: 1 }, error: 'SSL routines:ssl3_get_record:wrong version number (EPROTO)' },
        /TLS/,
      ],
      [{ tcp: { ok: true, ms: 1 }, connack: 3 }, /refuses connections/],
    ];
    for (const [over, re] of cases) {
      const probe: HostProbeResult = { ...refusedProbe, error: '', ...over };
      const d = diagnose(evidence(serial(seedFail), { hostProbe: probe, brokerWatch: 'none' }));
      expect(d.diagnosis[0]!.cause).toMatch(re);
    }
  });

  it('PASS on a local-only broker warns only when no LAN board reached it', () => {
    const probe = { ...goodProbe, loopbackOnly: true, lanTried: ['192.168.1.5'] };
    const local = [...serial(good), connect('c', 250, '127.0.0.1'), publish('c', 310), publish('c', 410)];
    const d = diagnose(evidence(local, { hostProbe: probe }));
    expect(d.verdict).toBe('pass');
    expect(d.diagnosis[0]!.cause).toMatch(/only on localhost/);
    // A board on the LAN connected: the broker evidently is not local-only for it.
    const lan = [...serial(good), connect('c', 250, '192.168.1.77'), publish('c', 310), publish('c', 410)];
    const d2 = diagnose(evidence(lan, { hostProbe: probe }));
    expect(d2.verdict).toBe('pass');
    expect(d2.diagnosis.some((c) => /localhost/.test(c.cause))).toBe(false);
  });

  it('rc=5 and a probe refused with CONNACK 5: credentials / allow_anonymous', () => {
    const probe: HostProbeResult = { ...goodProbe, ok: false, connack: 5, rcEquivalent: 5 };
    const d = diagnose(
      evidence(serial(['Attempting MQTT connection...failed, rc=5 try again in 5 seconds']), {
        hostProbe: probe,
      }),
    );
    expect(d.verdict).toBe('fail');
    expect(d.diagnosis[0]!.fix).toMatch(/allow_anonymous|password/);
  });

  it('explains every other rc code', () => {
    for (const rc of [-4, -1, 1, 2, 3, 4]) {
      const d = diagnose(
        evidence(serial([`Attempting MQTT connection...failed, rc=${rc} try again in 5 seconds`])),
      );
      expect(d.verdict).toBe('fail');
      expect(d.board.rcCodes).toEqual([rc]);
      expect(d.diagnosis[0]!.evidence[0]).toContain(`rc=${rc}`);
    }
  });

  it('connect-then-drop with a takeover points at a duplicate client id', () => {
    const lines = [
      'Attempting MQTT connection...connected',
      'Attempting MQTT connection...connected',
      'Attempting MQTT connection...connected',
    ];
    const ev = evidence([
      ...serial(lines),
      connect('ESP8266Client', 10),
      {
        kind: 'broker-takeover',
        clientId: 'ESP8266Client',
        address: '192.168.4.24',
        t: 150,
        source: 'broker',
      },
      connect('ESP8266Client', 150, '192.168.4.24'),
    ]);
    const d = diagnose(ev);
    expect(d.verdict).toBe('fail');
    expect(d.diagnosis[0]!.cause).toMatch(/Duplicate MQTT client id/);
    expect(d.diagnosis[0]!.evidence.join(' ')).toMatch(/takeover/);
  });

  it('drops without broker evidence: keepalive and duplicate id both listed', () => {
    const d = diagnose(
      evidence(serial(['Attempting MQTT connection...connected', 'Attempting MQTT connection...connected']), {
        brokerWatch: 'none',
      }),
    );
    expect(d.verdict).toBe('fail');
    const causes = d.diagnosis.map((c) => c.cause).join('\n');
    expect(causes).toMatch(/Keepalive/);
    expect(causes).toMatch(/duplicate client id/i);
  });

  it('boot failures rank first with their fix', () => {
    const ev = evidence(
      serial([
        ' ets Jan  8 2013,rst cause:2, boot mode:(3,6)',
        'rf_cal[0] !=0x05,is 0xFF',
        ' ets Jan  8 2013,rst cause:2, boot mode:(3,6)',
        'rf_cal[0] !=0x05,is 0xFF',
      ]),
    );
    const d = diagnose(ev);
    expect(d.verdict).toBe('fail');
    expect(d.diagnosis[0]!.fix).toMatch(/0x4000/);
    expect(certainty(ev)).toBe('fail');
  });

  it('crash loop before connecting', () => {
    const d = diagnose(
      evidence(
        serial([
          'Exception (28):',
          'epc1=0x40201f3c epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000000 depc=0x00000000',
        ]),
      ),
    );
    expect(d.verdict).toBe('fail');
    expect(d.diagnosis[0]!.cause).toMatch(/Exception \(28\) LoadProhibited/);
    expect(d.diagnosis[0]!.evidence[0]).toMatch(/epc1=0x40201f3c/);
  });

  it('INCONCLUSIVE: unknown firmware, saying what was seen', () => {
    const d = diagnose(
      evidence(
        serial([' ets Jan  8 2013,rst cause:2, boot mode:(3,6)', 'hello from my sketch', 'WiFi connected']),
      ),
    );
    expect(d.verdict).toBe('inconclusive');
    expect(d.diagnosis[0]!.evidence[0]).toMatch(/3 line\(s\) seen; recognised: rom-banner, wifi-connected/);
  });

  it('INCONCLUSIVE: a board that prints nothing', () => {
    const d = diagnose(evidence([], { serialLines: 0 }));
    expect(d.verdict).toBe('inconclusive');
    expect(d.diagnosis[0]!.cause).toBe('The board printed nothing');
  });

  it('INCONCLUSIVE: only wrong-baud output', () => {
    const d = diagnose(
      evidence(
        serial([
          '\u00e0\u0080\u009c\u0012n\u009c\u00ec\u008cl\u00e2',
          '\u00fc\u0082l\u0082\u009e\u00e2|\u0092\u00e0',
        ]),
      ),
    );
    expect(d.verdict).toBe('inconclusive');
    expect(d.diagnosis[0]!.fix).toMatch(/--monitor-baud/);
  });

  it('board claims connected but the embedded broker never saw it', () => {
    const d = diagnose(evidence(serial(good)));
    expect(d.verdict).toBe('fail');
    expect(d.diagnosis.some((c) => /not to the broker checked here/.test(c.cause))).toBe(true);
  });

  it('a panic after connecting is the sketch crash, not a broker drop; a .local broker name is the DNS suspect', () => {
    const panic = diagnose(
      evidence(
        serial([
          'Attempting MQTT connection...connected',
          'User exception (panic/abort/assert)',
          'Panic core_esp8266_main.cpp:137 __yield',
          ' ets Jan  8 2013,rst cause:2, boot mode:(3,6)',
          'Attempting MQTT connection...connected',
          'Panic core_esp8266_main.cpp:137 __yield',
        ]),
        { brokerWatch: 'none' },
      ),
    );
    expect(panic.verdict).toBe('fail');
    expect(panic.diagnosis[0]).toMatchObject({ code: 'crash-sketch', cause: expect.stringMatching(/yield/) });
    expect(panic.diagnosis.map((c) => c.code)).not.toContain('connect-drop');
    expect(panic.diagnosis.filter((c) => FLASH_REPAIR.has(c.code))).toEqual([]);
    const local = diagnose(
      evidence(
        serial([
          'Attempting MQTT connection...[hostByName] request IP for: broker.local',
          'failed, rc=-2 try again in 5 seconds',
          'Attempting MQTT connection...failed, rc=-2 try again in 5 seconds',
          'Attempting MQTT connection...failed, rc=-2 try again in 5 seconds',
        ]),
        { brokerWatch: 'none' },
      ),
    );
    expect(local.diagnosis[0]).toMatchObject({ code: 'dns', cause: expect.stringMatching(/broker\.local/) });
  });
});
