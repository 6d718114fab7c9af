/**
 * The virtual boards' run-mode firmware: behaves like the PubSubClient example sketch the demo image
 * stands for (Arduino core: PHY init data compiled in, RF_CAL at S − 0x4000). It reads the app descriptor
 * from flash (demo-image.ts); with a usable RF calibration (a complete record, or an erased sector that
 * the SDK recalibrates; rf-cal-model.ts) it opens a real MQTT connection through the board's
 * VirtualNetwork and publishes every `intervalMs`; with a calibration cut short its radio never carries a
 * TCP connect, so it prints `failed, rc=-2` every 5 s — the seed story. Output is at 115200 with
 * Serial.println's CRLF.
 */
import type { MqttClient } from 'mqtt';
import { findAppDescriptor, type AppDescriptor } from './app-descriptor.js';
import type { FirmwareContext, FirmwareRunner } from './firmware-api.js';
import { rfCalState, sdkFlashSize } from './rf-cal-model.js';

/** The sketch's static IP line (the demo WiFi is virtual too). */
export const DEMO_IP = '192.168.4.23';
/** PubSubClient example: "try again in 5 seconds". */
const RETRY_MS = 5000;

/** True when the SDK can bring the radio up: RF_CAL (S−0x4000 by the header's size) is erased or complete. */
export function radioCalibrated(ctx: Pick<FirmwareContext, 'readFlash' | 'flashSize'>): boolean {
  const size = sdkFlashSize(ctx.readFlash, ctx.flashSize);
  if (size < 0x4000) return false;
  return rfCalState(ctx.readFlash(size - 0x4000, 0x1000)) !== 'cut-short';
}

/** Resolves after ms, or early (false) when the board is reset. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    // A board left running after the host closed its port must not keep the CLI process alive.
    t.unref();
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One PubSubClient connect(): 0 with a client, or the state code it would report (notes 7.1). */
async function connectOnce(
  ctx: FirmwareContext,
  app: AppDescriptor,
  clientId: string,
): Promise<{ rc: number; client?: MqttClient }> {
  const target = ctx.network.resolve(app.broker, app.port);
  // Unroutable: WiFiClient::connect fails (DNS or TCP) → MQTT_CONNECT_FAILED.
  if (!target) return sleep(200, ctx.signal).then(() => ({ rc: -2 }));
  // Loaded on use: mqtt (and aedes) cost a tenth of a second at every CLI start otherwise.
  const { default: mqtt } = await import('mqtt');
  return new Promise((resolve) => {
    let tcpUp = false;
    let settled = false;
    const client = mqtt.connect({
      host: target.host,
      port: target.port,
      clientId,
      protocolVersion: 4,
      keepalive: 15, // PubSubClient MQTT_KEEPALIVE
      connectTimeout: 15_000, // PubSubClient MQTT_SOCKET_TIMEOUT
      reconnectPeriod: 0,
      clean: true,
    });
    const settle = (rc: number) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      if (rc !== 0) client.end(true);
      resolve(rc === 0 ? { rc, client } : { rc });
    };
    const onAbort = () => settle(-1);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    client.stream?.once?.('connect', () => (tcpUp = true));
    client.once('connect', () => settle(0));
    client.on('error', (e) => {
      const code = (e as { code?: unknown }).code;
      // A socket error once TCP is up (a TLS listener resetting the plain CONNECT) leaves PubSubClient
      // waiting for a CONNACK that never comes: MQTT_CONNECTION_TIMEOUT, not CONNECT_FAILED.
      settle(typeof code === 'number' ? code : tcpUp ? -4 : -2);
    });
    client.once('close', () => settle(tcpUp ? -4 : -2));
  });
}

/** Publishes until the connection drops (→ true) or the board resets (→ false). */
function stayConnected(
  ctx: FirmwareContext,
  app: AppDescriptor,
  client: MqttClient,
  println: (s: string) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    let count = 0;
    const timer = setInterval(() => {
      count++;
      const msg = `hello world #${count}`;
      println(`Publish message: ${msg}`);
      client.publish(app.topic, msg);
    }, app.intervalMs);
    timer.unref();
    const finish = (lost: boolean) => {
      clearInterval(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      client.removeAllListeners('close');
      client.end(true);
      resolve(lost);
    };
    const onAbort = () => finish(false);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    client.subscribe(`${app.topic}/in`);
    client.on('message', (topic, payload) => println(`Message arrived [${topic}] ${payload.toString()}`));
    client.once('close', () => finish(true));
  });
}

export const demoFirmware: FirmwareRunner = async (ctx) => {
  const println = (s: string) => ctx.print(`${s}\r\n`);
  const app = findAppDescriptor((o, l) => ctx.readFlash(o, l), ctx.flashSize);
  // Core start-up (SDK init, setup(), Serial.begin) before the first line: ~0.1–0.3 s on real boards.
  if (!(await sleep(150, ctx.signal))) return;
  if (!app) {
    println('');
    println('Flashback virtual board: no app descriptor in this image; nothing to run.');
    return;
  }
  const rfOk = radioCalibrated(ctx);
  println('');
  println(`Connecting to ${app.wifi}`);
  for (let i = 0; i < 5; i++) {
    if (!(await sleep(100, ctx.signal))) return;
    ctx.print('.');
  }
  println('');
  println('WiFi connected');
  println('IP address: ');
  println(DEMO_IP);
  const clientId = `${app.clientIdPrefix}${ctx.chipId.toString(16)}`;
  while (!ctx.signal.aborted) {
    ctx.print('Attempting MQTT connection...');
    // A miscalibrated radio cannot carry the TCP connect: rc=-2, as on the seed board.
    const { rc, client } = rfOk
      ? await connectOnce(ctx, app, clientId)
      : await sleep(200, ctx.signal).then(() => ({ rc: -2, client: undefined }));
    if (ctx.signal.aborted) {
      client?.end(true);
      return;
    }
    if (rc === 0 && client) {
      println('connected');
      if (!(await stayConnected(ctx, app, client, println))) return;
      // Connection lost: the sketch's loop() sees !client.connected() and reconnects at once.
      if (!(await sleep(100, ctx.signal))) return;
      continue;
    }
    println(`failed, rc=${rc} try again in 5 seconds`);
    if (!(await sleep(RETRY_MS, ctx.signal))) return;
  }
};
