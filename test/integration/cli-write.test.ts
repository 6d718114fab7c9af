/**
 * `flashback write` pairs and `backup --size ALL` through the real CLI (one process per command), on a
 * demo board persisted in FLASHBACK_HOME.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arduinoBin } from '../support/firmware-files.js';
import { FIXTURES, useTempHome } from '../support/home.js';
import { runCli } from '../support/run-cli.js';

const home = useTempHome('flashback-cliw-');

const cli = (...args: string[]) => runCli(home, ...args);

describe('flashback write ADDR FILE … and backup --size ALL', () => {
  it('backup --size ALL reads the whole chip', () => {
    const out = path.join(home, 'all.bin');
    const r = cli(
      'backup',
      '--port',
      'virtual:good',
      '--size',
      'ALL',
      '--no-library',
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ size: 4 * 1024 * 1024 });
    expect(fs.statSync(out).size).toBe(4 * 1024 * 1024);
  });

  it('takes esptool pairs, shows the plan with what each file is, and writes only what differs', () => {
    const sketch = path.join(home, 'sketch.bin');
    fs.writeFileSync(sketch, arduinoBin({ flashSize: 4 * 1024 * 1024 }));
    const blank = path.join(FIXTURES, 'blank.bin');
    const dry = cli('write', '--port', 'virtual:good', '0x0', sketch, '0x3fe000', blank, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/0x0 +sketch\.bin .*Arduino firmware \(eboot \+ app\)/);
    expect(dry.stdout).toMatch(/0x3fe000 +blank\.bin .*Blank/);
    expect(dry.stdout).toMatch(/Dry run: nothing was written/);
    const r = cli(
      'write',
      '--port',
      'virtual:good',
      '0x0',
      sketch,
      '0x3fe000',
      blank,
      '--no-backup',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ verified: true });
    const plan = r.json?.plan as { files: { address: number; identity: { kind: string } }[] };
    expect(plan.files.map((f) => [f.address, f.identity.kind])).toEqual([
      [0, 'arduino'],
      [0x3fe000, 'blank'],
    ]);
    const again = cli('write', '--port', 'virtual:good', '0x0', sketch, '0x3fe000', blank, '--json');
    expect((again.json?.written as { sectors: number }).sectors).toBe(0);
  });

  it('stops on a warning without --yes, and refuses odd argument lists with one line', () => {
    const sketch = path.join(home, 'sketch.bin');
    const wrong = cli('write', '--port', 'virtual:good', '0x1000', sketch);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/WARNING .*written at 0x1000/);
    expect(wrong.stderr).toMatch(/nothing was written.*--yes/);
    const odd = cli('write', '--port', 'virtual:good', '0x0');
    expect(odd.code).toBe(2);
    expect(odd.stderr.trim().split('\n')).toHaveLength(1);
    const size = cli('write', '--port', 'virtual:good', '--flash-size', '3MB', '0x0', sketch);
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/--flash-size 3mb is not a flash size/);
  });
});

describe('flashback repair on the demo bad board', () => {
  it('shows which sectors change and that WiFi settings are reset, then cures the board (MQTT check passes)', () => {
    const dry = cli('repair', '--port', 'virtual:bad', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/firmware +arduino: Arduino core/);
    expect(dry.stdout).toMatch(/erase +0x3fc000–0x3fcfff +RF calibration/);
    expect(dry.stdout).toMatch(/changes +3 sector\(s\): 0x3fc000, 0x3fd000, 0x3ff000/);
    expect(dry.stdout).toMatch(/Stored WiFi settings are reset/);
    const no = cli('repair', '--port', 'virtual:bad');
    expect(no.code).not.toBe(0);
    expect(no.stderr).toMatch(/nothing was changed.*--yes/);
    const r = cli('repair', '--port', 'virtual:bad', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ verified: true, changedSectors: [0x3fc, 0x3fd, 0x3ff] });
    expect(r.json?.backupId).toMatch(/^[0-9a-f]{64}$/);
    const check = cli('mqtt-check', '--port', 'virtual:bad', '--json');
    expect(check.code, check.stderr).toBe(0);
    expect(check.json?.verdict).toBe('pass');
  });
});

describe('flashback restore --reset-factory-data', () => {
  it('says in the plan that the donor’s RF calibration and WiFi settings are not copied', () => {
    const donor = path.join(home, 'donor.bin');
    const b = cli('backup', '--port', 'virtual:good', '--no-library', '--out', donor);
    expect(b.code, b.stderr).toBe(0);
    const exact = cli('restore', '--port', 'virtual:bad', '--image', donor, '--dry-run');
    expect(exact.stdout).toMatch(/clone +exact: every sector as in the image/);
    expect(exact.stdout).not.toMatch(/^ +reset +0x/m);
    const r = cli('restore', '--port', 'virtual:bad', '--image', donor, '--reset-factory-data', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/clone +the firmware, with this board's factory data reset/);
    expect(r.stdout).toMatch(
      /RF calibration \(0x3fc000\) and WiFi settings \(0x3fd000–0x3fffff\) are not copied/,
    );
    // Sector by sector, as the workbench's plan lists them: RF_CAL and the system parameters reset.
    expect(r.stdout).toMatch(/^ +reset +0x3fc000–0x3fcfff +erase +\S/m);
    expect(r.stdout).toMatch(/^ +reset +0x3fd000–0x3f[df]fff +erase /m);
    const both = cli(
      'restore',
      '--port',
      'virtual:bad',
      '--image',
      donor,
      '--reset-factory-data',
      '--preserve',
      'sdk-config',
    );
    expect(both.code).toBe(2);
  });
});
