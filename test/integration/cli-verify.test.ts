/**
 * `flashback verify` takes what `flashback write` takes — ADDRESS FILE pairs and the header flags — so a
 * write verifies as written (real CLI, one process per command, a demo board persisted in
 * FLASHBACK_HOME).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arduinoBin } from '../support/firmware-files.js';
import { FIXTURES, useTempHome } from '../support/home.js';
import { runCli } from '../support/run-cli.js';

const home = useTempHome('flashback-cliv-');
const cli = (...args: string[]) => runCli(home, ...args);
const PORT = 'virtual:good';

interface FileResult {
  address: number;
  name: string;
  verified: boolean;
  diffSectors: number[];
  firstDiff: number | null;
}

describe('flashback verify ADDR FILE … (the pairs and flags of write)', () => {
  const sketch = path.join(home, 'sketch.bin');
  const blank = path.join(FIXTURES, 'blank.bin');

  it('pairs written by `write` verify, each file by name', () => {
    fs.writeFileSync(sketch, arduinoBin({ flashSize: 4 * 1024 * 1024, banner: 'pairs' }));
    const w = cli('write', '--port', PORT, '0x0', sketch, '0x3fe000', blank, '--no-backup', '--json');
    expect(w.code, w.stderr).toBe(0);
    const r = cli('verify', '--port', PORT, '0x0', sketch, '0x3fe000', blank, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.verified).toBe(true);
    const files = r.json?.files as FileResult[];
    expect(files.map((f) => [f.address, f.name, f.verified])).toEqual([
      [0, 'sketch.bin', true],
      [0x3fe000, 'blank.bin', true],
    ]);
    const text = cli('verify', '--port', PORT, '0x0', sketch, '0x3fe000', blank);
    expect(text.stdout).toMatch(/Flash matches sketch\.bin at 0x0/);
    expect(text.stdout).toMatch(/Flash matches blank\.bin at 0x3fe000/);
  });

  it('a real difference is reported with its file, sector and first byte (exit 1)', () => {
    const changed = new Uint8Array(fs.readFileSync(sketch));
    changed[0x2345] = changed[0x2345]! ^ 0xff;
    const other = path.join(home, 'sketch-changed.bin');
    fs.writeFileSync(other, changed);
    const r = cli('verify', '--port', PORT, '0x0', other, '0x3fe000', blank, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sketch-changed\.bin at 0x0 differs in 1 sector\(s\) \(0x2000\)/);
    expect(r.stderr).toMatch(/first differing byte at 0x2345/);
    // --json: one document, the error, whose details are the whole result.
    const details = (r.json?.error as { details: { files: FileResult[] } }).details;
    const files = details.files;
    expect(files.find((f) => f.name === 'blank.bin')?.verified).toBe(true);
    expect(files.find((f) => f.name === 'sketch-changed.bin')).toMatchObject({
      verified: false,
      diffSectors: [0x2000],
      firstDiff: 0x2345,
    });
  });

  it('after `write --flash-size detect`, verify with the same flag matches; without it, sector 0 differs', () => {
    // Built for 1 MB; the board has 4 MB: `detect` rewrites header byte 3 as esptool does.
    const small = path.join(home, 'sketch-1mb.bin');
    fs.writeFileSync(small, arduinoBin({ flashSize: 1024 * 1024, banner: 'detect' }));
    const w = cli('write', '--port', PORT, '--flash-size', 'detect', '0x0', small, '--no-backup', '--yes');
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/header bytes 2–3 rewritten/);
    const same = cli('verify', '--port', PORT, '--flash-size', 'detect', '0x0', small, '--json');
    expect(same.code, same.stderr).toBe(0);
    expect((same.json?.files as FileResult[])[0]?.verified).toBe(true);
    const plain = cli('verify', '--port', PORT, '0x0', small);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      /sketch-1mb\.bin at 0x0 differs in 1 sector\(s\) \(0x0\); first differing byte at 0x3\b/,
    );
    // --image takes the flags too.
    const image = cli('verify', '--port', PORT, '--image', small, '--flash-size', '4MB');
    expect(image.code, image.stderr).toBe(0);
  });

  it('refuses odd pair lists and --image with pairs as usage errors', () => {
    expect(cli('verify', '--port', PORT, '0x0').code).toBe(2);
    expect(cli('verify', '--port', PORT).code).toBe(2);
    const both = cli('verify', '--port', PORT, '--image', sketch, '0x0', sketch);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });
});
