/**
 * rfc2217:// against a real RFC 2217 server: Debian's ser2net (`telnet(rfc2217)` accepter) in front of
 * a real pty whose far end is test/support/pty-relay.py — bytes, the rate set on the tty, and a virtual
 * board that hears bytes at that rate. Skipped with a reason where ser2net or python3 is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, useTempHome } from '../support/home.js';
import { boardOnPty, openPtyPeer, python3, type PtyPeer } from '../support/pty-board.js';
import { systemTool } from '../support/system-tools.js';

const home = useTempHome();
const { backupBoard, detectBoard } = await import('../../main/flash/index.js');
const { VirtualBoard } = await import('../../main/sim/index.js');
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { openLink } = await import('../../main/transport/index.js');
const { writeFiles } = await import('../../main/flash/write-files.js');
const { repairBoard } = await import('../../main/flash/repair.js');
const { bootV1, userBin } = await import('../support/firmware-files.js');
type Link = Awaited<ReturnType<typeof openLink>>;

const ser2netTool = systemTool('ser2net');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** ser2net serving `tty` as rfc2217://127.0.0.1:PORT; killed after the test. */
async function ser2net(tty: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(home, 'ser2net-'));
  const port = await freePort();
  const yaml = path.join(dir, 'ser2net.yaml');
  fs.writeFileSync(
    yaml,
    [
      '%YAML 1.1',
      '---',
      'connection: &board',
      `  accepter: telnet(rfc2217),tcp,127.0.0.1,${port}`,
      `  connector: serialdev,${tty},115200n81,local`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(ser2netTool.path, ['-n', '-c', yaml, '-P', path.join(dir, 'pid')], {
    stdio: 'ignore',
  });
  cleanups.push(async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill();
      await exited;
    }
  });
  // Ready when it accepts; the probe connection opens and closes the tty once.
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect({ host: '127.0.0.1', port }, () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (up) break;
    if (i > 100 || proc.exitCode !== null) throw new Error('ser2net did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100));
  return `rfc2217://127.0.0.1:${port}`;
}

async function peer(make: (tty: string) => Promise<PtyPeer>): Promise<PtyPeer> {
  const dir = fs.mkdtempSync(path.join(home, 'pty-'));
  const p = await make(path.join(dir, 'tty'));
  cleanups.push(() => p.close());
  return p;
}

/** A download-mode virtual board on a pty with ser2net's RFC 2217 server in front of it. */
async function boardBehindSer2net(
  opts: Omit<ConstructorParameters<typeof VirtualBoard>[0], 'pace' | 'bootMode'>,
) {
  const board = new VirtualBoard({ ...opts, pace: false, bootMode: 'download' });
  cleanups.push(() => board.close());
  const tty = await peer((p) => boardOnPty(board, p));
  return { board, tty, url: await ser2net(tty.path) };
}

async function open(url: string, baud = 115200): Promise<Link> {
  const l = await openLink(url, { baud });
  cleanups.push(() => l.close());
  return l;
}

function collect(n: number, subscribe: (f: (c: Uint8Array) => void) => unknown): Promise<Uint8Array> {
  const parts: number[] = [];
  return new Promise((resolve) => {
    subscribe((c) => {
      parts.push(...c);
      if (parts.length === n) resolve(Uint8Array.from(parts));
    });
  });
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe.skipIf(ser2netTool.missing || python3.missing)('rfc2217:// through ser2net to a pty', () => {
  it('negotiates RFC 2217, carries 0xFF both ways and sets the remote baud', async () => {
    const tty = await peer(openPtyPeer);
    const link = await open(await ser2net(tty.path));
    expect(link.kind).toBe('rfc2217');
    expect(link.capabilities).toEqual({ controlLines: true, baudChange: true });
    // Every byte value, with IAC (0xFF) alone, doubled and next to telnet's CR/NUL.
    const payload = Uint8Array.from([
      ...Array.from({ length: 256 }, (_, i) => i),
      0xff,
      0xff,
      0xff,
      0x0d,
      0x00,
      0xff,
      0xfa,
      0xff,
      0xf0,
      ...Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 0xff : i & 0xff)),
    ]);
    const atTty = collect(payload.length, (f) => tty.onData(f));
    await link.write(payload);
    expect(md5(await atTty)).toBe(md5(payload));
    const atLink = collect(payload.length, (f) => link.onData(f));
    tty.write(payload);
    expect(md5(await atLink)).toBe(md5(payload));

    await link.setBaud(921600);
    expect(link.baud).toBe(921600);
    const rates: number[] = [];
    const got = collect(3, (f) => tty.onData((c, baud) => (rates.push(baud), f(c))));
    await link.write(Uint8Array.of(1, 0xff, 3));
    expect(Array.from(await got)).toEqual([1, 0xff, 3]);
    expect(rates).toEqual([921600]);
    expect(tty.bauds.at(-1)).toBe(921600);
    await link.flushInput();
    expect(link.isOpen).toBe(true);
  });

  it('DTR/RTS that the tty cannot carry turn controlLines off without throwing', async () => {
    const tty = await peer(openPtyPeer);
    const link = await open(await ser2net(tty.path));
    await link.setSignals({ dtr: false, rts: true });
    expect(link.capabilities.controlLines).toBe(false);
    await link.setSignals({ dtr: true, rts: false }); // now a no-op
    expect(link.isOpen).toBe(true);
  });

  it('detects a board and backs up its whole flash at 460800 baud', async () => {
    const image = buildDemoImage('good', 4 * 1024 * 1024);
    const { tty, url } = await boardBehindSer2net({
      flash: Uint8Array.from(image),
      mac: '18:fe:34:00:22:17',
    });
    const logs: string[] = [];
    const info = await detectBoard({ port: url }, { log: (l) => logs.push(l) });
    expect(info).toMatchObject({ chip: 'ESP8266EX', mac: '18:fe:34:00:22:17', bridge: 'rfc2217' });
    // ser2net never answers SET-CONTROL on a pty, so the link stops offering a reset and says so.
    expect(logs.join('\n')).toMatch(/cannot reset the board/);
    const t0 = Date.now();
    const b = await backupBoard({ port: url, baud: 460800, library: null });
    console.log(`rfc2217 backup of 4 MB through ser2net: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(b.md5).toBe(md5(image));
    // The rate really changed on the remote tty (the board would have heard garbage otherwise).
    expect(tty.bauds).toContain(460800);
  }, 120_000);

  it('writes esptool pairs (boot_v1.x + user1 + init data, header patched), then repairs the factory data', async () => {
    const MB = 1024 * 1024;
    const { board, tty, url } = await boardBehindSer2net({
      flash: new Uint8Array(MB).fill(0xff),
      flashSize: MB,
      jedecId: [0xef, 0x40, 0x14], // W25Q80: 1 MB by its id too
      mac: '18:fe:34:00:22:18',
    });
    const init = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'esp_init_data_default_v08.bin')));
    const pairs = [
      { address: 0, name: 'boot_v1.7.bin', bytes: bootV1() },
      { address: 0x1000, name: 'user1.1024.new.2.bin', bytes: userBin(1) },
      { address: 0xfc000, name: 'esp_init_data_default_v08.bin', bytes: init },
    ];
    const seen: string[][] = [];
    const w = await writeFiles(
      { port: url, baud: 460800, backup: false, flashSize: 'detect', pairs },
      { confirm: (plan) => (seen.push(plan.warnings.map((x) => x.code)), true) },
    );
    if ('dryRun' in w) throw new Error('not written');
    expect(seen).toEqual([[]]);
    expect(w.verified).toBe(true);
    const flash = board.flash.snapshot();
    expect(flash[3]! >> 4).toBe(2); // the header now says 1 MB, the chip's size
    expect(Buffer.from(flash.subarray(0xfc000, 0xfc080)).equals(Buffer.from(init))).toBe(true);
    // The factory data of the NONOS build, reset by its own layout: RF_CAL erased, init data rewritten.
    board.flash.program(0xfb000, new Uint8Array(16)); // a calibration that went wrong
    const r = await repairBoard({ port: url, baud: 460800, backup: false });
    if ('dryRun' in r) throw new Error('not repaired');
    expect(r.plan.rule).toBe('nonos');
    const after = board.flash.snapshot();
    expect(after.subarray(0xfb000, 0xfc000).every((b) => b === 0xff)).toBe(true);
    expect(Buffer.from(after.subarray(0xfc000, 0xfc080)).equals(Buffer.from(init))).toBe(true);
    expect(tty.bauds).toContain(460800);
  }, 180_000);

  it('a server that does not speak telnet is BAD_PORT_SPEC with a socket:// hint', async () => {
    const conns: net.Socket[] = [];
    const server = net.createServer((c) => void conns.push(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => (conns.forEach((c) => c.destroy()), server.close(r))));
    const { port } = server.address() as net.AddressInfo;
    const err = await openLink(`rfc2217://127.0.0.1:${port}`, { baud: 115200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_PORT_SPEC' });
    expect((err as { hint: string }).hint).toMatch(/socket:\/\//);
  });
});
