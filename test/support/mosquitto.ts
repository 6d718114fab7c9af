/** Debian's mosquitto for tests: started on a free loopback port with a temp config, stopped after. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { systemTool } from './system-tools.js';

export const mosquitto = systemTool('mosquitto');

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts mosquitto with `config` (+ `-p port` when `withP`) and waits until the port answers. */
export async function startMosquitto(
  config: string,
  port: number,
  withP = false,
): Promise<{ proc: ChildProcess; stop: () => void; log: () => string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fb-mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  // Started as root, mosquitto drops to a "mosquitto" user that may not exist; `user root` keeps it as is
  // (ignored when not root).
  writeFileSync(conf, `user root\npersistence false\nlog_dest stderr\n${config}\n`);
  const proc = spawn(mosquitto.path, ['-c', conf, ...(withP ? ['-p', String(port)] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 5000;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (up) break;
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`mosquitto did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    log: () => log,
    stop: () => (proc.kill('SIGTERM'), rmSync(dir, { recursive: true, force: true })),
  };
}
