/**
 * The rescue story through the real CLI (`node bin/flashback.mjs`, as `npx flashback` runs it), one
 * process per command, the demo boards persisting their flash between runs in FLASHBACK_HOME.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, useTempHome } from '../support/home.js';
import { runCli } from '../support/run-cli.js';

const home = useTempHome('flashback-cli-');

const cli = (...args: string[]) => runCli(home, ...args);

describe('flashback CLI: detect → backup → compare → restore → verify', () => {
  it('detect --json gives the contract keys', () => {
    const r = cli('detect', '--port', 'virtual:good', '--json');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      chip: 'ESP8266EX',
      mac: '18:fe:34:a1:b2:01',
      crystalMHz: 26,
      port: 'virtual:good',
      bridge: 'virtual',
    });
    expect(r.json?.flash).toMatchObject({ manufacturer: 'Winbond', jedecId: 0x1640ef, size: 4194304 });
  });

  let goodId = '';
  it('backs up the good board into the library', () => {
    const r = cli('backup', '--port', 'virtual:good', '--label', 'donor', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ size: 4194304 });
    expect(Number(r.json?.bytesRead)).toBeLessThan(1048576);
    goodId = String(r.json?.libraryId);
    expect(goodId).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.existsSync(path.join(home, 'library', `${goodId}.bin`))).toBe(true);
  });

  it('compare of the two live boards points at the RF calibration sector', () => {
    const r = cli('compare', 'virtual:good', 'virtual:bad', '--json');
    expect(r.code, r.stderr).toBe(0);
    const sectors = r.json?.sectors as string[];
    expect(sectors[0x3fc000 / 4096]).toBe('diff');
    const findings = r.json?.findings as Array<{ severity: string; message: string }>;
    expect(
      findings
        .filter((f) => f.severity === 'suspicious')
        .map((f) => f.message)
        .join(' '),
    ).toMatch(/RF|init/i);
  });

  it('the MQTT check fails on the bad board before the restore (rc=-2, host probe fine)', () => {
    const r = cli('mqtt-check', '--port', 'virtual:bad', '--json');
    expect(r.code, r.stderr).toBe(1);
    expect(r.json?.verdict).toBe('fail');
    expect((r.json?.board as { rcCodes: number[] }).rcCodes).toContain(-2);
    expect((r.json?.hostProbe as { ok: boolean }).ok).toBe(true);
    expect(JSON.stringify(r.json?.diagnosis)).toMatch(/restore|init data/i);
  });

  it('restore --dry-run shows the plan and writes nothing', () => {
    const r = cli('restore', '--port', 'virtual:bad', '--image', goodId.slice(0, 10), '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.dryRun).toBe(true);
    expect(r.stderr).toMatch(/Restore plan/);
    expect(fs.existsSync(path.join(home, 'virtual', 'bad.bin'))).toBe(false);
  });

  it('restores the good image onto the bad board, backing the bad board up first', () => {
    const r = cli('restore', '--port', 'virtual:bad', '--image', goodId.slice(0, 10), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.verified).toBe(true);
    expect(r.json?.backupId).toMatch(/^[0-9a-f]{64}$/);
    expect((r.json?.written as { sectors: number }).sectors).toBeGreaterThan(0);
    expect((r.json?.written as { sectors: number }).sectors).toBeLessThan(8);
  });

  it('the restored board persists: verify in a new process matches', () => {
    const r = cli('verify', '--port', 'virtual:bad', '--image', goodId.slice(0, 10), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.verified).toBe(true);
  });

  it('the MQTT check passes on the bad board after the restore', () => {
    const r = cli('mqtt-check', '--port', 'virtual:bad', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.verdict).toBe('pass');
    expect((r.json?.board as { connected: boolean }).connected).toBe(true);
  });

  it('a second restore has nothing to write', () => {
    const r = cli('restore', '--port', 'virtual:bad', '--image', goodId.slice(0, 10), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((r.json?.written as { sectors: number }).sectors).toBe(0);
  });

  it('writes esp_init_data_default.bin at size-0x4000 only past the warning that this Arduino board keeps RF calibration there', () => {
    const args = [
      'write',
      '--port',
      'virtual:good',
      '--offset',
      '0x3fc000',
      path.join(FIXTURES, 'esp_init_data_default_v08.bin'),
    ];
    const no = cli(...args);
    expect(no.code).not.toBe(0);
    expect(no.stdout).toMatch(/Arduino core.*RF calibration/);
    expect(no.stderr).toMatch(/nothing was written.*--yes/);
    const r = cli(...args, '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ verified: true, offset: 0x3fc000, size: 128 });
  });

  it('a smaller image asks for confirmation (refused without --yes off a TTY) and writes only its length', () => {
    const small = path.join(home, 'small.bin');
    const img = fs.readFileSync(path.join(home, 'library', `${goodId}.bin`)).subarray(0, 1024 * 1024);
    fs.writeFileSync(small, img);
    const no = cli('restore', '--port', 'virtual:good', '--image', small, '--no-backup');
    expect(no.code).not.toBe(0);
    expect(no.stdout).toMatch(/smaller than the flash/);
    expect(no.stderr).toMatch(/nothing was written.*--yes/);
    const yes = cli('restore', '--port', 'virtual:good', '--image', small, '--no-backup', '--yes', '--json');
    expect(yes.code, yes.stderr).toBe(0);
    expect((yes.json?.plan as { writeSectors: number[] }).writeSectors.every((s) => s < 256)).toBe(true);
  });

  it('fails with one clear line and a non-zero code on bad input', () => {
    const noFile = cli('restore', '--port', 'virtual:bad', '--image', '/nonexistent/x.bin');
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr.trim().split('\n')).toHaveLength(1);
    expect(noFile.stderr).toMatch(/No such image file.*—/);
    const badPort = cli('detect', '--port', 'virtual:nosuch');
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr).toMatch(/virtual:good/);
    const tooBig = path.join(home, 'big.bin');
    const eight = Buffer.alloc(8 * 1024 * 1024, 0xff);
    fs.readFileSync(path.join(home, 'library', `${goodId}.bin`)).copy(eight);
    fs.writeFileSync(tooBig, eight);
    const big = cli('restore', '--port', 'virtual:bad', '--image', tooBig);
    expect(big.code).not.toBe(0);
    expect(big.stderr).toMatch(/flash is 4194304 bytes; nothing was written/);
  });
});
