import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeFactoryData } from '../../main/image/factory.js';
import { inspectImage } from '../../main/image/inspect.js';
import { defaultRfInitData, judgeRfInit } from '../../main/image/rf-init.js';
import { findWifiCredentials, scrub } from '../../main/image/secrets.js';
import { sizeCode } from '../../main/image/flash-params.js';
import { buildV1Image } from '../../main/image/v1-image.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import { FIXTURES } from '../support/home.js';

const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const reader = (b: Uint8Array) => async (o: number, n: number) => b.slice(o, o + n);
const MB = 1024 * 1024;

/** A NONOS SDK flash: eagle.flash.bin at 0x0, raw irom0 at 0x10000, the SDK tail erased. */
function nonosFlash(size: number): Uint8Array {
  const flash = new Uint8Array(size).fill(0xff);
  flash.set(
    buildV1Image({
      entry: 0x40100004,
      flashMode: 'dio',
      sizeFreq: (sizeCode(size) ?? 2) << 4,
      segments: [{ addr: 0x40100000, data: new Uint8Array(0x800).fill(0x33) }],
    }),
    0,
  );
  flash.fill(0x44, 0x10000, 0x40000);
  return flash;
}

describe('RF init data judgement (notes 5.5)', () => {
  it('accepts both SDK init-data files as valid, 26 MHz', () => {
    for (const name of ['esp_init_data_default_v08.bin', 'esp_init_data_default_v05.bin']) {
      const j = judgeRfInit(fixture(name));
      expect(j.state, name).toBe('valid');
      expect(j.crystalMHz).toBe(26);
      expect(j.calMode).toBe(1);
    }
  });

  it('calls blank.bin blank and explains the boot message', () => {
    const j = judgeRfInit(fixture('blank.bin'));
    expect(j.state).toBe('blank');
    expect(j.explanation).toMatch(/rf_cal\[0\] !=0x05,is 0xFF/);
  });

  it('calls byte 0 ≠ 0x05 corrupt and says why', () => {
    const d = fixture('esp_init_data_default_v08.bin');
    d[0] = 0x04;
    const j = judgeRfInit(d);
    expect(j.state).toBe('corrupt');
    expect(j.explanation).toMatch(/byte 0 is 0x04, not 0x05/);
  });

  it('builds defaults that agree with the SDK file in every field the notes define', () => {
    const ours = defaultRfInitData();
    const sdk = fixture('esp_init_data_default_v08.bin');
    expect(ours.length).toBe(128);
    for (const i of [0, 1, 34, 35, 36, 37, 38, 39, 48, 114]) expect(ours[i], `byte ${i}`).toBe(sdk[i]);
  });
});

describe('factory data of a whole flash', () => {
  it('judges the real SDK init data placed at S−0x4000 of a 1 MB NONOS flash', async () => {
    const flash = nonosFlash(MB);
    flash.set(fixture('esp_init_data_default_v08.bin'), 0xfc000);
    const r = await judgeFactoryData(reader(flash), MB);
    expect(r.rule).toBe('nonos');
    expect(r.rfInitData).toMatchObject({ state: 'valid', offset: 0xfc000, crystalMHz: 26 });
    expect(r.rfCal).toMatchObject({ offset: 0xfb000, state: 'blank' });
  });

  it('calls NONOS init data with byte 0 = 0x00 corrupt, and blank init data blank', async () => {
    const flash = nonosFlash(MB);
    flash.fill(0, 0xfc000, 0xfc040);
    expect((await judgeFactoryData(reader(flash), MB)).rfInitData).toMatchObject({
      state: 'corrupt',
      magic: 0,
    });
    expect((await judgeFactoryData(reader(nonosFlash(MB)), MB)).rfInitData?.state).toBe('blank');
  });

  it('never calls an Arduino-core S−0x4000 sector (RF calibration) corrupt, whatever it holds', async () => {
    for (const profile of ['good', 'bad'] as const) {
      const r = await judgeFactoryData(reader(buildDemoImage(profile, MB)), MB);
      expect(r.rule).toBe('arduino');
      expect(r.rfInitData).toBeNull();
      expect(r.rfCal).toMatchObject({ offset: 0xfc000, state: 'data' });
      expect(r.rfCal?.explanation).toMatch(/any content is legitimate/);
      expect(JSON.stringify(r)).not.toMatch(/corrupt/);
    }
  });

  it('does not judge factory data of an unrecognised firmware', async () => {
    const flash = new Uint8Array(MB).fill(0x42);
    const r = await judgeFactoryData(reader(flash), MB);
    expect(r).toMatchObject({ rule: 'unknown', rfInitData: null, rfCal: null });
  });

  it('reports the demo boards: RF calibration present, system params valid, SSID but never the password', async () => {
    const good = await judgeFactoryData(reader(buildDemoImage('good')), 4 * MB);
    const bad = await judgeFactoryData(reader(buildDemoImage('bad')), 4 * MB);
    expect(good.rfCal).toMatchObject({ state: 'data', offset: 0x3fc000 });
    expect(bad.rfCal).toMatchObject({ state: 'data', offset: 0x3fc000 });
    expect(good.sysParams).toMatchObject({ state: 'valid', current: 0 });
    expect(good.wifiCredentials).toMatchObject({ present: true, ssid: 'FlashbackLab', passwordStored: true });
    expect(JSON.stringify(good)).not.toContain('demo-password-123');
  });

  it('sees blank system params after blank.bin is written over them', async () => {
    const flash = buildDemoImage('good');
    for (const at of [0x3fd000, 0x3fe000, 0x3ff000]) flash.set(fixture('blank.bin'), at);
    const r = await judgeFactoryData(reader(flash), 4 * MB);
    expect(r.sysParams.state).toBe('blank');
    expect(r.wifiCredentials.present).toBe(false);
  });

  it('flags a flag sector that points at an empty data sector', async () => {
    const flash = buildDemoImage('good');
    flash[0x3ff000] = 1; // selects S−0x2000, which is erased
    expect((await judgeFactoryData(reader(flash), 4 * MB)).sysParams.state).toBe('inconsistent');
  });
});

describe('secrets', () => {
  it('scrub blanks the system-param data sectors, keeps the flag sector, and leaves the input alone', async () => {
    const flash = buildDemoImage('good');
    const { bytes, blanked } = scrub(flash);
    expect(blanked).toEqual([0x3fd000]);
    expect(Buffer.from(bytes).includes('demo-password-123')).toBe(false);
    expect(Buffer.from(flash).includes('demo-password-123')).toBe(true);
    expect(bytes[0x3ff000]).toBe(0);
    expect((await findWifiCredentials(reader(bytes), bytes.length)).present).toBe(false);
    const diff = bytes.findIndex((b, i) => b !== flash[i] && (i < 0x3fd000 || i >= 0x3ff000));
    expect(diff).toBe(-1);
  });
});

describe('inspectImage', () => {
  it('gives the DESIGN.md inspect keys for the bad demo board', async () => {
    const r = await inspectImage(buildDemoImage('bad'));
    expect(r.header).toMatchObject({
      magic: 0xe9,
      flashMode: 'qio',
      flashSize: 4 * MB,
      flashFreq: '40m',
      checksumOk: true,
    });
    expect(r.header?.segments.length).toBe(2);
    expect(r.app?.segments[0]?.addr).toBe(0x40201010);
    expect(r.family).toBe('arduino');
    expect(r.factoryRule).toBe('arduino');
    expect(r.regions.find((x) => x.start === 0x3fc000)).toMatchObject({ name: 'rf-cal', state: 'data' });
    expect(r.regions.find((x) => x.name === 'rf-init')).toBeUndefined();
    expect(r.regions.find((x) => x.name === 'ota')?.state).toBe('blank');
    expect(r.rfInitData).toBeNull();
    expect(r.rfCal?.offset).toBe(0x3fc000);
    expect(r.notes.join(' ')).toMatch(/compiled into the firmware/);
    expect(r.wifiCredentials).toEqual({ present: true, ssid: 'FlashbackLab' });
  });

  it('does not crash on a non-image', async () => {
    const r = await inspectImage(fixture('esp_init_data_default_v08.bin'));
    expect(r.header).toBeNull();
    expect(r.headerError).toMatch(/not an ESP8266 image/);
    expect(r.family).toBe('unknown');
  });
});
