/**
 * One exit-code table for every command (main/cli/exit-codes.ts): 0 done, 1 failed, 2 usage/setup,
 * 3 inconclusive, 130 interrupted — checked through the real CLI across several commands, with the
 * port-kind hints and the --baud range of issue 11 item 10.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { abortedError, FlashbackError } from '../../main/errors.js';
import { EXIT, exitCodeFor } from '../../main/cli/exit-codes.js';
import { useTempHome } from '../support/home.js';

const home = useTempHome('flashback-exit-');
const ROOT = path.resolve(import.meta.dirname, '../..');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/flashback.mjs'), ...args], {
    env: { ...process.env, FLASHBACK_HOME: home, FLASHBACK_VIRTUAL_PACE: '0' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function cliAsync(...args: string[]) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin/flashback.mjs'), ...args], {
      env: { ...process.env, FLASHBACK_HOME: home },
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('the exit-code table', () => {
  it('maps error kinds: usage → 2, interrupted → 130, anything else → 1', () => {
    expect(exitCodeFor(new FlashbackError('PORT_BUSY', 'busy', 'close it'))).toBe(EXIT.usage);
    expect(exitCodeFor(new FlashbackError('FILE_NOT_FOUND', 'x', 'y'))).toBe(2);
    expect(exitCodeFor(new FlashbackError('NOT_CONFIRMED', 'x', 'y'))).toBe(2);
    expect(exitCodeFor(new FlashbackError('MD5_MISMATCH', 'x', 'y'))).toBe(EXIT.fail);
    expect(exitCodeFor(new FlashbackError('TIMEOUT', 'x', 'y'))).toBe(1);
    expect(exitCodeFor(abortedError())).toBe(130);
    expect(exitCodeFor(new Error('bug'))).toBe(1);
    // Cancelled by Ctrl-C: 130 whatever the error on the way out says.
    expect(exitCodeFor(new FlashbackError('PORT_CLOSED', 'x', 'y'), true)).toBe(130);
  });

  it('`flashback --help` and a command --help print the table', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:/);
    for (const c of ['0', '1', '2', '3', '130']) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(cli('backup', '--help').stdout).toMatch(/130 +interrupted/);
  });

  it('a board command --help explains the board options (--before manual, --no-stub) it accepts', () => {
    for (const c of ['backup', 'write', 'verify', 'restore', 'erase', 'compare', 'repair', 'detect']) {
      const out = cli(c, '--help').stdout;
      expect(out, c).toMatch(/--before default-reset\|no-reset\|manual/);
      expect(out, c).toMatch(/hold FLASH and tap RST/);
      expect(out, c).toMatch(/--no-stub/);
    }
    expect(cli('inspect', '--help').stdout).not.toMatch(/Board options/);
    expect(cli('mqtt-check', '--help').stdout).not.toMatch(/Board options/);
  });

  it('usage and setup errors exit 2 across commands', () => {
    expect(cli('detect').code).toBe(2); // no --port
    expect(cli('backup', '--bogus').code).toBe(2); // unknown option
    expect(cli('detect', '--port', '/dev/ttyNOSUCHPORT0').code).toBe(2); // port missing
    const missing = cli('restore', '--port', 'virtual:good', '--image', path.join(home, 'none.bin'), '--yes');
    expect(missing.code, missing.stderr).toBe(2);
    expect(cli('inspect', path.join(home, 'none.bin')).code).toBe(2);
    expect(cli('verify', '--port', 'virtual:good', '--image', path.join(home, 'none.bin')).code).toBe(2);
  });

  it('a file that is empty or does not fit the board is a usage error (exit 2), nothing written', async () => {
    const { demo } = await import('../support/boards.js');
    const empty = path.join(home, 'empty.bin');
    fs.writeFileSync(empty, Buffer.alloc(0));
    const e = cli('write', '--port', 'virtual:good', '--json', '0x0', empty);
    expect(e.code, e.stderr).toBe(2);
    expect(JSON.parse(e.stdout)).toMatchObject({ error: { code: 'FILE_TRUNCATED' } });
    // A real image from an 8 MB board onto the 4 MB demo board.
    const big = path.join(home, 'eight-mb.bin');
    fs.writeFileSync(big, Buffer.concat([demo.good, Buffer.alloc(4 << 20, 0xff)]));
    const r = cli('restore', '--port', 'virtual:good', '--image', big, '--yes', '--no-backup', '--json');
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'IMAGE_TOO_BIG' } });
    expect(r.stderr).toMatch(/nothing was written/);
  });

  it('a header flag that names no mode, size or frequency is refused before the board is touched (exit 2)', () => {
    const file = path.join(home, 'flags.bin');
    fs.writeFileSync(file, new Uint8Array(16).fill(0xe9));
    for (const [flag, value, says] of [
      ['--flash-mode', 'xyz', /--flash-mode xyz is not one of keep, qio, qout, dio, dout/],
      ['--flash-freq', '99m', /--flash-freq 99m is not one of keep, 40m, 26m, 20m, 80m/],
      ['--flash-size', '3MB', /--flash-size 3mb is not a flash size/],
    ] as const) {
      for (const cmd of ['write', 'verify']) {
        const r = cli(cmd, '--port', 'virtual:nope', '0x0', file, flag, value);
        expect(r.code, `${cmd} ${flag} ${value}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(says);
      }
    }
  });

  it('a failed operation exits 1: verify finds a difference', () => {
    const img = path.join(home, 'ones.bin');
    fs.writeFileSync(img, Buffer.alloc(4096, 0x5a));
    const r = cli('verify', '--port', 'virtual:good', '--image', img, '--offset', '0x300000');
    expect(r.stderr).toMatch(/differs/);
    expect(r.code).toBe(1);
  });

  it('--baud 0 and --baud 1 are usage errors naming the valid range, not ignored or "use a lower --baud"', () => {
    for (const b of ['0', '1', '99999999']) {
      const r = cli('detect', '--port', 'virtual:good', '--baud', b);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/valid: 9600–4000000/);
      expect(r.stderr).toMatch(/921600, 460800, 230400, 115200/);
      expect(r.stderr).not.toMatch(/lower --baud/);
    }
  });

  it('a regular file or a directory as --port says so, without USB-cable advice (exit 2)', () => {
    const file = path.join(home, 'dump.bin');
    fs.writeFileSync(file, Buffer.alloc(16));
    const f = cli('detect', '--port', file);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/is a regular file, not a serial port/);
    expect(f.stderr).not.toMatch(/cable|GPIO15/);
    const d = cli('detect', '--port', home);
    expect(d.stderr).toMatch(/is a directory, not a serial port/);
  });

  it('a directory as --image says "is a directory", not "No such image file"', () => {
    const r = cli('verify', '--port', 'virtual:good', '--image', home);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a directory, not an image file/);
    expect(r.stderr).not.toMatch(/No such image file/);
  });

  it('a silent TCP bridge gets bridge advice, not "check the USB cable"/"GPIO15" (exit 1)', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s)); // accepts and never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await cliAsync('detect', '--port', `socket://127.0.0.1:${port}`);
      expect(r.stderr).toMatch(/did not answer at all/);
      expect(r.stderr).toMatch(/bridge at socket:\/\/127\.0\.0\.1/);
      expect(r.stderr).not.toMatch(/USB cable|GPIO15/);
      expect(r.code).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  }, 120_000);
});
