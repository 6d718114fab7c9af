import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeFactoryData } from '../../main/image/factory.js';
import { inspectImage } from '../../main/image/inspect.js';
import { defaultRfInitData, judgeRfInit } from '../../main/image/rf-init.js';
import { findWifiCredentials, scrub } from '../../main/image/secrets.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import { FIXTURES } from '../support/home.js';

const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const reader = (b: Uint8Array) => async (o: number, n: number) => b.slice(o, o + n);
const MB = 1024 * 1024;

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
  it('judges the real SDK init data placed at S−0x4000 of a 1 MB flash', async () => {
    const flash = buildDemoImage('bad', MB);
    flash.set(fixture('blank.bin'), 0xfc000);
    flash.set(fixture('esp_init_data_default_v08.bin'), 0xfc000);
    const r = await judgeFactoryData(reader(flash), MB);
    expect(r.rfInitData).toMatchObject({ state: 'valid', offset: 0xfc000, crystalMHz: 26 });
  });

  it('reports the demo boards: valid vs corrupt RF data, system params valid, SSID but never the password', async () => {
    const good = await judgeFactoryData(reader(buildDemoImage('good')), 4 * MB);
    const bad = await judgeFactoryData(reader(buildDemoImage('bad')), 4 * MB);
    expect(good.rfInitData.state).toBe('valid');
    expect(bad.rfInitData).toMatchObject({ state: 'corrupt', offset: 0x3fc000, magic: 0 });
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
    expect(r.regions.find((x) => x.name === 'rf-init')?.state).toBe('corrupt');
    expect(r.regions.find((x) => x.name === 'ota')?.state).toBe('blank');
    expect(r.rfInitData?.state).toBe('corrupt');
    expect(r.wifiCredentials).toEqual({ present: true, ssid: 'FlashbackLab' });
  });

  it('does not crash on a non-image', async () => {
    const r = await inspectImage(fixture('esp_init_data_default_v08.bin'));
    expect(r.header).toBeNull();
    expect(r.headerError).toMatch(/not an ESP8266 image/);
    expect(r.family).toBe('unknown');
  });
});
