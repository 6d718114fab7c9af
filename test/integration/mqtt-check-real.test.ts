/**
 * The check against what real boards do: a boot loop read at both rates (ROM cause and the app's last
 * lines in one verdict), a failure that recovers (PASS, not FAIL), a broker that accepts TCP and never
 * answers (the window is never overrun), a TLS port probed with mqtt://, a board that names its own
 * broker, listen-only and manual starts. Virtual boards run paced, with the honest UART.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { hardReset } from '../../main/esp/reset.js';
import type { BoardAccess } from '../../main/mqtt/board-link.js';
import { FLASH_REPAIR } from '../../main/mqtt/causes.js';
import { runMqttCheck } from '../../main/mqtt/check.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../main/mqtt/embedded-broker.js';
import { probeBroker } from '../../main/mqtt/host-probe.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { demoFirmware } from '../../main/sim/demo-firmware.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import type { FirmwareRunner } from '../../main/sim/firmware-api.js';
import { virtualBoardNetwork } from '../../main/sim/broker-route.js';
import { createNetwork, type RoutableNetwork } from '../../main/sim/network.js';
import { systemTool } from '../support/system-tools.js';
import { wireLink } from '../support/wire-link.js';

const boards: VirtualBoard[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  boards.splice(0).forEach((b) => b.close());
  for (const c of closers.splice(0)) await c();
});

function board(firmware: FirmwareRunner, network: RoutableNetwork, profile: 'good' | 'bad' = 'good') {
  const b = new VirtualBoard({
    flashSize: 1 << 20,
    flash: buildDemoImage(profile, 1 << 20),
    firmware,
    network,
  });
  boards.push(b);
  return b;
}

function access(b: VirtualBoard, caps = { controlLines: true, baudChange: true }): BoardAccess {
  return { openLink: async (spec, o) => wireLink(spec, b.wire(), o.baud, caps), reset: hardReset };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A sketch that connects WiFi, reads a sensor and hangs with interrupts off: the hardware WDT resets it. */
const hangingSketch: FirmwareRunner = (ctx) => {
  const t1 = setTimeout(() => ctx.print('\r\nWiFi connected\r\nreading sensor...\r\n'), 60);
  const t2 = setTimeout(() => ctx.restart(4), 450);
  ctx.signal.addEventListener('abort', () => (clearTimeout(t1), clearTimeout(t2)));
};

describe('mqtt check on real-board behaviour', () => {
  it('reboot loop: the verdict carries the ROM cause (rst cause:4, read at 74880) and the app’s last lines (115200)', async () => {
    const network = createNetwork();
    const b = board(hangingSketch, network);
    const r = await runMqttCheck({
      port: 'virtual:loop',
      embeddedPort: 0,
      board: access(b),
      network: virtualBoardNetwork(network),
    });
    expect(r.verdict).toBe('fail');
    const top = r.diagnosis[0]!;
    expect(top.code).toBe('hw-wdt');
    const ev = top.evidence.join('\n');
    expect(ev).toMatch(/ROM: rst cause:4 \(hardware watchdog\)/);
    expect(ev).toMatch(/reading sensor\.\.\./);
    const banner4 = r.events.find((e) => e.kind === 'rom-banner' && e.rstCause === 4);
    expect(banner4?.baud).toBe(74880);
    const appLine = r.events.find((e) => e.line === 'reading sensor...');
    expect(appLine?.baud).toBe(115200);
    expect(r.serial.switches).toBeGreaterThanOrEqual(2);
    // A watchdog loop is the sketch's: no flash repair anywhere in the list.
    expect(r.diagnosis.map((d) => d.code)).not.toContain('board-side');
    console.log(`reboot loop → ${r.verdict} in ${r.seconds} s`);
  });

  it('transient failure: rc=-2 twice while the broker starts, then connected → PASS "recovered after 2 attempts"', async () => {
    const network = createNetwork();
    const b = board(demoFirmware, network);
    const port = await freePort();
    let late: EmbeddedBroker | null = null;
    const timer = setTimeout(
      () => void startEmbeddedBroker({ port, host: '127.0.0.1' }).then((x) => (late = x)),
      7000,
    );
    closers.push(() => (clearTimeout(timer), late?.close()));
    const r = await runMqttCheck({
      port: 'virtual:late',
      broker: `mqtt://127.0.0.1:${port}`,
      durationMs: 16_000,
      board: access(b),
      network: virtualBoardNetwork(network),
    });
    expect(r.events.filter((e) => e.kind === 'mqtt-failed').length).toBe(2);
    expect(r.verdict).toBe('pass');
    expect(r.diagnosis[0]!.code).toBe('recovered');
    expect(r.summary).toMatch(/recovered after 2 failed attempts/);
  }, 30_000);

  it('a broker that accepts TCP and never answers CONNECT: verdict inside the window, "never answers"', async () => {
    const server = net.createServer((s) => s.on('error', () => undefined));
    const sockets = new Set<net.Socket>();
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => (sockets.forEach((s) => s.destroy()), new Promise((r) => server.close(r))));
    const port = (server.address() as net.AddressInfo).port;
    const network = createNetwork();
    const b = board(demoFirmware, network);
    const started = performance.now();
    const r = await runMqttCheck({
      port: 'virtual:silent',
      broker: `mqtt://127.0.0.1:${port}`,
      durationMs: 6000,
      board: access(b),
      network: virtualBoardNetwork(network),
    });
    const took = performance.now() - started;
    expect(took).toBeLessThan(6000 + 1500);
    // The verdict is due at the window's end, not a poll interval later.
    expect(r.seconds).toBeLessThanOrEqual(6);
    expect(r.hostProbe.ok).toBe(false);
    expect(r.hostProbe.connack).toBeNull();
    expect(r.diagnosis.some((d) => /never answers the MQTT CONNECT|no CONNACK/.test(d.cause))).toBe(true);
    console.log(`silent broker → ${r.verdict} in ${(took / 1000).toFixed(1)} s (window 6 s)`);
  });

  it('the board names its broker in its log: that broker is probed, and the embedded one is not called the board’s', async () => {
    const refused = await freePort();
    const tasmotaLike: FirmwareRunner = (ctx) => {
      let n = 0;
      const tick = () => {
        ctx.print(`00:00:0${n} MQT: Connect failed to 127.0.0.1:${refused}, rc -2. Retry in 2 sec\r\n`);
        n++;
      };
      const t = setInterval(tick, 700);
      setTimeout(tick, 80);
      ctx.signal.addEventListener('abort', () => clearInterval(t));
    };
    const network = createNetwork();
    const b = board(tasmotaLike, network);
    // Not a virtual: port, so nothing tells the check which broker the board uses but its own log.
    const r = await runMqttCheck({
      port: 'test:tasmota',
      embeddedPort: 0,
      durationMs: 5000,
      board: access(b),
      network: virtualBoardNetwork(network),
    });
    expect(r.namedBroker?.url).toBe(`mqtt://127.0.0.1:${refused}`);
    expect(r.namedBroker?.probe?.tcp.error).toBe('ECONNREFUSED');
    expect(r.verdict).toBe('fail');
    expect(r.diagnosis[0]!.code).toBe('broker-unreachable');
    expect(r.diagnosis[0]!.evidence.join(' ')).toMatch(new RegExp(`127\\.0\\.0\\.1:${refused}`));
    expect(r.diagnosis.map((d) => d.cause).join(' ')).not.toMatch(/host reaches the broker/);
  });

  it('socket:// style links (no reset lines, one rate): listening only, and it says so', async () => {
    const network = createNetwork();
    const b = board(demoFirmware, network);
    b.powerOn();
    const logs: string[] = [];
    const r = await runMqttCheck(
      {
        port: 'socket://bridge',
        embeddedPort: 0,
        durationMs: 3000,
        board: access(b, { controlLines: false, baudChange: false }),
        network: virtualBoardNetwork(network),
      },
      { log: (l) => logs.push(l) },
    );
    expect(r.serial.before).toBe('no-reset');
    expect(r.serial.rates).toMatch(/one fixed rate/);
    expect(logs.join('\n')).toMatch(/no reset lines: listening/);
    expect(logs.join('\n')).not.toMatch(/74880 then 115200/);
  });

  it('--before manual waits for the user’s RESET and reads that banner at 74880', async () => {
    const network = createNetwork();
    const b = board(demoFirmware, network);
    const logs: string[] = [];
    const acc = access(b);
    const check = runMqttCheck(
      {
        port: 'virtual:manual',
        embeddedPort: 0,
        durationMs: 9000,
        before: 'manual',
        board: acc,
        network: virtualBoardNetwork(network),
      },
      { log: (l) => logs.push(l) },
    );
    // The user presses RESET (here: power-cycles the board) a second later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(logs.join('\n')).toMatch(/Press RESET/);
    b.powerCycle();
    const r = await check;
    expect(r.events.find((e) => e.kind === 'rom-banner')).toMatchObject({ rstCause: 1, baud: 74880 });
    expect(r.verdict).toBe('pass');
  }, 20_000);
});

const openssl = systemTool('openssl');
describe.skipIf(openssl.missing)(`TLS port probed with mqtt:// (${openssl.path || openssl.reason})`, () => {
  it('says "this port speaks TLS"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-tls-'));
    closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      openssl.path,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(dir, 'k.pem'),
        '-out',
        path.join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = tls.createServer({
      key: fs.readFileSync(path.join(dir, 'k.pem')),
      cert: fs.readFileSync(path.join(dir, 'c.pem')),
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;
    const p = await probeBroker({ url: `mqtt://127.0.0.1:${port}`, connackTimeoutMs: 3000 });
    expect(p.ok).toBe(false);
    expect(p.tlsMismatch).toBe('port-speaks-tls');
    const { hostProbeCauses } = await import('../../main/mqtt/causes.js');
    expect(hostProbeCauses(p)[0]!.cause).toMatch(/This port speaks TLS/);
    // The demo sketch (plain PubSubClient) on that port: TCP up, no CONNACK → rc=-4, never a flash repair.
    const network = createNetwork();
    const b = board(demoFirmware, network);
    const r = await runMqttCheck({
      port: 'virtual:tls',
      broker: `mqtt://127.0.0.1:${port}`,
      durationMs: 8000,
      board: access(b),
      network: virtualBoardNetwork(network),
    });
    expect(r.verdict).toBe('fail');
    expect(r.board.rcCodes).toContain(-4);
    expect(r.diagnosis[0]!.code).toBe('mqtt-timeout');
    expect(r.diagnosis[0]!.cause).toMatch(/plain MQTT to a TLS port/);
    expect(r.diagnosis.some((d) => FLASH_REPAIR.has(d.code))).toBe(false);
  }, 20_000);
});
