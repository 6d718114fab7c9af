/**
 * Against Debian's mosquitto (/usr/sbin/mosquitto), started per test on a free loopback port with a temp
 * config; skipped with the reason in the suite name when the binary is missing. Covers the host probe
 * (anonymous, CONNACK 5, TLS with --ca, 2.x local-only mode) and the whole check with a virtual board.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { hardReset } from '../../main/esp/reset.js';
import type { BoardAccess } from '../../main/mqtt/board-link.js';
import { runMqttCheck } from '../../main/mqtt/check.js';
import { probeBroker } from '../../main/mqtt/host-probe.js';
import { lanAddresses } from '../../main/mqtt/lan.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { demoFirmware } from '../../main/sim/demo-firmware.js';
import { buildDemoImage, DEMO_APP } from '../../main/sim/demo-image.js';
import { virtualBoardNetwork } from '../../main/sim/broker-route.js';
import { createNetwork } from '../../main/sim/network.js';
import type { Link } from '../../main/transport/link.js';
import { freePort, mosquitto, startMosquitto } from '../support/mosquitto.js';
import { systemTool } from '../support/system-tools.js';

const openssl = systemTool('openssl');

/** The good demo board on a fresh network, reached through a minimal Link over its BoardWire. */
function goodBoard(profile: 'good' | 'bad' = 'good'): {
  access: BoardAccess;
  network: ReturnType<typeof createNetwork>;
  close: () => void;
} {
  const network = createNetwork();
  const board = new VirtualBoard({
    flashSize: 1 << 20,
    flash: buildDemoImage(profile, 1 << 20),
    firmware: demoFirmware,
    network,
  });
  const access: BoardAccess = {
    reset: hardReset,
    openLink: async (spec, o) => {
      const wire = board.wire();
      wire.setHostBaud(o.baud);
      const ls = new Set<(c: Uint8Array) => void>();
      const off = wire.onBoardData((c) => ls.forEach((l) => l(c)));
      let baud = o.baud;
      const link: Link = {
        spec,
        kind: 'virtual',
        capabilities: { controlLines: true, baudChange: true },
        isOpen: true,
        get baud() {
          return baud;
        },
        write: async (d) => wire.hostWrite(d),
        onData: (l) => (ls.add(l), () => ls.delete(l)),
        onClose: () => () => undefined,
        setSignals: async (s) => wire.setSignals(s),
        setBaud: async (b) => {
          baud = b;
          wire.setHostBaud(b);
        },
        flushInput: async () => undefined,
        close: async () => (off(), wire.detach()),
      };
      return link;
    },
  };
  return { access, network, close: () => board.close() };
}

describe.skipIf(mosquitto.missing)(`Debian mosquitto (${mosquitto.path || mosquitto.reason})`, () => {
  const stops: (() => void)[] = [];
  afterAll(() => stops.forEach((s) => s()));

  it('accepts anonymous clients on an explicit loopback listener with allow_anonymous true', async () => {
    const port = await freePort();
    const m = await startMosquitto(`listener ${port} 127.0.0.1\nallow_anonymous true`, port, false);
    stops.push(m.stop);
    const r = await probeBroker({ url: `mqtt://127.0.0.1:${port}` });
    expect(r.ok).toBe(true);
    expect(r.roundTripMs).not.toBeNull();
  });

  it('a wrong password is refused with CONNACK 5 (allow_anonymous false, no password file)', async () => {
    const port = await freePort();
    const m = await startMosquitto(`listener ${port} 127.0.0.1\nallow_anonymous false`, port, false);
    stops.push(m.stop);
    const r = await probeBroker({ url: `mqtt://127.0.0.1:${port}`, username: 'board', password: 'wrong' });
    expect(r.ok).toBe(false);
    expect(r.tcp.ok).toBe(true);
    expect(r.connack).toBe(5);
    expect(r.rcEquivalent).toBe(5);
  });

  it.skipIf(openssl.missing)('mqtts:// with --ca: trusted with the CA file, refused without it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fb-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      openssl.path,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const port = await freePort();
    const m = await startMosquitto(
      `listener ${port} 127.0.0.1\nallow_anonymous true\ncertfile ${cert}\nkeyfile ${key}`,
      port,
      false,
    );
    stops.push(m.stop, () => rmSync(dir, { recursive: true, force: true }));
    const trusted = await probeBroker({ url: `mqtts://127.0.0.1:${port}`, caFile: cert });
    expect(trusted.ok).toBe(true);
    const untrusted = await probeBroker({ url: `mqtts://127.0.0.1:${port}` });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.error).toMatch(/self.signed|certificate/i);
  });

  it.skipIf(lanAddresses().length === 0)(
    'no listener line (2.x local-only mode): loopback works, LAN refused',
    async () => {
      const port = await freePort();
      const m = await startMosquitto('', port, true);
      stops.push(m.stop);
      const r = await probeBroker({ url: `mqtt://127.0.0.1:${port}` });
      expect(r.ok).toBe(true);
      expect(r.loopbackOnly).toBe(true);
      expect(r.lanTried).toEqual(lanAddresses().map((a) => a.address));
    },
  );

  it('check: virtual:good against mosquitto with --topic → PASS', async () => {
    const port = await freePort();
    const m = await startMosquitto(`listener ${port} 127.0.0.1\nallow_anonymous true`, port, false);
    stops.push(m.stop);
    const b = goodBoard();
    stops.push(b.close);
    const r = await runMqttCheck({
      port: 'virtual:good',
      broker: `mqtt://127.0.0.1:${port}`,
      topic: DEMO_APP.topic,
      board: b.access,
      network: virtualBoardNetwork(b.network),
    });
    expect(r.verdict).toBe('pass');
    expect(r.broker.watch).toBe('topic');
  });

  it('check: a setup error while the topic watch subscribes leaves no watch connected to the broker', async () => {
    const port = await freePort();
    const m = await startMosquitto(`listener ${port} 127.0.0.1\nallow_anonymous true`, port, false);
    stops.push(m.stop);
    // The port fails to open right after the host probe answers, while the watch is still connecting.
    let probed!: () => void;
    const probeAnswered = new Promise<void>((r) => (probed = r));
    const board: BoardAccess = {
      reset: async () => undefined,
      openLink: async (spec) => {
        await probeAnswered;
        throw new FlashbackError('PORT_NOT_FOUND', `${spec} is gone`, 'Plug it back in.');
      },
    };
    await expect(
      runMqttCheck(
        { port: '/dev/ttyGONE', broker: `mqtt://127.0.0.1:${port}`, board },
        { log: (s) => /^Host probe: OK/.test(s) && probed() },
      ),
    ).rejects.toMatchObject({ code: 'PORT_NOT_FOUND' });
    const until = async (re: RegExp) => {
      for (const end = Date.now() + 5000; !re.test(m.log()) && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 50));
      return m.log();
    };
    const id = /as (flashback-probe-[0-9a-f]+-w)\b/.exec(
      await until(/as flashback-probe-[0-9a-f]+-w\b/),
    )?.[1];
    expect(id).toBeDefined();
    expect(await until(new RegExp(`Client ${id} (?:disconnected|closed its connection)`))).toMatch(
      new RegExp(`Client ${id} (?:disconnected|closed its connection)`),
    );
  });

  it.skipIf(lanAddresses().length === 0)(
    'check: "listener PORT 127.0.0.1" is not blamed for the bad board when the good one passes against it',
    async () => {
      const port = await freePort();
      const m = await startMosquitto(`listener ${port} 127.0.0.1\nallow_anonymous true`, port, false);
      stops.push(m.stop);
      const run = async (profile: 'good' | 'bad') => {
        const b = goodBoard(profile);
        stops.push(b.close);
        return runMqttCheck({
          port: `virtual:${profile}`,
          broker: `mqtt://127.0.0.1:${port}`,
          board: b.access,
          network: virtualBoardNetwork(b.network),
          durationMs: 9000,
        });
      };
      const good = await run('good');
      expect(good.verdict).toBe('pass');
      expect(good.hostProbe.loopbackOnly).toBe(true);
      const bad = await run('bad');
      expect(bad.verdict).toBe('fail');
      // The virtual board reaches loopback (the good one just did): localhost-only is a note, not the cause.
      expect(bad.diagnosis[0]!.code).not.toBe('local-only');
      expect(bad.diagnosis.some((c) => c.code === 'note' && /only on localhost/.test(c.cause))).toBe(true);
    },
  );

  it('check: mosquitto refusing anonymous clients → board rc=5, host CONNACK 5, credentials first', async () => {
    const port = await freePort();
    const m = await startMosquitto(`listener ${port} 127.0.0.1\nallow_anonymous false`, port, false);
    stops.push(m.stop);
    const b = goodBoard();
    stops.push(b.close);
    const r = await runMqttCheck({
      port: 'virtual:good',
      broker: `mqtt://127.0.0.1:${port}`,
      board: b.access,
      network: virtualBoardNetwork(b.network),
      durationMs: 9000,
    });
    expect(r.verdict).toBe('fail');
    expect(r.board.rcCodes).toEqual([5]);
    expect(r.hostProbe.connack).toBe(5);
    expect(r.diagnosis[0]!.fix).toMatch(/allow_anonymous true|password_file/);
  });
});
