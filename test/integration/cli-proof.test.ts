/**
 * The proofs as the user meets them, through the real CLI against a virtual board served on TCP with a
 * host → board fault aimed at one command header: a write whose FLASH_DEFL_BEGIN offset is damaged on
 * the line lands elsewhere, and `write --no-backup` must still say so (the whole chip is audited), never
 * "verified".
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { runCliAsync } from '../support/run-cli.js';

const home = useTempHome('flashback-cliproof-');
const { VirtualBoard, startSimServer, parseFaults } = await import('../../main/sim/index.js');
const { demo, md5 } = await import('../support/boards.js');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function servedBoard(flash: Uint8Array, faults: string[] = []) {
  const board = new VirtualBoard({
    flash: Uint8Array.from(flash),
    mac: '18:fe:34:5a:22:01',
    bootMode: 'download',
    pace: false,
    faults: parseFaults(faults),
  });
  const server = await startSimServer(board);
  cleanups.push(() => board.close());
  cleanups.push(() => server.close());
  return { board, port: `socket://127.0.0.1:${server.port}` };
}

const cli = (...args: string[]) => runCliAsync(home, ...args, '--before', 'no-reset', '--after', 'no-reset');

describe('write --no-backup: nothing outside the plan changes unnoticed', () => {
  it('a FLASH_DEFL_BEGIN offset flipped on the line is reported as OUTSIDE_PLAN_CHANGED, not verified', async () => {
    // Byte 14 = bits 16–23 of the offset: 0x100000 ^ 0x100000 puts the data at 0x0 (boot loader, sketch).
    const { board, port } = await servedBoard(demo.good, ['header:FLASH_DEFL_BEGIN:14:1:0x10']);
    const file = path.join(home, 'data.bin');
    const data = new Uint8Array(0x20000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0x3f; // compressible: FLASH_DEFL_*
    fs.writeFileSync(file, data);
    const r = await cli('write', '--port', port, '--no-backup', '0x100000', file);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/outside the plan changed/);
    expect(r.stderr).toMatch(/0x0\b/);
    expect(r.stdout).not.toMatch(/verified|nothing outside the plan changed/);
    // The damage is real (the write landed at 0x0): the point is that it is reported.
    const after = board.flash.snapshot();
    expect(md5(after.subarray(0, 0x20000))).not.toBe(md5(demo.good.subarray(0, 0x20000)));
  }, 120_000);

  it('without a fault it says the whole chip was audited and nothing outside the plan changed', async () => {
    const { board, port } = await servedBoard(demo.good);
    const file = path.join(home, 'init.bin');
    fs.writeFileSync(file, new Uint8Array(0x1000).fill(0x5a));
    const r = await cli('write', '--port', port, '--no-backup', '0x3fc000', file);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/whole chip was audited afterwards: nothing outside the plan changed/);
    const expected = Uint8Array.from(demo.good);
    expected.fill(0x5a, 0x3fc000, 0x3fd000);
    expect(md5(board.flash.snapshot())).toBe(md5(expected));
  }, 120_000);
});
