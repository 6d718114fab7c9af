/**
 * The whole-flash content of the two demo NodeMCUs (`virtual:good`, `virtual:bad`): the same Arduino
 * PubSubClient sketch, Arduino core layout "4M (FS:2MB OTA:~1019KB)" (ESP8266-NOTES 5.1), scaled to
 * other sizes by the same table. Deterministic: a seeded PRNG, never Math.random.
 *
 * The boards differ only where two healthy boards do (RF calibration, system-param sectors: boot counter,
 * BSSID cache) plus the seed story: the bad board's RF calibration (RF_CAL, S−0x4000 in an Arduino
 * layout) was cut short while the SDK saved it. The core keeps PHY init data in the firmware and tells
 * the SDK to reuse the stored calibration, so the radio runs miscalibrated and the sketch fails with
 * rc=-2 (rf-cal-model.ts). Restoring a donor's flash or erasing RF_CAL (repair) cures it.
 */
import { arduinoFsOptions, flashTail, SKETCH_START } from '../image/arduino-map.js';
import { sizeCode } from '../image/flash-params.js';
import { buildLfsSuperblock } from '../image/littlefs.js';
import { STATION_PASSWORD, STATION_SSID, writeCString } from '../image/sysparam.js';
import { buildV1Image } from '../image/v1-image.js';
import { encodeAppDescriptor, type AppDescriptor } from './app-descriptor.js';
import { RF_CAL_RECORD_LENGTH } from './rf-cal-model.js';

export { findAppDescriptor, type AppDescriptor } from './app-descriptor.js';

export type DemoProfile = 'good' | 'bad';

export const DEMO_APP: AppDescriptor = {
  name: 'mqtt-demo',
  wifi: 'FlashbackLab',
  broker: 'broker.flashback.test',
  port: 1883,
  topic: 'flashback/demo',
  clientIdPrefix: 'nodemcu-',
  intervalMs: 2000,
};
export const DEMO_WIFI = { ssid: 'FlashbackLab', password: 'demo-password-123' } as const;
export const DEMO_CONFIG_JSON = JSON.stringify({ broker: DEMO_APP.broker, topic: DEMO_APP.topic, led: 2 });

/** mulberry32: small, fast, good enough for filler that must be identical on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Filler that compresses like Xtensa code (~60–70 % with zlib): words drawn with a skew from a small
 * dictionary (common instruction patterns), a quarter of them random (immediates, addresses).
 */
function codeLike(length: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const dict = Array.from({ length: 1024 }, () => Math.floor(rnd() * 2 ** 32));
  const out = new Uint8Array(length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i + 4 <= length; i += 4) {
    const u = rnd();
    const w = rnd() < 0.25 ? Math.floor(rnd() * 2 ** 32) : (dict[Math.floor(dict.length * u * u)] ?? 0);
    dv.setUint32(i, w >>> 0, true);
  }
  return out;
}

const ascii = (s: string) => new TextEncoder().encode(s);

/** Strings the real sketch would carry in flash; placed in the IROM segment with the descriptor. */
const SKETCH_STRINGS = [
  'Attempting MQTT connection...',
  'connected',
  'failed, rc=',
  ' try again in 5 seconds',
  'WiFi connected',
  'IP address: ',
  'Connecting to ',
].join('\0');

function sketchImage(flashSize: number): Uint8Array {
  const irom = codeLike(0x3f000, 0x5eed_0001);
  irom.fill(0, 0, 8); // __crc_len/__crc_val placeholders at flash 0x1010 (notes 4.3), unset here
  const strings = ascii(SKETCH_STRINGS + '\0');
  irom.set(strings, 0x2a000);
  irom.set(encodeAppDescriptor(DEMO_APP), 0x2a000 + ((strings.length + 3) & ~3));
  return buildV1Image({
    entry: 0x40100134,
    flashMode: 'qio',
    sizeFreq: (sizeCode(flashSize) ?? 4) << 4,
    segments: [
      { addr: 0x40201010, data: irom }, // .irom0.text: linked at 0x40200000 + flash 0x1010
      { addr: 0x40100000, data: codeLike(26_000, 0x5eed_0002) }, // .text (IRAM)
      { addr: 0x3ffe8000, data: codeLike(1_248, 0x5eed_0003) }, // .data
      { addr: 0x3ffe84e0, data: codeLike(5_600, 0x5eed_0004) }, // .rodata
    ],
  });
}

function ebootImage(flashSize: number): Uint8Array {
  return buildV1Image({
    entry: 0x4010f49c,
    flashMode: 'qio',
    sizeFreq: (sizeCode(flashSize) ?? 4) << 4,
    segments: [
      { addr: 0x4010f000, data: codeLike(0x560, 0x5eed_00e0) }, // .text
      { addr: 0x4010f560, data: codeLike(0x40, 0x5eed_00e1) }, // .rodata
    ],
  });
}

function writeFs(flash: Uint8Array, flashSize: number): void {
  const fs = arduinoFsOptions(flashSize)[0];
  if (!fs) return;
  const blocks = (fs.end - fs.start) / fs.blockSize;
  const config = ascii(DEMO_CONFIG_JSON);
  const files = [{ name: 'config.json', block: 2, size: config.length }];
  // Both halves of the superblock pair; block 1 is the newer commit (higher revision).
  flash.set(buildLfsSuperblock(fs.blockSize, blocks, 1, []), fs.start);
  flash.set(buildLfsSuperblock(fs.blockSize, blocks, 2, files), fs.start + fs.blockSize);
  flash.set(config, fs.start + 2 * fs.blockSize);
}

function sysParamSectors(profile: DemoProfile): { data: Uint8Array; flag: Uint8Array } {
  const data = new Uint8Array(0x1000).fill(0xff);
  data.fill(0, 0, 0x200);
  writeCString(data, STATION_SSID.offset, STATION_SSID.length, DEMO_WIFI.ssid);
  writeCString(data, STATION_PASSWORD.offset, STATION_PASSWORD.length, DEMO_WIFI.password);
  data[0x70] = 6; // channel
  data[0x71] = 0; // bssid_set
  // Board-specific: the BSSID cache and a boot counter. Two healthy boards differ here.
  const rnd = prng(profile === 'good' ? 0xb0a4d001 : 0xb0a4d002);
  for (let i = 0; i < 6; i++) data[0x72 + i] = Math.floor(rnd() * 256);
  new DataView(data.buffer).setUint32(0x100, profile === 'good' ? 412 : 97, true);
  const flag = new Uint8Array(0x1000).fill(0xff);
  flag[0] = 0; // first data sector (S−0x3000) is current
  new DataView(flag.buffer).setUint32(4, profile === 'good' ? 206 : 49, true); // save sequence
  return { data, flag };
}

function rfCalSector(profile: DemoProfile): Uint8Array {
  const sector = new Uint8Array(0x1000).fill(0xff);
  const rnd = prng(profile === 'good' ? 0xca1_0001 : 0xbad0_0005);
  if (profile === 'good') {
    // A complete calibration record: chip-specific values (real dumps start with 0x00 here too).
    for (let i = 0; i < RF_CAL_RECORD_LENGTH; i++) sector[i] = rnd() < 0.4 ? 0 : Math.floor(rnd() * 255);
    sector[0] = 0x00;
  } else {
    // Cut short while being saved: the first 64 bytes programmed, the rest still erased.
    for (let i = 0; i < 64; i++) sector[i] = rnd() < 0.1 ? Math.floor(rnd() * 256) & 0x7a : 0;
    sector[0] = 0x00;
  }
  return sector;
}

/**
 * Whole-flash bytes of a demo board. Sizes follow the Arduino table (512 KB … 16 MB); others throw.
 */
export function buildDemoImage(profile: DemoProfile, flashSize = 4 * 1024 * 1024): Uint8Array {
  if (sizeCode(flashSize) === null || arduinoFsOptions(flashSize).length === 0) {
    throw new RangeError(`no Arduino flash layout for ${flashSize} bytes`);
  }
  const flash = new Uint8Array(flashSize).fill(0xff);
  const eboot = ebootImage(flashSize);
  flash.fill(0xaa, 0, SKETCH_START); // eboot is padded with 0xAA up to the sketch (notes 4.3)
  flash.set(eboot, 0);
  flash.set(sketchImage(flashSize), SKETCH_START);
  writeFs(flash, flashSize);
  const tail = flashTail(flashSize);
  const eeprom = ascii('FBEE\x01\x00');
  flash.set(eeprom, tail.eeprom);
  flash.set(new Uint8Array([0xd0, 0x07, 0x00, 0x00, 0x02, 0x01]), tail.eeprom + eeprom.length); // interval, led
  flash.set(rfCalSector(profile), tail.rfCal);
  const { data, flag } = sysParamSectors(profile);
  flash.set(data, tail.sysParam);
  flash.set(flag, tail.sysParam + 0x2000);
  return flash;
}
