import { describe, expect, it } from 'vitest';
import { parseBootFailure, parseRomBanner } from '../../main/mqtt/boot-banner.js';
import type { LogEvent } from '../../main/mqtt/events.js';
import { LineSplitter, LogParser, parseLine, splitGarbage } from '../../main/mqtt/log-parser.js';
import { allRcCodes, rcInfo } from '../../main/mqtt/rc-codes.js';

/** Feeds a whole capture (bytes) through splitter + parser and returns the non-text events. */
function parseCapture(bytes: Uint8Array, chunk = 7): LogEvent[] {
  const parser = new LogParser();
  const events: LogEvent[] = [];
  const splitter = new LineSplitter((raw) => events.push(...parser.push(raw).events));
  for (let i = 0; i < bytes.length; i += chunk) splitter.push(bytes.subarray(i, i + chunk));
  splitter.flush();
  return events.filter((e) => e.kind !== 'text');
}

const kinds = (ev: LogEvent[]) => ev.map((e) => e.kind);

describe('ROM banner (notes 3.3)', () => {
  it('decodes rst cause and boot mode', () => {
    const b = parseRomBanner(' ets Jan  8 2013,rst cause:2, boot mode:(3,6)');
    expect(b).toMatchObject({ rstCause: 2, bootMode: [3, 6] });
    expect(b?.rstMeaning).toMatch(/external/);
    expect(b?.bootMeaning).toMatch(/SPI flash/);
    expect(parseRomBanner(' ets Jan  8 2013,rst cause:4, boot mode:(1,7)')?.bootMeaning).toMatch(/download/);
    expect(parseRomBanner('rst cause:1, boot mode:(7,6)')?.bootMeaning).toMatch(/GPIO15/);
    expect(parseRomBanner('hello')).toBeNull();
  });

  it('maps each boot-chain failure to its fix', () => {
    expect(parseBootFailure('rf_cal[0] !=0x05,is 0xFF')).toMatchObject({ kind: 'rf-init-missing' });
    expect(parseBootFailure('rf_cal[0] !=0x05,is 0xFF')?.fix).toMatch(
      /esp_init_data_default\.bin at flash size − 0x4000.*restore/s,
    );
    expect(parseBootFailure('csum err')?.fix).toMatch(/flash mode/);
    expect(parseBootFailure('csum err')?.fix).toMatch(/rewrite|restore/);
    expect(parseBootFailure('system param error')?.kind).toBe('system-param');
    expect(parseBootFailure('ets_main.c ')?.kind).toBe('no-image');
    expect(
      parseBootFailure('Flash size mismatch, check that the build setting matches the device.')?.kind,
    ).toBe('flash-size-mismatch');
    expect(parseBootFailure('System partition table registration failed!')?.kind).toBe('partition-table');
    expect(parseBootFailure('WiFi connected')).toBeNull();
  });
});

describe('PubSubClient sketch log', () => {
  it('parses a good run, with the IP on the next line', () => {
    const log =
      '\r\nConnecting to FlashbackLab\r\n.....\r\nWiFi connected\r\nIP address: \r\n192.168.4.23\r\n' +
      'Attempting MQTT connection...connected\r\nPublish message: hello world #1\r\nPublish message: hello world #2\r\n';
    const ev = parseCapture(Buffer.from(log, 'latin1'));
    expect(kinds(ev)).toEqual([
      'wifi-connecting',
      'wifi-connected',
      'ip',
      'mqtt-attempt',
      'mqtt-connected',
      'publish',
      'publish',
    ]);
    expect(ev[0]).toMatchObject({ ssid: 'FlashbackLab' });
    expect(ev[2]).toMatchObject({ ip: '192.168.4.23' });
    expect(ev[5]).toMatchObject({ payload: 'hello world #1' });
  });

  it('parses the seed failure loop with its rc meaning', () => {
    const ev = parseLine('Attempting MQTT connection...failed, rc=-2 try again in 5 seconds');
    expect(kinds(ev)).toEqual(['mqtt-attempt', 'mqtt-failed', 'retry-interval']);
    expect(ev[1]).toMatchObject({ rc: -2 });
    expect(ev[2]).toMatchObject({ ms: 5000 });
    expect((ev[1] as { meaning: string }).meaning).toMatch(/TCP/);
    expect(parseLine('failed, rc = 5 try again')[0]).toMatchObject({ kind: 'mqtt-failed', rc: 5 });
    expect(parseLine('failed with state -4')[0]).toMatchObject({ kind: 'mqtt-failed', rc: -4 });
  });

  it('handles a log cut off mid-line and finished in the next chunk', () => {
    const ev = parseCapture(Buffer.from('WiFi connected\r\nAttempting MQTT connec', 'latin1'));
    // The cut line is flushed as-is: no attempt recognised from half a word, and nothing invented.
    expect(kinds(ev)).toEqual(['wifi-connected']);
    const whole = parseCapture(Buffer.from('Attempting MQTT connection...\r\nconnected\r\n', 'latin1'));
    expect(kinds(whole)).toEqual(['mqtt-attempt', 'mqtt-connected']);
  });
});

describe('other firmware formats', () => {
  it('Tasmota', () => {
    expect(
      parseLine('00:00:06.123 MQT: Connect failed to 192.168.1.10:1883, rc -2. Retry in 10 sec'),
    ).toEqual([
      expect.objectContaining({ kind: 'mqtt-failed', rc: -2 }),
      { kind: 'broker-named', host: '192.168.1.10', port: 1883 },
      { kind: 'retry-interval', ms: 10_000 },
    ]);
    expect(kinds(parseLine('00:00:05.001 MQT: Attempting connection...'))).toEqual(['mqtt-attempt']);
    expect(kinds(parseLine('00:00:05.101 MQT: Connected'))).toEqual(['mqtt-connected']);
    expect(
      parseLine('00:00:00.051 WIF: Connecting to AP1 MyNet in mode 11n as tasmota_ABC-1234...')[0],
    ).toMatchObject({
      kind: 'wifi-connecting',
      ssid: 'MyNet',
    });
    expect(kinds(parseLine('00:00:03.000 WIF: Connected'))).toEqual(['wifi-connected']);
    expect(parseLine('00:00:07.000 MQT: tele/tasmota_1/STATE = {"POWER":"ON"}')[0]).toMatchObject({
      kind: 'publish',
      topic: 'tele/tasmota_1/STATE',
    });
  });

  it('ESPHome, ESPEasy and NONOS SDK WiFi', () => {
    expect(kinds(parseLine('[I][mqtt:274]: MQTT Connected!'))).toEqual(['mqtt-connected']);
    expect(kinds(parseLine('[W][mqtt:185]: MQTT Disconnected: TCP disconnected.'))).toEqual([
      'mqtt-disconnected',
    ]);
    expect(kinds(parseLine('[I][wifi:617]: WiFi Connected!'))).toEqual(['wifi-connected']);
    expect(kinds(parseLine('MQTT : Connected to broker with client ID: ESPClient_1'))).toEqual([
      'mqtt-connected',
    ]);
    expect(kinds(parseLine('connected with MyNet, channel 6'))).toEqual(['wifi-connected']);
    expect(parseLine('ip:192.168.1.50,mask:255.255.255.0,gw:192.168.1.1')[0]).toMatchObject({
      kind: 'ip',
      ip: '192.168.1.50',
    });
    expect(kinds(parseLine('no MyNet found, reconnect after 1s'))).toEqual(['wifi-failed']);
  });
});

describe('crashes and boot failures in a capture', () => {
  it('merges the Arduino exception register line into the crash', () => {
    const log =
      '\r\nException (28):\r\nepc1=0x40201f3c epc2=0x00000000 epc3=0x00000000 excvaddr=0x00000000 depc=0x00000000\r\n' +
      '\r\n>>>stack>>>\r\n\r\nctx: cont\r\n';
    const ev = parseCapture(Buffer.from(log, 'latin1'));
    expect(ev).toEqual([
      {
        kind: 'crash',
        crash: 'exception',
        exception: 28,
        epc1: '0x40201f3c',
        excvaddr: '0x00000000',
        ctx: 'cont',
      },
    ]);
  });

  it('SDK fatal exception, soft and hardware WDT', () => {
    const p = new LogParser();
    expect(p.push('Fatal exception 29(StoreProhibitedCause):').events[0]).toMatchObject({
      crash: 'exception',
      exception: 29,
    });
    expect(
      p.push('epc1=0x4000df64, epc2=0x00000000, epc3=0x00000000, excvaddr=0x00000000, depc=0x00000000')
        .events,
    ).toEqual([]);
    expect(parseLine('Soft WDT reset')[0]).toMatchObject({ kind: 'crash', crash: 'soft-wdt' });
    expect(parseLine('wdt reset')[0]).toMatchObject({ kind: 'crash', crash: 'wdt' });
  });

  it('a NONOS boot with missing init data: banner, load lines, rf_cal error', () => {
    const log =
      '\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x40100000, len 27728, room 16 \r\ntail 0\r\n' +
      'chksum 0x2a\r\nload 0x3ffe8000, len 2124, room 8 \r\ntail 4\r\nchksum 0x0b\r\ncsum 0x0b\r\nrf_cal[0] !=0x05,is 0xFF\r\n';
    const ev = parseCapture(Buffer.from(log, 'latin1'));
    expect(kinds(ev)).toEqual(['rom-banner', 'boot-ok', 'boot-failure']);
    expect(ev[2]).toMatchObject({ failure: 'rf-init-missing' });
  });

  it('csum err then ets_main.c', () => {
    const ev = parseCapture(
      Buffer.from(
        ' ets Jan  8 2013,rst cause:1, boot mode:(3,7)\n\nload 0x00000000, len 0, room 16\ncsum err\nets_main.c \n',
        'latin1',
      ),
    );
    expect(
      ev.filter((e) => e.kind === 'boot-failure').map((e) => (e as { failure: string }).failure),
    ).toEqual(['csum-err', 'no-image']);
  });
});

describe('garbage from the wrong baud', () => {
  // Noise shaped like the 74880 banner read at 115200: mostly high-bit bytes, a few printable ones (hand-made).
  const romAt115200 = Buffer.from([
    0x00, 0xe0, 0x80, 0x9c, 0x12, 0x6e, 0x9c, 0xec, 0x0c, 0x8c, 0x6c, 0xe2, 0x6e, 0x0c, 0x0c, 0x62, 0xfc,
    0x82, 0x6c, 0x0c, 0x82, 0x1c, 0x9e, 0xe2, 0x7c, 0x92, 0x0c, 0x0c, 0xe0, 0x72, 0x72, 0x8c, 0xf2, 0x6e,
    0x00, 0x6c, 0x9c, 0x9e, 0xe2,
  ]);

  it('reports garbage and still parses the text that follows on the same line', () => {
    const bytes = Buffer.concat([romAt115200, Buffer.from('\r\nConnecting to FlashbackLab\r\n', 'latin1')]);
    const ev = parseCapture(bytes);
    expect(kinds(ev)).toEqual(['garbage', 'wifi-connecting']);
    const glued = parseCapture(Buffer.concat([romAt115200, Buffer.from('WiFi connected\r\n', 'latin1')]));
    expect(kinds(glued)).toEqual(['garbage', 'wifi-connected']);
  });

  it('never parses garbage as data and tolerates a stray NUL', () => {
    expect(splitGarbage(romAt115200.toString('latin1'))).toEqual({ garbage: romAt115200.length, text: '' });
    expect(splitGarbage('\u0000WiFi connected')).toEqual({ garbage: 0, text: 'WiFi connected' });
    // "rc=-2" hidden in noise must not become an event.
    const ev = parseCapture(
      Buffer.concat([
        Buffer.from([0x9c, 0xe2, 0x80, 0xfc]),
        Buffer.from('rc=', 'latin1'),
        Buffer.from([0x9c, 0x82]),
        Buffer.from('\n'),
      ]),
    );
    expect(kinds(ev)).toEqual(['garbage']);
  });
});

describe('rc table', () => {
  it('explains every PubSubClient state code -4…5', () => {
    expect(allRcCodes).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4, 5]);
    for (const rc of allRcCodes) {
      expect(rcInfo(rc).name).toMatch(/^MQTT_/);
      expect(rcInfo(rc).fix.length).toBeGreaterThan(10);
    }
    expect(rcInfo(5).fix).toMatch(/allow_anonymous/);
    expect(rcInfo(-7).name).toBe('UNKNOWN');
  });
});

/** A capture as lines through one LogParser (non-text events). */
function parseLines(lines: string[]): LogEvent[] {
  const parser = new LogParser();
  return lines.flatMap((l) => parser.push(l).events).filter((e) => e.kind !== 'text');
}

describe('MQTT clients other than PubSubClient, read by what they say rather than exact strings', () => {
  it('ESPHome: the component tag says what a terse "Connected" is about', () => {
    // Newer ESPHome prints bare words; the WiFi component's "Connected" is not the MQTT session.
    expect(kinds(parseLine('[12:37:51.497][I][wifi:1321]: Connected'))).toEqual(['wifi-connected']);
    expect(kinds(parseLine('[12:37:51.502][I][mqtt:277]: Connecting'))).toEqual(['mqtt-attempt']);
    expect(kinds(parseLine('[12:37:51.713][I][mqtt:318]: Connected'))).toEqual(['mqtt-connected']);
    expect(parseLine('[W][mqtt:300]: Disconnected: Not Authorized.')[0]).toMatchObject({ rc: 5 });
    expect(parseLine('[W][mqtt.client:257]: MQTT Disconnected: Identifier Rejected.')[0]).toMatchObject({
      rc: 2,
    });
    // Another component saying "connected" (the native API) is no MQTT evidence at all.
    expect(kinds(parseLine("[D][api.connection:583]: Client 'HA' connected successfully!"))).toEqual([
      'text',
    ]);
  });

  it('AsyncMqttClient sketches: connected/disconnected wording and the reason it names', () => {
    expect(kinds(parseLine('Connected to MQTT.'))).toEqual(['mqtt-connected']);
    expect(kinds(parseLine('[MQTT] connection: Success connected'))).toEqual(['mqtt-connected']);
    expect(kinds(parseLine('[MQTT] connection: Disconnected = TCP_DISCONNECTED (0)'))).toEqual([
      'mqtt-disconnected',
    ]);
    expect(parseLine('Disconnected from MQTT, reason: MQTT not authorized.')[0]).toMatchObject({ rc: 5 });
    expect(parseLine('Disconnected from MQTT, reason: MQTT_MALFORMED_CREDENTIALS')[0]).toMatchObject({
      rc: 4,
    });
    // A disconnect right after the attempt is a failed connect.
    expect(parseLines(['Connecting to MQTT...', 'Disconnected from MQTT.'])).toMatchObject([
      { kind: 'mqtt-attempt' },
      { kind: 'mqtt-failed', rc: -2 },
    ]);
  });

  it('ArduinoMqttClient codes (its -1 is a timeout) and "(error N)" forms', () => {
    expect(parseLine('MQTT connection failed! Error code = -2')[0]).toMatchObject({ rc: -2 });
    expect(parseLine('MQTT connection failed! Error code = -1')[0]).toMatchObject({ rc: -4 });
    expect(parseLine('Connecting to MQTT Broker 10.0.0.2 as pm_1e9cc...failed (error 5)')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'mqtt-failed', rc: 5 })]),
    );
    // A publish failing is not a connect failure.
    expect(kinds(parseLine('MQTT publish failed'))).toEqual(['text']);
  });

  it('Adafruit_MQTT: the outcome on its own line after the attempt, the retry interval in words', () => {
    const ev = parseLines([
      'Connecting to MQTT... Connection failed',
      'Retrying MQTT connection in 5 seconds...',
      'Connection failed',
      'Retrying MQTT connection in 5 seconds...',
      'Not authorized to connect',
    ]);
    expect(ev.filter((e) => e.kind === 'mqtt-failed').map((e) => (e as { rc: number }).rc)).toEqual([
      -2, -2, 5,
    ]);
    expect(ev.find((e) => e.kind === 'retry-interval')).toMatchObject({ ms: 5000 });
    // Without an MQTT line before it, "Connection failed" stays unread (it could be anything).
    expect(kinds(parseLines(['Connection failed']))).toEqual([]);
  });

  it('esp_mqtt "Connected to broker H:P" is the TCP connection, not the session', () => {
    const ev = parseLines([
      'MQTT: Connected to broker 192.168.0.105:8083',
      'MQTT:Sending,type:1,id:0000',
      'MQTT: Disconnected',
    ]);
    expect(ev).toMatchObject([
      { kind: 'mqtt-attempt', tcpOpen: true },
      { kind: 'broker-named', host: '192.168.0.105', port: 8083 },
      { kind: 'mqtt-failed', rc: -4 },
    ]);
  });
});

describe('WiFi failures in SDK and sketch wording', () => {
  it('"disconnect from ssid X, reason N" and sketch "WiFi disconnected, reason: N"', () => {
    expect(parseLine('disconnect from ssid WLAN-595083, reason 2')[0]).toMatchObject({
      kind: 'wifi-failed',
      stage: 'auth',
      reason: 2,
    });
    expect(parseLine('WiFi disconnected, reason: 201')[0]).toMatchObject({ stage: 'no-ap', reason: 201 });
    expect(parseLine('disconnect from ssid _WLAN_, reason 14')[0]).toMatchObject({ stage: 'auth' });
  });

  it('associated (3 -> 5) then dropped before "connected with": the WPA handshake failed', () => {
    const loop = [
      'state: 2 -> 3 (0)',
      'state: 3 -> 5 (10)',
      'add 0',
      'aid 6',
      'cnt',
      'state: 5 -> 2 (2c0)',
      'rm 0',
    ];
    expect(parseLines(loop).filter((e) => e.kind === 'wifi-failed')).toMatchObject([{ stage: 'auth' }]);
    // A normal connect, later dropped (beacon loss), is not a handshake failure.
    const ok = ['state: 3 -> 5 (10)', 'connected with MyNet, channel 6', 'state: 5 -> 0 (0)'];
    expect(parseLines(ok).filter((e) => e.kind === 'wifi-failed')).toEqual([]);
  });
});

describe('more shapes from real boards', () => {
  it('PubSubClient state names, core DNS errors and WiFiManager status names', () => {
    expect(
      parseLine('MQTT: Connecting to broker @pi.local ... unable to connect, MQTT_CONNECT_FAILED'),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'mqtt-failed', rc: -2 }),
        expect.objectContaining({ kind: 'broker-named', host: 'pi.local' }),
      ]),
    );
    expect(parseLine('failed: MQTT_CONNECT_UNAUTHORIZED')[0]).toMatchObject({ rc: 5 });
    expect(parseLine('[hostByName] Host: mybroker.local lookup error: -5!')[0]).toMatchObject({
      kind: 'mqtt-failed',
      dns: 'mybroker.local',
    });
    expect(parseLine('*WM: [2] Connection result: WL_NO_SSID_AVAIL')[0]).toMatchObject({ stage: 'no-ap' });
    expect(parseLine('*WM: [3] lastconxresult: WL_STATION_WRONG_PASSWORD')[0]).toMatchObject({
      stage: 'auth',
    });
  });

  it('panics, aborts and stack smashing are crashes with what they said', () => {
    expect(parseLine('Panic core_esp8266_main.cpp:137 __yield')[0]).toMatchObject({
      kind: 'crash',
      crash: 'abort',
      detail: expect.stringMatching(/__yield/),
    });
    expect(parseLine('ISR not in IRAM!')[0]).toMatchObject({ kind: 'crash', crash: 'abort' });
    expect(parseLine('stack smashing detected')[0]).toMatchObject({ kind: 'crash', crash: 'stack' });
  });
});
