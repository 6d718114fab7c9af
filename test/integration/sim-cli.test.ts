import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../main/esp/slip.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sim-cli-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function runSim(args: string[]) {
  const child = spawn(process.execPath, [path.join(root, 'bin/flashback.mjs'), 'sim', ...args], {
    cwd: root,
    env: { ...process.env, FLASHBACK_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^listening (socket:\/\/127\.0\.0\.1:(\d+))\n/m.exec(out);
      if (m) resolve(m[2]!);
    });
    child.on('exit', (code) => reject(new Error(`sim exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, listening, exited, output: () => ({ out, err }) };
}

describe('flashback sim (CLI)', () => {
  it('prints the listening line, serves the ROM loader, saves its flash on SIGTERM', async () => {
    const save = path.join(home, 'saved.bin');
    const sim = runSim(['--listen', 'tcp://127.0.0.1:0', '--no-pace', '--profile', 'bad', '--save', save]);
    const port = Number(await sim.listening);
    expect(sim.output().out).toMatch(/^listening socket:\/\/127\.0\.0\.1:\d+\n$/);
    const frames: Uint8Array[] = [];
    const dec = new SlipDecoder((f) => frames.push(f));
    const sock = net.connect(port, '127.0.0.1');
    sock.on('data', (d) => dec.push(d));
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      slipEncode(
        Uint8Array.from([0, 8, 36, 0, 0, 0, 0, 0, 7, 7, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]),
      ),
    );
    for (let i = 0; i < 100 && frames.length < 8; i++) await new Promise((r) => setTimeout(r, 20));
    expect(frames.length).toBe(8);
    sock.destroy();
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(fs.statSync(save).size).toBe(4 << 20);
  });

  it('--jedec-size and --crystal make a relabelled 40 MHz board that flashback detect and backup see through', async () => {
    const sim = runSim(['--no-pace', '--flash-size', '1MB', '--jedec-size', '4MB', '--crystal', '40']);
    const port = await sim.listening;
    for (let i = 0; i < 100 && !/virtual ESP8266/.test(sim.output().err); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(sim.output().err).toMatch(/1 MB, JEDEC id says 4 MB, 40 MHz crystal/);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(root, 'bin/flashback.mjs'), ...args], {
        cwd: root,
        env: { ...process.env, FLASHBACK_HOME: home },
        encoding: 'utf8',
      });
    const d = cli('detect', '--port', `socket://127.0.0.1:${port}`, '--json');
    expect(d.status, d.stderr).toBe(0);
    const info = JSON.parse(d.stdout) as { crystalMHz: number; sizes: Record<string, unknown> };
    expect(info.crystalMHz).toBe(40);
    expect(info.sizes).toMatchObject({ jedec: 4 << 20, proven: 1 << 20, agree: false });
    expect(d.stderr).toMatch(/addresses wrap at 0x100000: 0x100000 and 0x1\d{2}000 read as 0x0 and 0x\d+000/);
    const out = path.join(home, 'relabelled.bin');
    const b = cli('backup', '--port', `socket://127.0.0.1:${port}`, '--no-library', '--out', out);
    expect(b.status, b.stderr).toBe(0);
    expect(fs.statSync(out).size).toBe(1 << 20);
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  it('a 128KB flash file without --jedec-size serves (its JEDEC id follows --flash-size)', async () => {
    const file = path.join(home, 'small.bin');
    fs.writeFileSync(file, new Uint8Array(0x20000).fill(0xff));
    const sim = runSim(['--no-pace', '--flash', file, '--flash-size', '128KB']);
    await sim.listening;
    for (let i = 0; i < 100 && !/virtual ESP8266/.test(sim.output().err); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(sim.output().err).toMatch(/virtual ESP8266 \([0-9a-f:]+, 128 KB, 26 MHz crystal/);
    expect(sim.output().err).not.toMatch(/JEDEC id says/);
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  it('--factory-reset alone resets the demo boards and exits', async () => {
    fs.mkdirSync(path.join(home, 'virtual'), { recursive: true });
    fs.writeFileSync(path.join(home, 'virtual', 'good.bin'), Buffer.alloc(16));
    fs.writeFileSync(path.join(home, 'virtual', 'good.json'), '{}');
    const sim = runSim(['--factory-reset']);
    sim.listening.catch(() => undefined);
    expect(await sim.exited).toBe(0);
    expect(fs.existsSync(path.join(home, 'virtual', 'good.bin'))).toBe(false);
    expect(sim.output().out).toMatch(/virtual:good, virtual:bad/);
  });
});
