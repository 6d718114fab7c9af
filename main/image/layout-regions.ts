/**
 * Region tables per family (ESP8266-NOTES 5.1–5.4). Named regions come from fixed rules or detected
 * signatures; whatever lies between them is filled as "ota" (right after an Arduino sketch) or "free".
 */
import { flashTail, SECTOR, SKETCH_START } from './arduino-map.js';
import type { DetectedFs } from './fs-detect.js';

export type RegionKind =
  | 'bootloader'
  | 'app'
  | 'ota'
  | 'fs'
  | 'eeprom'
  | 'rf-init'
  | 'rf-cal'
  | 'sysparam'
  | 'settings'
  | 'free'
  | 'unknown';

export interface Region {
  name: string;
  start: number;
  size: number;
  kind: RegionKind;
  /** True where two healthy boards with the same firmware normally differ (calibration, WiFi, app data). */
  expectedToDiffer: boolean;
  description: string;
}

const roundUp = (n: number) => Math.ceil(n / SECTOR) * SECTOR;

function r(
  name: string,
  start: number,
  end: number,
  kind: RegionKind,
  expectedToDiffer: boolean,
  description: string,
): Region {
  return { name, start, size: end - start, kind, expectedToDiffer, description };
}

/** The SDK's last three sectors (notes 5.2, 5.6): two alternating system-param data sectors and the flag. */
function sdkParams(size: number): Region[] {
  const t = flashTail(size);
  return [
    r(
      'sdk-config',
      t.sysParam,
      t.sysParam + 2 * SECTOR,
      'sysparam',
      true,
      'SDK system parameters: WiFi station config (SSID, password), cached APs; two sectors used alternately',
    ),
    r(
      'sdk-flag',
      size - SECTOR,
      size,
      'sysparam',
      true,
      'SDK flag sector: which system-param sector is current',
    ),
  ];
}

/** Sorts named regions and fills the gaps; `otaAfter` marks the gap that starts there as OTA space. */
function fill(named: Region[], flashSize: number, otaAfter: number | null): Region[] {
  const sorted = [...named].filter((x) => x.size > 0).sort((a, b) => a.start - b.start);
  const out: Region[] = [];
  let p = 0;
  for (const reg of [...sorted, r('end', flashSize, flashSize, 'unknown', false, '')]) {
    if (reg.start > p) {
      out.push(
        p === otaAfter
          ? r(
              'ota',
              p,
              reg.start,
              'ota',
              true,
              'OTA staging space after the sketch: stale or new images from updates',
            )
          : r('free', p, reg.start, 'free', false, 'Not assigned by this layout (normally erased)'),
      );
    }
    if (reg.name !== 'end' && reg.start >= p) {
      out.push(reg);
      p = reg.start + reg.size;
    }
  }
  return out;
}

export function arduinoRegions(
  size: number,
  flashSize: number,
  appEnd: number | null,
  fs: DetectedFs | null,
  tasmota: boolean,
): Region[] {
  const t = flashTail(size);
  const sketchEnd = appEnd === null ? SKETCH_START + SECTOR : roundUp(appEnd);
  const named: Region[] = [
    r(
      'eboot',
      0,
      SKETCH_START,
      'bootloader',
      false,
      'Arduino eboot loader (image header at 0x0 holds flash mode/size)',
    ),
    r(
      'sketch',
      SKETCH_START,
      sketchEnd,
      'app',
      false,
      appEnd === null ? 'Sketch image (its length could not be read)' : 'Sketch image (IROM at 0x40201010)',
    ),
    r('eeprom', t.eeprom, t.eeprom + SECTOR, 'eeprom', true, 'Arduino EEPROM emulation: application data'),
    // The core answers the SDK's PHY init-data read from a table inside the firmware and points the
    // SDK's RF_CAL sector at S−0x4000 (notes 5.1, 5.5): chip calibration, any content is legitimate.
    r(
      'rf-cal',
      t.rfCal,
      t.rfCal + SECTOR,
      'rf-cal',
      true,
      'RF calibration (RF_CAL, S−0x4000) written by the SDK: chip-specific, any content is legitimate; PHY init data is inside the firmware',
    ),
    ...sdkParams(size),
  ];
  if (fs) {
    named.push(
      r(
        fs.type,
        fs.start,
        fs.start + fs.size,
        'fs',
        false,
        `${fs.type === 'littlefs' ? 'LittleFS' : 'SPIFFS'} filesystem, ${fs.blockSize}-byte blocks`,
      ),
    );
  }
  if (tasmota) {
    const base = size === 0x100000 ? 0xf3000 : 0xf6000;
    named.push(
      r('tasmota-qpc', base, base + SECTOR, 'settings', true, 'Tasmota quick-power-cycle counter'),
      r(
        'tasmota-settings',
        base + SECTOR,
        base + 8 * SECTOR,
        'settings',
        true,
        'Tasmota rotating settings (plain text, including WiFi and MQTT passwords)',
      ),
    );
  }
  if (size < flashSize)
    named.push(
      r('beyond-header', size, flashSize, 'unknown', false, 'Past the flash size the header declares'),
    );
  return fill(named, flashSize, sketchEnd);
}

/** Where a NONOS-style build keeps its code beyond the image at 0x0 (notes 4.4, 5.3). */
export interface NonosCode {
  /** boot_v1.x at 0x0 starting V2 images: user1 at 0x1000 (end), user2 at 0x81000/0x101000 if present. */
  fota?: { user1End: number; user2: { start: number; end: number } | null };
  /** MicroPython: IROM at 0x9000, its end recorded at 0x8FFC. */
  iromAt9000?: { end: number };
}

export function nonosRegions(
  size: number,
  flashSize: number,
  appEnd: number,
  hasIrom: boolean,
  code: NonosCode = {},
): Region[] {
  const t = flashTail(size);
  const { fota, iromAt9000 } = code;
  const head: Region[] = fota
    ? [
        r(
          'boot',
          0,
          SECTOR,
          'bootloader',
          false,
          'Espressif boot_v1.x second-stage loader (its header at 0x0 holds flash mode/size)',
        ),
        r(
          'user1',
          SECTOR,
          roundUp(fota.user1End),
          'app',
          false,
          'user1 app image (V2), started by boot_v1.x',
        ),
        ...(fota.user2
          ? [
              r(
                'user2',
                fota.user2.start,
                roundUp(fota.user2.end),
                'app',
                false,
                'user2 app image (V2): the other FOTA slot',
              ),
            ]
          : []),
      ]
    : [r('app', 0, roundUp(appEnd), 'app', false, 'Firmware image at 0x0 (eagle.flash.bin: RAM segments)')];
  if (iromAt9000)
    head.push(
      r(
        'irom0',
        0x9000,
        Math.min(roundUp(iromAt9000.end), t.eeprom),
        'app',
        false,
        'irom0 code from 0x9000 (MicroPython: its length is recorded at 0x8FFC)',
      ),
    );
  const named: Region[] = [
    ...head,
    r(
      'rf-cal',
      t.eeprom,
      t.eeprom + SECTOR,
      'rf-cal',
      true,
      'SDK RF_CAL sector (S−0x5000): chip-specific calibration',
    ),
    r(
      'rf-init',
      t.rfCal,
      t.rfCal + SECTOR,
      'rf-init',
      true,
      'SDK RF init data (esp_init_data_default, S−0x4000; byte 0 must be 0x05)',
    ),
    ...sdkParams(size),
  ];
  if (hasIrom && !fota && !iromAt9000 && roundUp(appEnd) <= 0x10000) {
    named.push(
      r(
        'irom0',
        0x10000,
        t.eeprom,
        'app',
        false,
        'irom0 code from 0x10000 (its end is not recorded in flash; the tail of this span may be free or data)',
      ),
    );
  }
  if (size < flashSize)
    named.push(
      r('beyond-header', size, flashSize, 'unknown', false, 'Past the flash size the header declares'),
    );
  return fill(named, flashSize, null);
}

export function unknownRegions(flashSize: number): Region[] {
  return [r('unknown', 0, flashSize, 'unknown', false, 'Firmware family not recognised')];
}
