/**
 * The whole MQTT check against in-process virtual boards running the demo firmware, with the embedded
 * broker (or aedes standing in for the user's broker) on loopback. The boards are reached through a
 * small Link over their BoardWire, the same wire the `virtual:` transport uses.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hardReset } from '../../main/esp/reset.js';
import type { BoardAccess } from '../../main/mqtt/board-link.js';
import { runMqttCheck } from '../../main/mqtt/check.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../main/mqtt/embedded-broker.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { demoFirmware } from '../../main/sim/demo-firmware.js';
import { buildDemoImage, DEMO_APP } from '../../main/sim/demo-image.js';
import { virtualBoardNetwork } from '../../main/sim/broker-route.js';
import { createNetwork, type RoutableNetwork } from '../../main/sim/network.js';
import type { Link } from '../../main/transport/link.js';
import type { BoardWire } from '../../main/sim/wire.js';
import { closeVirtualBoard } from '../../main/sim/registry.js';
import { openVirtualLink } from '../../main/sim/virtual-link.js';

function wireLink(spec: string, wire: BoardWire, baud: number): Link {
  const data = new Set<(c: Uint8Array) => void>();
  const closers = new Set<(e?: Error) => void>();
  let open = true;
  let rate = baud;
  wire.setHostBaud(baud);
  const off = wire.onBoardData((c) => data.forEach((l) => l(c)));
  return {
    spec,
    kind: 'virtual',
    capabilities: { controlLines: true, baudChange: true },
    get baud() {
      return rate;
    },
    get isOpen() {
      return open;
    },
    write: async (d) => wire.hostWrite(d),
    onData: (l) => (data.add(l), () => data.delete(l)),
    onClose: (l) => (closers.add(l), () => closers.delete(l)),
    setSignals: async (s) => wire.setSignals(s),
    setBaud: async (b) => {
      rate = b;
      wire.setHostBaud(b);
    },
    flushInput: async () => undefined,
    close: async () => {
      if (!open) return;
      open = false;
      off();
      wire.detach();
      closers.forEach((l) => l());
    },
  };
}

function access(board: VirtualBoard): BoardAccess {
  return { openLink: async (spec, o) => wireLink(spec, board.wire(), o.baud), reset: hardReset };
}

/** A port with nothing on it that ever talks (unpowered board, wrong port). */
const silentAccess: BoardAccess = {
  openLink: async (spec, o) => ({
    spec,
    kind: 'virtual',
    capabilities: { controlLines: true, baudChange: true },
    baud: o.baud,
    isOpen: true,
    write: async () => undefined,
    onData: () => () => undefined,
    onClose: () => () => undefined,
    setSignals: async () => undefined,
    setBaud: async () => undefined,
    flushInput: async () => undefined,
    close: async () => undefined,
  }),
  reset: async () => undefined,
};

const boards: VirtualBoard[] = [];
function demoBoard(profile: 'good' | 'bad', network: RoutableNetwork, flash?: Uint8Array): VirtualBoard {
  const b = new VirtualBoard({
    flashSize: 1024 * 1024,
    flash: flash ?? buildDemoImage(profile, 1024 * 1024),
    firmware: demoFirmware,
    network,
    mac: profile === 'good' ? '18:fe:34:00:00:01' : '18:fe:34:00:00:02',
  });
  boards.push(b);
  return b;
}

describe('mqtt check on virtual boards', () => {
  let broker: EmbeddedBroker | undefined;
  afterEach(async () => {
    boards.splice(0).forEach((b) => b.close());
    await broker?.close();
    broker = undefined;
  });

  it('PASS on the good board with the embedded broker, ending early', async () => {
    const network = createNetwork();
    const board = demoBoard('good', network);
    const live: string[] = [];
    const r = await runMqttCheck(
      { port: 'virtual:good', embeddedPort: 0, board: access(board), network: virtualBoardNetwork(network) },
      { onEvent: (e) => live.push(e.kind) },
    );
    expect(r.verdict).toBe('pass');
    expect(r.ended).toBe('certain');
    expect(live).toEqual(r.events.map((e) => e.kind)); // every event was streamed as it happened
    expect(r.board).toEqual({ connected: true, rcCodes: [] });
    expect(r.hostProbe).toMatchObject({ ok: true, connack: 0 });
    expect(r.broker).toMatchObject({ embedded: true, watch: 'embedded' });
    expect(r.events.find((e) => e.kind === 'rom-banner')).toMatchObject({ rstCause: 2, bootMode: [3, 6] });
    expect(
      r.events.find((e) => e.kind === 'broker-connect' && e.clientId.startsWith(DEMO_APP.clientIdPrefix)),
    ).toBeTruthy();
    expect(network.routes()).toEqual([]); // route removed afterwards
    console.log(`virtual:good → ${r.verdict} in ${r.seconds} s`);
  });

  it('FAIL on the bad board once the good board passed: rc=-2 persists → board side, restore / init data', async () => {
    const network = createNetwork();
    const board = demoBoard('bad', network);
    const r = await runMqttCheck({
      port: 'virtual:bad',
      embeddedPort: 0,
      board: access(board),
      network: virtualBoardNetwork(network),
      referencePassed: { port: 'virtual:good' },
    });
    expect(r.verdict).toBe('fail');
    expect(r.ended).toBe('certain');
    expect(r.seconds).toBeLessThan(12);
    expect(r.board).toEqual({ connected: false, rcCodes: [-2] });
    expect(r.diagnosis[0]!.code).toBe('board-side');
    expect(r.diagnosis[0]!.fix).toMatch(/restore/);
    // FAIL only once the failure outlasted the sketch's 5 s retry interval twice.
    expect(r.events.filter((e) => e.kind === 'mqtt-failed')).toHaveLength(3);
    console.log(`virtual:bad → ${r.verdict} in ${r.seconds} s`);
  });

  it('PASS on the bad board once its flash holds the good image (what restore does)', async () => {
    const network = createNetwork();
    const board = demoBoard('bad', network, buildDemoImage('good', 1024 * 1024));
    const r = await runMqttCheck({
      port: 'virtual:bad',
      embeddedPort: 0,
      board: access(board),
      network: virtualBoardNetwork(network),
    });
    expect(r.verdict).toBe('pass');
  });

  it('unreachable user broker: host probe fails → broker/network ranked first', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    const network = createNetwork();
    const board = demoBoard('good', network);
    const r = await runMqttCheck({
      port: 'virtual:good',
      broker: `mqtt://127.0.0.1:${port}`,
      board: access(board),
      network: virtualBoardNetwork(network),
      durationMs: 9000,
    });
    expect(r.verdict).toBe('fail');
    expect(r.hostProbe).toMatchObject({ ok: false, tcp: { ok: false, error: 'ECONNREFUSED' } });
    expect(r.board.rcCodes).toEqual([-2]);
    expect(r.diagnosis[0]!.cause).toMatch(/Nothing accepts connections/);
  });

  it("the user's broker on loopback, watched through --topic", async () => {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const network = createNetwork();
    const board = demoBoard('good', network);
    const r = await runMqttCheck({
      port: 'virtual:good',
      broker: broker.url,
      topic: DEMO_APP.topic,
      board: access(board),
      network: virtualBoardNetwork(network),
    });
    expect(r.verdict).toBe('pass');
    expect(r.broker.watch).toBe('topic');
    expect(
      r.events.filter((e) => e.kind === 'broker-publish' && e.topic === DEMO_APP.topic).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('a board that never prints anything: INCONCLUSIVE after the window', async () => {
    const r = await runMqttCheck({
      port: 'virtual:none',
      embeddedPort: 0,
      board: silentAccess,
      durationMs: 1500,
    });
    expect(r.verdict).toBe('inconclusive');
    expect(r.ended).toBe('window');
    expect(r.diagnosis[0]!.cause).toBe('The board printed nothing');
  });

  it('a blank flash: ROM finds no image → FAIL with the write-firmware fix', async () => {
    const network = createNetwork();
    const board = demoBoard('good', network, new Uint8Array(1024 * 1024).fill(0xff));
    const r = await runMqttCheck({
      port: 'virtual:blank',
      embeddedPort: 0,
      board: access(board),
      network: virtualBoardNetwork(network),
      durationMs: 4000,
    });
    expect(r.verdict).toBe('fail');
    expect(r.diagnosis[0]!.cause).toMatch(/no bootable image/);
  });

  it('abort stops the check and releases the broker port', async () => {
    const network = createNetwork();
    const board = demoBoard('bad', network);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 800);
    await expect(
      runMqttCheck(
        { port: 'virtual:bad', embeddedPort: 0, board: access(board), network: virtualBoardNetwork(network) },
        { signal: ac.signal },
      ),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(network.routes()).toEqual([]);
  });
});

describe('mqtt check through the virtual: transport (shared demo boards, 4 MB, defaultNetwork)', () => {
  let home: string;
  const saved = process.env.FLASHBACK_HOME;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mqtt-'));
    process.env.FLASHBACK_HOME = home;
  });
  afterAll(() => {
    closeVirtualBoard('good');
    closeVirtualBoard('bad');
    if (saved === undefined) delete process.env.FLASHBACK_HOME;
    else process.env.FLASHBACK_HOME = saved;
    fs.rmSync(home, { recursive: true, force: true });
  });
  const transport: BoardAccess = {
    openLink: (spec, o) => openVirtualLink(spec.replace(/^virtual:/, ''), o),
    reset: hardReset,
  };

  for (const [name, verdict] of [
    ['good', 'pass'],
    ['bad', 'fail'],
  ] as const) {
    it(`virtual:${name} → ${verdict}`, async () => {
      const r = await runMqttCheck({
        port: `virtual:${name}`,
        embeddedPort: 0,
        board: transport,
        network: virtualBoardNetwork(),
      });
      expect(r.verdict).toBe(verdict);
      expect(r.ended).toBe('certain');
      console.log(`virtual:${name} via transport → ${r.verdict} in ${r.seconds} s`);
    });
  }
});
