/**
 * `export --scrub` reports what it could not remove (issue 11 item 10): a synthetic image with
 * application credentials planted at known offsets is scanned after scrubbing; every plant is found at
 * its offset, masked; the clean demo images, firmware builds and real firmware text find nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/main.js';
import { arduinoFsOptions, flashTail } from '../../main/image/arduino-map.js';
import {
  exportReport,
  isSecretKey,
  looksLikeValue,
  maskSecret,
  scanCredentials,
} from '../../main/image/credential-scan.js';
import { scrub } from '../../main/image/secrets.js';
import { Library } from '../../main/library/library.js';
import { buildDemoImage, DEMO_WIFI } from '../../main/sim/demo-image.js';
import { CORPUS_DIR } from '../support/corpus.js';
import { arduinoBin, bootV1, sdkAppAtZero, userBin } from '../support/firmware-files.js';

const MB = 1 << 20;
const ascii = (s: string) => new TextEncoder().encode(s);

/** The 4 MB good demo board with application credentials planted where real sketches keep them. */
function plantedImage() {
  const img = buildDemoImage('good', 4 * MB);
  const fsArea = arduinoFsOptions(4 * MB)[0]!;
  const eeprom = flashTail(4 * MB).eeprom;
  const plants: Array<{ at: number; text: string; value: string; kind: string }> = [];
  const plant = (at: number, text: string, value: string, kind: string) => {
    img.set(ascii(`${text}\0`), at);
    plants.push({ at: at + text.indexOf(value), text, value, kind });
  };
  // LittleFS files: a WiFi JSON record, WiFiManager's MQTT config, a key=value config file.
  plant(
    fsArea.start + 3 * fsArea.blockSize,
    '{"ssid":"HomeNet","pass":"hunter2-secret"}',
    'hunter2-secret',
    'json',
  );
  plant(
    fsArea.start + 4 * fsArea.blockSize,
    '{"mqtt_server":"10.0.0.2","mqtt_port":"1883","mqtt_user":"bob","mqtt_pass":"mq-S3cret!"}',
    'mq-S3cret!',
    'json',
  );
  plant(
    fsArea.start + 5 * fsArea.blockSize,
    'hostname=node1\nwifi_psk=abcd1234xyz\n',
    'abcd1234xyz',
    'key-value',
  );
  // ESPEasy's binary credential store, by its file name in the filesystem's metadata.
  img.set(ascii('security.dat\0'), fsArea.start + 6 * fsArea.blockSize + 0x40);
  plants.push({
    at: fsArea.start + 6 * fsArea.blockSize + 0x40,
    text: 'security.dat',
    value: 'security.dat',
    kind: 'config-record',
  });
  // In the sketch: a broker URL with its password, and the WiFi password compiled in (no key near it).
  plant(0x30000, 'mqtt://bob:urlpass99@broker.lan:1883', 'urlpass99', 'url');
  plant(0x31000, DEMO_WIFI.password, DEMO_WIFI.password, 'wifi-password-copy');
  // The EEPROM emulation sector: a sketch's fixed char arrays for SSID and password.
  plant(eeprom + 0x20, 'MyHomeWifi', 'MyHomeWifi', 'eeprom-text');
  plant(eeprom + 0x40, 'Sup3rSecretPw', 'Sup3rSecretPw', 'eeprom-text');
  plants.sort((a, b) => a.at - b.at);
  return { img, plants };
}

describe('the credential scanner', () => {
  it('finds every planted record at its offset after scrub, masked, with a hint naming the offset', async () => {
    const { img, plants } = plantedImage();
    const s = scrub(img);
    expect(s.blanked).toEqual([0x3fd000]);
    const report = await exportReport(img, s.bytes, s.blanked);
    expect(report.blanked).toEqual([0x3fd000]);
    expect(report.findings.map((f) => [f.offset, f.kind])).toEqual(plants.map((p) => [p.at, p.kind]));
    for (const [i, f] of report.findings.entries()) {
      const p = plants[i]!;
      expect(f.length).toBe(p.value.length);
      expect(f.hint).toContain(`0x${p.at.toString(16).toUpperCase()}`);
      if (p.kind === 'config-record') continue; // a record by its name: no value to mask
      expect(f.masked).toBeDefined();
      expect(f.masked).not.toContain(p.value);
      expect(f.masked).toContain(`(${p.value.length} chars)`);
      expect(JSON.stringify(f)).not.toContain(p.value.slice(1));
    }
    const json = report.findings.find((f) => f.kind === 'json')!;
    expect(json).toMatchObject({ key: 'pass', severity: 'secret', region: 'littlefs' });
    expect(json.hint).toMatch(/looks like a password at 0x206\w+ .*do not share it publicly/);
    expect(report.findings.find((f) => f.kind === 'wifi-password-copy')!.region).toBe('sketch');
    expect(
      report.findings.filter((f) => f.kind === 'eeprom-text').every((f) => f.severity === 'possible'),
    ).toBe(true);
  });

  it('without scrub, the SDK’s own WiFi password is a finding too', async () => {
    const img = buildDemoImage('good', MB);
    const r = await exportReport(img, img, []);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ kind: 'sdk-wifi', offset: 0xfd030, severity: 'secret' });
    expect(r.findings[0]!.hint).toMatch(/--scrub/);
  });

  it('Tasmota: its settings sectors are reported as a record scrub does not remove', async () => {
    const img = buildDemoImage('good', 4 * MB);
    img.set([0xff, 0x5a, 0xa5, 0xff], 0xf6000); // the quick-power-cycle marker: the layout says Tasmota
    img.set(ascii('\x01\x02tasmota\0'), 0xf7000 + 0x10);
    const s = scrub(img);
    const r = await exportReport(img, s.bytes, s.blanked);
    expect(r.findings).toEqual([
      expect.objectContaining({ kind: 'config-record', offset: 0xf7000, region: 'tasmota-settings' }),
    ]);
    expect(r.findings[0]!.hint).toMatch(/Tasmota settings .*passwords/);
  });

  it('a clean image finds nothing: the demo boards at every size, scrubbed', async () => {
    for (const profile of ['good', 'bad'] as const)
      for (const size of [MB / 2, MB, 2 * MB, 4 * MB]) {
        const img = buildDemoImage(profile, size);
        const s = scrub(img);
        expect((await exportReport(img, s.bytes, s.blanked)).findings, `${profile} ${size}`).toEqual([]);
      }
  });

  it('ordinary firmware text is not a finding: builds, SDK format strings, real serial logs and SDK data', async () => {
    const blobs: Array<[string, Uint8Array]> = [
      ['arduino', arduinoBin({ banner: 'Tasmota 13.2.0 by Theo Arends' })],
      ['esphome', arduinoBin({ banner: 'ESPHome version 2024.6.1 compiled' })],
      ['boot_v1', bootV1()],
      ['user1', userBin(1)],
      ['nodemcu', sdkAppAtZero({ banner: 'NodeMCU 3.0.0.0 built with Docker' })],
      [
        'sdk strings',
        ascii(
          [
            'password:%s',
            'wps_device_password_id=%u',
            'T|password len: %d',
            '{"ssid":"%s","password":"%s"}',
            'pass=********',
            '"password":""',
            'Password: ',
            'WIF: Connect failed with AP incorrect password',
            'mqtt_pass=YOUR_PASSWORD',
            'set_dpd_bypass',
            '<input type="password" name="pass" value="">',
            'ota_password: !secret ota_password',
            '{"pwd":"{p}"}',
          ].join('\0'),
        ),
      ],
    ];
    for (const f of fs.readdirSync(CORPUS_DIR).filter((n) => n.endsWith('.log')))
      blobs.push([f, new Uint8Array(fs.readFileSync(path.join(CORPUS_DIR, f)))]);
    const sdkData = path.join(CORPUS_DIR, '..', 'esp8266');
    for (const f of fs.readdirSync(sdkData).filter((n) => n.endsWith('.bin')))
      blobs.push([f, new Uint8Array(fs.readFileSync(path.join(sdkData, f)))]);
    expect(blobs.length).toBeGreaterThan(40);
    for (const [name, blob] of blobs) {
      // Placed in a 1 MB erased flash, as a dump of that firmware would hold it.
      const img = new Uint8Array(MB).fill(0xff);
      img.set(blob.subarray(0, MB - 0x20000), 0x10000);
      expect(await scanCredentials(img), name).toEqual([]);
    }
  });

  it('keys, values and masks', () => {
    for (const k of [
      'pass',
      'password',
      'mqtt_pass',
      'wifiPassword',
      'wifi_psk',
      'api-key',
      'ota_pwd',
      'token',
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ['ssid', 'bypass', 'compass', 'user', 'host', 'passive', 'tokens', 'type'])
      expect(isSecretKey(k), k).toBe(false);
    for (const v of ['hunter2', 'p@ss word', '12345678']) expect(looksLikeValue(v), v).toBe(true);
    for (const v of ['', '%s', '%08x', '********', 'YOUR_PASSWORD', '{{pass}}', '<password>', '${PASS}'])
      expect(looksLikeValue(v), v).toBe(false);
    expect(maskSecret('hunter2-secret')).toBe('h************ (14 chars)');
    expect(maskSecret('abc')).toBe('*** (3 chars)');
  });
});

describe('flashback library export --scrub prints the report', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-scan-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(...argv: string[]) {
    let stdout = '';
    const o = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      return { code: await main(argv), stdout };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('human output and --json: blanked sectors, then each finding with its offset, values masked', async () => {
    const { img, plants } = plantedImage();
    const lib = path.join(dir, 'lib');
    const entry = await new Library(lib).add(img, { label: 'planted' });
    const out = path.join(dir, 'share.bin');
    const human = await cli('library', 'export', entry.id, out, '--scrub', '--library', lib);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/blanked 1 WiFi sector\(s\) at 0x3FD000/);
    expect(human.stdout).toMatch(/Not removed: 8 place\(s\)/);
    expect(human.stdout).toMatch(
      /looks like a password at 0x206\w+ \(JSON "pass", in littlefs\); do not share it publicly/,
    );
    const json = await cli('library', 'export', entry.id, out, '--scrub', '--library', lib, '--json');
    const r = JSON.parse(json.stdout) as {
      report: { blanked: number[]; findings: Array<{ offset: number }> };
    };
    expect(r.report.blanked).toEqual([0x3fd000]);
    expect(r.report.findings.map((f) => f.offset)).toEqual(plants.map((p) => p.at));
    for (const p of plants.filter((x) => x.kind !== 'config-record')) {
      expect(human.stdout).not.toContain(p.value);
      expect(json.stdout).not.toContain(p.value);
    }
    // The written file still holds them: the report is about what scrub did not remove.
    expect(fs.readFileSync(out).includes('hunter2-secret')).toBe(true);
    expect(fs.readFileSync(out).includes(DEMO_WIFI.password)).toBe(true); // the copy in the sketch
  });

  it('a clean image says so', async () => {
    const lib = path.join(dir, 'lib2');
    const entry = await new Library(lib).add(buildDemoImage('bad', MB), { label: 'demo' });
    const r = await cli(
      'library',
      'export',
      entry.id,
      path.join(dir, 'clean.bin'),
      '--scrub',
      '--library',
      lib,
    );
    expect(r.stdout).toMatch(/No credential-like data found in the written image/);
  });
});
