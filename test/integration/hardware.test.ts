/**
 * The same client checks against a real board when FLASHBACK_TEST_PORT names one (e.g.
 * FLASHBACK_TEST_PORT=/dev/ttyUSB0 npm test); skipped with a reason otherwise. Read-only except for one
 * sector that is restored to its previous content.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

const port = process.env.FLASHBACK_TEST_PORT;
if (!port)
  console.warn('hardware: skipped — set FLASHBACK_TEST_PORT to a serial port with an ESP8266 to run it');
useTempHome('flashback-hw-');
const { backupBoard, detectBoard, verifyBoard, writeRegion } = await import('../../main/flash/index.js');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe.skipIf(!port)(`real ESP8266 on ${port ?? '(none)'}`, () => {
  const target = { port: port ?? '' };
  it('detects an ESP8266 with a known flash size', async () => {
    const r = await detectBoard(target);
    expect(['ESP8266EX', 'ESP8285']).toContain(r.chip);
    expect(r.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(r.flash.size).toBeGreaterThan(0);
  });
  it('reads the same first 256 KiB twice and verifies it by MD5', async () => {
    const a = await backupBoard({ ...target, offset: 0, size: 0x40000, library: null });
    const b = await backupBoard({ ...target, offset: 0, size: 0x40000, library: null });
    expect(a.md5).toBe(b.md5);
  });
  it('writes one sector, verifies it, and puts the old content back', async () => {
    const info = await detectBoard(target);
    const at = info.flash.size - 0x6000; // below the SDK sectors, usually FS or free space
    const out = `${process.env.FLASHBACK_HOME}/sector.bin`;
    const before = await backupBoard({ ...target, offset: at, size: 0x1000, out, library: null });
    const pattern = new Uint8Array(0x1000).map((_, i) => (i * 7) & 0xff);
    expect((await writeRegion({ ...target, offset: at }, pattern)).verified).toBe(true);
    expect((await verifyBoard({ ...target, offset: at }, pattern)).verified).toBe(true);
    const old = new Uint8Array(fs.readFileSync(out));
    await writeRegion({ ...target, offset: at }, old);
    const after = await backupBoard({ ...target, offset: at, size: 0x1000, library: null });
    expect(after.md5).toBe(before.md5);
    expect(md5(old)).toBe(before.md5);
  });
});
