import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identifyFile } from '../../main/image/firmware-id.js';
import { parseImage } from '../../main/image/header.js';
import { inspectImage } from '../../main/image/inspect.js';
import { checkFit, type FitFile } from '../../main/image/write-fit.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import {
  arduinoBin,
  arduinoCore3Bin,
  bootV1,
  micropythonRelease,
  nodemcuRelease,
  sdkAppAtZero,
  tasmotaRelease,
  userBin,
} from '../support/firmware-files.js';
import { FIXTURES } from '../support/home.js';

const MB = 1024 * 1024;
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));

describe('identifyFile: what each file is', () => {
  const table: [string, () => Uint8Array, string, Record<string, unknown>][] = [
    [
      'Arduino eboot + sketch',
      () => arduinoBin(),
      'arduino',
      { firmware: 'arduino', headerFlashSize: 4 * MB },
    ],
    [
      'Tasmota build',
      () => arduinoBin({ banner: 'Tasmota %s by Theo Arends' }),
      'arduino',
      { firmware: 'tasmota' },
    ],
    [
      'ESPHome build',
      () => arduinoBin({ banner: 'ESPHome version %s compiled on %s' }),
      'arduino',
      { firmware: 'esphome' },
    ],
    ['boot_v1.7', bootV1, 'nonos-boot', { firmware: 'nonos-sdk' }],
    ['user1.bin', () => userBin(1), 'nonos-user', { slot: 'user1' }],
    ['user2.bin', () => userBin(2), 'nonos-user', { slot: 'user2' }],
    [
      'NodeMCU',
      () => sdkAppAtZero({ banner: 'NodeMCU 2.2.1 build unspecified' }),
      'nonos-app',
      { firmware: 'nodemcu' },
    ],
    [
      'MicroPython',
      () => sdkAppAtZero({ banner: 'MicroPython v1.22.0 on 2024-01-05' }),
      'nonos-app',
      { firmware: 'micropython' },
    ],
    ['plain SDK app', () => sdkAppAtZero(), 'nonos-app', { firmware: 'nonos-sdk' }],
    [
      'Espressif init data v08',
      () => fixture('esp_init_data_default_v08.bin'),
      'rf-init-data',
      { espressifInitData: 'v08' },
    ],
    [
      'Espressif init data v05',
      () => fixture('esp_init_data_default_v05.bin'),
      'rf-init-data',
      { espressifInitData: 'v05' },
    ],
    ['blank.bin', () => fixture('blank.bin'), 'blank', {}],
    [
      'whole-flash dump (Arduino)',
      () => buildDemoImage('good', MB),
      'full-dump',
      { firmware: 'arduino', headerFlashSize: MB },
    ],
    ['raw data', () => new Uint8Array(300).fill(0x42), 'raw', { firmware: 'unknown' }],
    // Release shapes as their build tools write them.
    [
      'Arduino core 3.x build (CRC written at 0x1010 after the checksum)',
      () => arduinoCore3Bin(),
      'arduino',
      { firmware: 'arduino', headerFlashSize: 4 * MB },
    ],
    [
      'tasmota.bin (1 MB, DOUT, CRC at 0xFF8)',
      tasmotaRelease,
      'arduino',
      { firmware: 'tasmota', headerFlashSize: MB },
    ],
    ['tasmota.bin.gz (OTA file)', () => gzipSync(tasmotaRelease()), 'raw', { compressed: 'gzip' }],
    [
      'NodeMCU combined release (IROM at 0x10000)',
      nodemcuRelease,
      'nonos-app',
      { firmware: 'nodemcu', headerFlashSize: 4 * MB },
    ],
    [
      'MicroPython firmware-combined.bin (size word at 0x8FFC, IROM at 0x9000, MD5 trailer)',
      () => micropythonRelease(),
      'nonos-app',
      { firmware: 'micropython', headerFlashSize: 4 * MB },
    ],
  ];
  it.each(table)('%s', (_name, make, kind, extra) => {
    const id = identifyFile(make());
    expect(id.kind).toBe(kind);
    expect(id).toMatchObject(extra);
    expect(id.evidence.length).toBeGreaterThan(0);
  });

  it('the synthetic images parse as the format says (V1 / V2 with a valid CRC)', () => {
    const u = parseImage(userBin(1));
    expect(u.ok && u.header.format === 'v2' && u.header.crc32?.ok).toBe(true);
    const b = parseImage(bootV1());
    expect(b.ok && b.header.checksum.ok).toBe(true);
  });

  it('init data that is not Espressif’s exact file is still init data, but not called Espressif’s', () => {
    const d = fixture('esp_init_data_default_v08.bin');
    d[107] = 0xff;
    expect(identifyFile(d)).toMatchObject({ kind: 'rf-init-data', espressifInitData: null });
  });

  it('falls back to the file name only where the bytes leave the slot open', () => {
    const neutral = userBin(1);
    // Literals in neither window: the name decides.
    const p = parseImage(neutral);
    if (!p.ok) throw new Error('bad fixture');
    const seg = p.header.segments[0]!;
    neutral.fill(0x11, seg.dataOffset, seg.dataOffset + seg.length);
    expect(identifyFile(neutral, 'user2.bin').slot).toBe('user2');
    expect(identifyFile(userBin(1), 'user2.bin').slot).toBe('user1'); // the code wins over the name
  });
});

describe('checkFit: warnings before writing', () => {
  const file = (address: number, bytes: Uint8Array, name: string): FitFile => ({
    address,
    name,
    identity: identifyFile(bytes, name),
  });
  const board = (flashSize: number, factoryRule: 'arduino' | 'nonos' | 'unknown' = 'unknown') => ({
    flashSize,
    bootAtZero: null,
    factoryRule,
  });
  const codes = (files: FitFile[], b = board(MB)) => checkFit(files, b).map((w) => w.code);

  it('a build for 4 MB on a 1 MB ESP-01 (header bigger than the chip)', () => {
    const w = checkFit([file(0, arduinoBin({ flashSize: 4 * MB }), 'sketch.bin')], board(MB));
    expect(w.map((x) => x.code)).toEqual(['BIGGER_FLASH']);
    // An Arduino-core build's EEPROM and file system are linked for 4 MB: a header patch does not fix it.
    expect(w[0]?.message).toMatch(/built for 4MB.*chip has 1MB.*Use a build for 1MB/);
    expect(w[0]?.message).not.toMatch(/--flash-size detect/);
    const nodemcu = checkFit([file(0, nodemcuRelease(), 'nodemcu.bin')], board(MB));
    expect(nodemcu.map((x) => x.code)).toEqual(['BIGGER_FLASH']);
    expect(nodemcu[0]?.message).toMatch(/--flash-size detect/);
  });

  it('a file that is not an image at 0x0, and an OTA .gz anywhere', () => {
    const raw = checkFit([file(0, new Uint8Array(300).fill(0x42), 'data.bin')], board(MB));
    expect(raw.map((x) => x.code)).toEqual(['NOT_AN_IMAGE']);
    expect(raw[0]?.message).toMatch(/will not boot/);
    expect(codes([file(0x10000, new Uint8Array(300).fill(0x42), 'data.bin')])).toEqual([]);
    const gz = gzipSync(tasmotaRelease());
    expect(codes([file(0, gz, 'tasmota.bin.gz')])).toEqual(['NOT_AN_IMAGE']);
    expect(checkFit([file(0x1000, gz, 'tasmota.bin.gz')], board(MB))[0]?.message).toMatch(/uncompressed/);
  });

  it('a firmware whose factory data lives elsewhere than the board’s current one', () => {
    const tas = { ...file(0, tasmotaRelease(), 'tasmota.bin'), size: tasmotaRelease().length };
    const over = (previousFactoryRule: 'arduino' | 'nonos' | 'unknown') =>
      checkFit([tas], { ...board(MB, 'arduino'), previousFactoryRule }).map((w) => w.code);
    expect(over('nonos')).toEqual(['FACTORY_LAYOUT_CHANGE']);
    expect(over('arduino')).toEqual([]);
    expect(over('unknown')).toEqual([]);
  });

  it('a --flash-size bigger than the chip is blamed on the option, not on the build', () => {
    const patched = { ...file(0, tasmotaRelease(), 'tasmota.bin'), headerFlashSize: 4 * MB };
    const w = checkFit([patched], board(MB));
    expect(w.map((x) => x.code)).toEqual(['BIGGER_FLASH']);
    expect(w[0]?.message).toMatch(
      /--flash-size sets tasmota.bin's header to 4MB.*keep \(the file says 1MB\)/,
    );
    expect(w[0]?.message).not.toMatch(/built for/);
  });

  it('Tasmota’s 1 MB release on a 4 MB board: only the soft size note', () => {
    expect(codes([file(0, tasmotaRelease(), 'tasmota.bin')], board(4 * MB, 'arduino'))).toEqual([
      'HEADER_SIZE_MISMATCH',
    ]);
  });

  it('a header smaller than the chip is a softer mismatch; the patched size counts', () => {
    expect(codes([file(0, arduinoBin({ flashSize: MB }), 'a.bin')], board(4 * MB))).toEqual([
      'HEADER_SIZE_MISMATCH',
    ]);
    expect(
      checkFit(
        [{ ...file(0, arduinoBin({ flashSize: MB }), 'a.bin'), headerFlashSize: 4 * MB }],
        board(4 * MB),
      ),
    ).toEqual([]);
  });

  it('user2 at 0x1000 is the wrong slot; user1 at 0x1000 with boot_v1.x at 0x0 is fine', () => {
    // boot_v1.7.bin's own header says 512KB; written with --flash-size 1MB (as the SDK says) it fits.
    const boot = { ...file(0, bootV1(), 'boot_v1.7.bin'), headerFlashSize: MB };
    const loose = checkFit([file(0, bootV1(), 'boot_v1.7.bin')], board(MB));
    expect(loose.map((x) => x.code)).toEqual(['HEADER_SIZE_MISMATCH']);
    expect(loose[0]?.message).toMatch(/--flash-size 1MB/);
    expect(loose[0]?.message).not.toMatch(/Arduino/);
    expect(codes([boot, file(0x1000, userBin(2), 'user2.bin')])).toEqual(['WRONG_SLOT']);
    expect(codes([boot, file(0x1000, userBin(1), 'user1.bin')])).toEqual([]);
    expect(codes([boot, file(0x81000, userBin(1), 'user1.bin')])).toEqual(['WRONG_SLOT']);
  });

  it('a V2 image at 0x0, and a user1 without a boot loader on the board or in the write', () => {
    expect(codes([file(0, userBin(1), 'user1.bin')])).toContain('V2_AT_ZERO');
    expect(codes([file(0x1000, userBin(1), 'user1.bin')])).toEqual(['NO_BOOTLOADER']);
    expect(
      checkFit([file(0x1000, userBin(1), 'user1.bin')], { ...board(MB), bootAtZero: identifyFile(bootV1()) }),
    ).toEqual([]);
  });

  it('firmware meant for 0x0 written elsewhere', () => {
    expect(codes([file(0x1000, arduinoBin({ flashSize: MB }), 'sketch.bin')])).toEqual(['WRONG_SLOT']);
  });

  it('init data: right place on a NONOS board, wrong place, and over an Arduino board’s RF calibration', () => {
    const init = fixture('esp_init_data_default_v08.bin');
    expect(codes([file(0xfc000, init, 'esp_init_data_default_v08.bin')], board(MB, 'nonos'))).toEqual([]);
    const wrong = checkFit([file(0x3fc000 - 0x300000, init, 'init.bin')], board(4 * MB, 'nonos'));
    expect(wrong[0]).toMatchObject({ code: 'INIT_DATA_ADDRESS', message: expect.stringMatching(/0x3FC000/) });
    expect(codes([file(0x3fc000, init, 'init.bin')], board(4 * MB, 'arduino'))).toEqual([
      'INIT_DATA_ON_ARDUINO',
    ]);
  });
});

describe('checkFit: ESP8285 flash mode', () => {
  const board = { flashSize: MB, bootAtZero: null, factoryRule: 'unknown' as const, chip: 'ESP8285' };
  const sketch = (flashMode: string) => ({
    address: 0,
    name: 'sketch.bin',
    identity: identifyFile(arduinoBin({ flashSize: MB })),
    flashMode,
  });
  it('warns that a QIO header will not boot on an ESP8285, and not for DOUT or on an ESP8266EX', () => {
    expect(checkFit([sketch('qio')], board).map((w) => w.code)).toEqual(['ESP8285_FLASH_MODE']);
    expect(checkFit([sketch('dout')], board)).toEqual([]);
    expect(checkFit([sketch('qio')], { ...board, chip: 'ESP8266EX' })).toEqual([]);
  });
});

describe('inspect on an Arduino-core 1 MB dump', () => {
  it('does not claim corrupt RF init data, whatever S−0x4000 holds (byte 0 = 0x00 as in real dumps)', async () => {
    const dump = buildDemoImage('good', MB);
    expect(dump[0xfc000]).toBe(0x00);
    const r = await inspectImage(dump);
    expect(r.family).toBe('arduino');
    expect(r.rfInitData).toBeNull();
    expect(r.rfCal).toMatchObject({ offset: 0xfc000, state: 'data' });
    expect(JSON.stringify(r)).not.toMatch(/corrupt/i);
  });

  it('names an ESPHome product inside an Arduino structure', async () => {
    const dump = buildDemoImage('good', MB);
    dump.set(new TextEncoder().encode('ESPHome version %s'), 0x3000);
    expect((await inspectImage(dump)).family).toBe('esphome');
  });
});

describe('inspect on release files and NONOS whole flashes: each by its own layout', () => {
  it('a MicroPython release: IROM from 0x9000 (length at 0x8FFC), no end-of-flash sectors invented', async () => {
    const file = micropythonRelease();
    const r = await inspectImage(file, 'ESP8266_GENERIC-v1.22.2.bin');
    expect(r.identity).toMatchObject({ kind: 'nonos-app', firmware: 'micropython' });
    expect(r.regions.find((x) => x.name === 'irom0')).toMatchObject({ start: 0x9000 });
    // A firmware file has no RF data or WiFi sectors: none placed at its length − 0x4000.
    expect(r.regions.map((x) => x.kind)).not.toContain('rf-init');
    expect(r.regions.map((x) => x.kind)).not.toContain('rf-cal');
    expect(Math.max(...r.regions.map((x) => x.start + x.size))).toBeLessThanOrEqual(file.length);
    expect(r.rfInitData).toBeNull();
  });

  it('says what a file that has no layout is (boot_v1.x, user2, init data, a .gz)', async () => {
    expect((await inspectImage(bootV1(), 'boot_v1.7.bin')).identity.kind).toBe('nonos-boot');
    expect((await inspectImage(userBin(2), 'user2.bin')).identity).toMatchObject({ slot: 'user2' });
    expect((await inspectImage(fixture('esp_init_data_default_v08.bin'))).identity.espressifInitData).toBe(
      'v08',
    );
    expect((await inspectImage(gzipSync(tasmotaRelease()))).identity.compressed).toBe('gzip');
  });

  it('a 1 MB NONOS FOTA flash (boot_v1.x, user1, user2, init data): slots named, init data judged', async () => {
    const flash = new Uint8Array(MB).fill(0xff);
    flash.set(bootV1(), 0);
    flash[3] = 0x20; // written with --flash-size 1MB, as Espressif's tool does
    flash.set(userBin(1, MB), 0x1000);
    flash.set(userBin(2, MB), 0x81000);
    flash.set(fixture('esp_init_data_default_v08.bin'), 0xfc000);
    const r = await inspectImage(flash);
    const named = Object.fromEntries(r.regions.map((x) => [x.name, x.start]));
    expect(named).toMatchObject({ boot: 0, user1: 0x1000, user2: 0x81000, 'rf-init': 0xfc000 });
    expect(r.rfInitData).toMatchObject({ offset: 0xfc000, state: 'valid' });
  });
});
