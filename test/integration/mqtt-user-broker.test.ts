/**
 * The user's broker is first class: a board whose sketch prints nothing about MQTT passes when the
 * broker sees it — its CONNECT in mosquitto's $SYS log (with --client-id), or its messages on the
 * watched tree — and the check says what it could and could not watch.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { hardReset } from '../../main/esp/reset.js';
import { runMqttCheck } from '../../main/mqtt/check.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { buildDemoImage, DEMO_APP } from '../../main/sim/demo-image.js';
import type { FirmwareRunner } from '../../main/sim/firmware-api.js';
import { virtualBoardNetwork } from '../../main/sim/broker-route.js';
import { createNetwork } from '../../main/sim/network.js';
import { freePort, mosquitto, startMosquitto } from '../support/mosquitto.js';
import { wireLink } from '../support/wire-link.js';

/** A sketch that connects and publishes but prints only "hello" (no MQTT lines to parse). */
const quietSketch: FirmwareRunner = (ctx) => {
  ctx.print('\r\nhello\r\n');
  const target = ctx.network.resolve(DEMO_APP.broker, DEMO_APP.port);
  if (!target) return;
  const c = mqtt.connect({
    host: target.host,
    port: target.port,
    clientId: 'quiet-board-1',
    reconnectPeriod: 0,
  });
  c.on('error', () => undefined);
  const t = setInterval(() => c.connected && c.publish('sensors/quiet/temp', '21.5'), 300);
  ctx.signal.addEventListener('abort', () => (clearInterval(t), c.end(true)));
};

const stops: Array<() => void> = [];
const boards: VirtualBoard[] = [];
afterEach(() => {
  stops.splice(0).forEach((s) => s());
  boards.splice(0).forEach((b) => b.close());
});

describe.skipIf(mosquitto.missing)(`the user's broker (${mosquitto.path || mosquitto.reason})`, () => {
  async function setup(config: (port: number) => string) {
    const port = await freePort();
    const m = await startMosquitto(config(port), port);
    stops.push(m.stop);
    const network = createNetwork();
    const b = new VirtualBoard({
      flashSize: 1 << 20,
      flash: buildDemoImage('good', 1 << 20),
      firmware: quietSketch,
      network,
    });
    boards.push(b);
    return {
      port,
      network: virtualBoardNetwork(network),
      access: {
        openLink: async (spec: string, o: { baud: number }) => wireLink(spec, b.wire(), o.baud),
        reset: hardReset,
      },
    };
  }

  it('--client-id: the board’s CONNECT in $SYS (log_dest topic) is a PASS although the sketch prints nothing', async () => {
    const { port, network, access } = await setup(
      (p) => `listener ${p} 127.0.0.1\nallow_anonymous true\nlog_dest topic\nlog_type all`,
    );
    const r = await runMqttCheck({
      port: 'virtual:quiet',
      broker: `mqtt://127.0.0.1:${port}`,
      clientId: 'quiet-board-1',
      durationMs: 6000,
      board: access,
      network,
    });
    expect(r.broker.watch).toBe('topic');
    expect(r.broker.watched.join(' ')).toMatch(/\$SYS broker log/);
    expect(r.events.some((e) => e.kind === 'broker-connect' && e.clientId === 'quiet-board-1')).toBe(true);
    expect(r.verdict).toBe('pass');
    expect(r.diagnosis[0]!.cause).toMatch(/broker saw the board connect as "quiet-board-1"/);
    expect(r.diagnosis[0]!.confidence).toBe('high');
  });

  it('no $SYS log: the messages on the whole tree count (medium confidence) and the check says the CONNECT could not be watched', async () => {
    const { port, network, access } = await setup(
      (p) => `listener ${p} 127.0.0.1\nallow_anonymous true\nlog_dest stderr`,
    );
    const r = await runMqttCheck({
      port: 'virtual:quiet',
      broker: `mqtt://user:pw@127.0.0.1:${port}`,
      durationMs: 5000,
      board: access,
      network,
    });
    expect(r.verdict).toBe('pass');
    expect(r.diagnosis[0]!.confidence).toBe('medium');
    expect(r.broker.watched.join(' ')).toMatch(/does not publish its log to \$SYS/);
    expect(r.broker.url).not.toMatch(/pw/); // credentials used, never shown
  });
});
