/**
 * The virtual boards' run-mode firmware, called with a hand-made FirmwareContext over the demo images,
 * against the embedded broker on loopback (real TCP, real MQTT.js on both sides).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../main/mqtt/embedded-broker.js';
import type { BrokerEvent, LogEvent } from '../../main/mqtt/events.js';
import { LineSplitter, LogParser } from '../../main/mqtt/log-parser.js';
import { demoFirmware, radioCalibrated } from '../../main/sim/demo-firmware.js';
import { buildDemoImage, DEMO_APP } from '../../main/sim/demo-image.js';
import type { FirmwareContext } from '../../main/sim/firmware-api.js';
import { createNetwork, DEMO_BROKER, type RoutableNetwork } from '../../main/sim/network.js';

interface Run {
  text: () => string;
  events: LogEvent[];
  stop: () => void;
}

function boot(flash: Uint8Array, network: RoutableNetwork, chipId = 0xa1b2c3): Run {
  const abort = new AbortController();
  let text = '';
  const events: LogEvent[] = [];
  const parser = new LogParser();
  const splitter = new LineSplitter((raw) =>
    events.push(...parser.push(raw).events.filter((e) => e.kind !== 'text')),
  );
  const ctx: FirmwareContext = {
    readFlash: (o, l) => flash.subarray(o, o + l),
    flashSize: flash.length,
    mac: '18:fe:34:a1:b2:c3',
    chipId,
    restart: () => abort.abort(),
    print: (t, baud = 115200) => {
      expect(baud).toBe(115200);
      text += t;
      splitter.push(Buffer.from(t, 'latin1'));
    },
    signal: abort.signal,
    network,
  };
  void demoFirmware(ctx);
  return { text: () => text, events, stop: () => abort.abort() };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('demo firmware', () => {
  let broker: EmbeddedBroker | undefined;
  const runs: Run[] = [];
  afterEach(async () => {
    runs.splice(0).forEach((r) => r.stop());
    await broker?.close();
    broker = undefined;
  });

  it('the demo images differ in RF calibration (complete vs cut short)', () => {
    const size = 1024 * 1024;
    expect(
      radioCalibrated({
        flashSize: size,
        readFlash: (o, l) => buildDemoImage('good', size).subarray(o, o + l),
      }),
    ).toBe(true);
    expect(
      radioCalibrated({
        flashSize: size,
        readFlash: (o, l) => buildDemoImage('bad', size).subarray(o, o + l),
      }),
    ).toBe(false);
  });

  it('good board: connects through the routed network and publishes every intervalMs', async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const seen: BrokerEvent[] = [];
    broker.onEvent((e) => seen.push(e));
    const net = createNetwork();
    net.route(DEMO_BROKER.host, DEMO_BROKER.port, { host: '127.0.0.1', port: broker.port });
    const run = boot(buildDemoImage('good', 1024 * 1024), net);
    runs.push(run);
    await until(() => seen.filter((e) => e.kind === 'broker-publish').length >= 2, 8000);
    expect(run.text()).toMatch(
      /^\r\nConnecting to FlashbackLab\r\n\.{5}\r\nWiFi connected\r\nIP address: \r\n192\.168\.4\.23\r\nAttempting MQTT connection\.\.\.connected\r\n/,
    );
    expect(seen.find((e) => e.kind === 'broker-connect')).toMatchObject({
      clientId: `${DEMO_APP.clientIdPrefix}a1b2c3`,
      keepalive: 15,
      protocolLevel: 4,
    });
    expect(
      seen
        .filter((e) => e.kind === 'broker-publish')
        .map((e) => (e as { payload: string }).payload)
        .slice(0, 2),
    ).toEqual(['hello world #1', 'hello world #2']);
    expect(run.events.filter((e) => e.kind === 'publish')).toHaveLength(2);
  });

  it('bad board (RF calibration cut short): WiFi connected, then rc=-2 every 5 s, never reaches the broker', async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const seen: BrokerEvent[] = [];
    broker.onEvent((e) => seen.push(e));
    const net = createNetwork();
    net.route(DEMO_BROKER.host, DEMO_BROKER.port, { host: '127.0.0.1', port: broker.port });
    const run = boot(buildDemoImage('bad', 1024 * 1024), net);
    runs.push(run);
    await until(() => run.events.some((e) => e.kind === 'mqtt-failed'), 3000);
    expect(run.text()).toContain('WiFi connected\r\n');
    expect(run.text()).toContain('Attempting MQTT connection...failed, rc=-2 try again in 5 seconds\r\n');
    expect(seen.filter((e) => e.kind === 'broker-connect')).toHaveLength(0);
  });

  it('good board with no route to its broker: rc=-2 (TCP connect fails)', async () => {
    const run = boot(buildDemoImage('good', 1024 * 1024), createNetwork());
    runs.push(run);
    await until(() => run.events.some((e) => e.kind === 'mqtt-failed'), 3000);
    expect(run.events.find((e) => e.kind === 'mqtt-failed')).toMatchObject({ rc: -2 });
  });

  it('two clones with the same chip id kick each other off (connect-then-drop)', async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const seen: BrokerEvent[] = [];
    broker.onEvent((e) => seen.push(e));
    const net = createNetwork();
    net.route(DEMO_BROKER.host, DEMO_BROKER.port, { host: '127.0.0.1', port: broker.port });
    const a = boot(buildDemoImage('good', 1024 * 1024), net, 0x42);
    runs.push(a);
    await until(() => a.events.some((e) => e.kind === 'mqtt-connected'), 3000);
    const b = boot(buildDemoImage('good', 1024 * 1024), net, 0x42);
    runs.push(b);
    await until(
      () =>
        seen.some((e) => e.kind === 'broker-takeover') &&
        a.events.filter((e) => e.kind === 'mqtt-connected').length >= 2,
      5000,
    );
    expect(seen.find((e) => e.kind === 'broker-takeover')).toMatchObject({ clientId: 'nodemcu-42' });
  });

  it('an image without a descriptor boots to a neutral banner', async () => {
    const flash = new Uint8Array(1024 * 1024).fill(0xff);
    const run = boot(flash, createNetwork());
    runs.push(run);
    await until(() => run.text().includes('nothing to run'), 2000);
    expect(run.text()).not.toMatch(/MQTT|WiFi/);
  });
});
