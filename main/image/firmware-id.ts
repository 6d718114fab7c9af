/**
 * What a file is, before it is written (ESP8266-NOTES 4.1–4.4, 5.1–5.5): an Arduino eboot+sketch bin,
 * Espressif's boot_v1.x and user1/user2 (V2) images, a plain NONOS app, NodeMCU, MicroPython, Tasmota,
 * ESPHome, a whole-flash dump, RF init data, a blank sector or raw data. Structure decides first;
 * product strings only name the firmware inside a structure already recognised. What cannot be told
 * apart stays "unknown"/"raw" rather than guessed.
 */
import { createHash } from 'node:crypto';
import { SKETCH_START } from './arduino-map.js';
import { SIZE_BY_CODE } from './flash-params.js';
import { parseImage, type ImageHeader } from './header.js';
import { RF, RF_INIT_LENGTH, RF_MAGIC } from './rf-init.js';

export type FileKind =
  | 'arduino' // eboot + sketch, uploaded at 0x0
  | 'nonos-boot' // Espressif boot_v1.x second-stage loader, at 0x0
  | 'nonos-user' // V2 (0xEA) user1/user2 app for boot_v1.x
  | 'nonos-app' // a V1 app at 0x0 without a second-stage loader (eagle.flash.bin, NodeMCU, MicroPython)
  | 'full-dump' // a whole flash (read_flash / backup)
  | 'rf-init-data' // 128-byte PHY init data (esp_init_data_default)
  | 'blank' // all 0xFF (blank.bin)
  | 'raw'; // anything else: written as given

/** The firmware inside, by what it is built on; decides where it keeps factory data. */
export type Firmware =
  'arduino' | 'tasmota' | 'esphome' | 'nodemcu' | 'micropython' | 'nonos-sdk' | 'unknown';

export interface FileIdentity {
  kind: FileKind;
  firmware: Firmware;
  /** One line for people: "Arduino sketch (eboot + app)", "Espressif esp_init_data_default v08". */
  description: string;
  /** Flash size the image header asks for (image kinds only). */
  headerFlashSize: number | null;
  /** V2 images: the slot the code was linked for, when it can be told. */
  slot: 'user1' | 'user2' | null;
  /** Exact copy of one of Espressif's init-data files. */
  espressifInitData: 'v08' | 'v05' | null;
  /** Why we think so. */
  evidence: string[];
  /** A compressed file (an OTA .bin.gz): the chip cannot run it as written. */
  compressed?: 'gzip';
}

/** sha256 of Espressif's esp_init_data_default files (NONOS SDK bin/, see resources/esp8266/README.md). */
const ESPRESSIF_INIT_DATA: Record<string, 'v08' | 'v05'> = {
  b2218087cf938ce665b26ac049f7d146677c70fe2909205a4d0e6a58aef0e4b3: 'v08',
  '0da80624efa6159bbf30141b6e978a17bed80d8f5505c4bbfb75d49f496ecb83': 'v05',
};

export const FLASH_SIZES = [0x80000, 0x100000, 0x200000, 0x400000, 0x800000, 0x1000000];

const has = (bytes: Uint8Array, text: string) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes(text);

/** Product strings real builds carry (banners and log formats); only read inside a recognised image. */
function productOf(
  bytes: Uint8Array,
  base: 'arduino' | 'nonos',
): { firmware: Firmware; evidence: string } | null {
  const probes: [Firmware, string][] =
    base === 'arduino'
      ? [
          ['tasmota', 'Tasmota'],
          ['esphome', 'ESPHome'],
        ]
      : [
          ['nodemcu', 'NodeMCU'],
          ['micropython', 'MicroPython'],
        ];
  for (const [firmware, text] of probes)
    if (has(bytes, text)) return { firmware, evidence: `contains "${text}"` };
  return null;
}

/** eboot + 0xAA padding + a sketch image whose IROM is linked at 0x40201010 (notes 4.3). */
function isArduinoBin(bytes: Uint8Array, boot: ImageHeader): boolean {
  if (boot.length > SKETCH_START || bytes.length < SKETCH_START + 16) return false;
  const pad = bytes.subarray(boot.length, Math.min(SKETCH_START, boot.length + 16));
  if (!pad.every((b) => b === 0xaa)) return false;
  // The sketch's header and first segment header suffice: a board's first sectors are enough to tell.
  const dv = new DataView(bytes.buffer, bytes.byteOffset + SKETCH_START, 16);
  return bytes[SKETCH_START] === 0xe9 && dv.getUint32(8, true) === 0x40201010;
}

/**
 * Which slot a V2 image was linked for: user2 of a 512+512 map has its IROM at 0x40281010, user1 at
 * 0x40201010 (SDK app1/app2 linker scripts), so the code's address literals point into one window.
 */
function v2Slot(
  bytes: Uint8Array,
  header: ImageHeader,
  name: string,
): { slot: 'user1' | 'user2' | null; why: string } {
  const byName = /user([12])/i.exec(name);
  const irom = header.segments[0];
  let low = 0;
  let high = 0;
  if (irom) {
    const dv = new DataView(
      bytes.buffer,
      bytes.byteOffset + irom.dataOffset,
      Math.min(irom.length, bytes.length - irom.dataOffset) & ~3,
    );
    for (let i = 0; i + 4 <= dv.byteLength; i += 4) {
      const w = dv.getUint32(i, true);
      if (w >= 0x40201010 && w < 0x40280000) low++;
      else if (w >= 0x40281010 && w < 0x40300000) high++;
    }
  }
  if (high > 16 && high > 4 * low)
    return { slot: 'user2', why: `${high} code addresses in the user2 window (0x40281010…)` };
  if (low > 16 && low > 4 * high)
    return { slot: 'user1', why: `${low} code addresses in the user1 window (0x40201010…)` };
  if (byName) return { slot: byName[1] === '1' ? 'user1' : 'user2', why: `file name says user${byName[1]}` };
  return { slot: null, why: 'linked slot not determined' };
}

function initDataIdentity(bytes: Uint8Array): FileIdentity | null {
  if (bytes.length < RF_INIT_LENGTH || bytes.length > 0x1000) return null;
  if (bytes[RF.magic] !== RF_MAGIC || (bytes[RF.crystal] ?? 0xff) > 2) return null;
  if (!bytes.subarray(RF_INIT_LENGTH).every((b) => b === 0xff)) return null;
  const sha = createHash('sha256').update(bytes.subarray(0, RF_INIT_LENGTH)).digest('hex');
  const espressif = ESPRESSIF_INIT_DATA[sha] ?? null;
  return {
    kind: 'rf-init-data',
    firmware: 'unknown',
    description: espressif
      ? `Espressif esp_init_data_default ${espressif} (RF init data)`
      : 'RF init data (byte 0 = 0x05, not an Espressif default file)',
    headerFlashSize: null,
    slot: null,
    espressifInitData: espressif,
    evidence: ['byte 0 = 0x05 and a valid crystal byte (notes 5.5)'],
  };
}

/** Identifies a file; `name` (the file name, optional) only breaks ties the bytes leave open. */
export function identifyFile(bytes: Uint8Array, name = ''): FileIdentity {
  const base = {
    firmware: 'unknown' as Firmware,
    headerFlashSize: null,
    slot: null,
    espressifInitData: null,
  };
  if (bytes.length > 0 && bytes.every((b) => b === 0xff))
    return {
      ...base,
      kind: 'blank',
      description: `Blank (${bytes.length} bytes of 0xFF, like blank.bin)`,
      evidence: ['all 0xFF'],
    };
  const init = initDataIdentity(bytes);
  if (init) return init;
  // Releases also ship OTA files (tasmota.bin.gz): gzip is for the firmware's own updater, never for 0x0.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    return {
      ...base,
      kind: 'raw',
      description: 'gzip-compressed file (an OTA update such as tasmota.bin.gz), not a flash image',
      evidence: ['gzip magic 1F 8B'],
      compressed: 'gzip',
    };
  const parsed = parseImage(bytes);
  if (!parsed.ok) {
    return { ...base, kind: 'raw', description: `Raw data (${parsed.reason})`, evidence: [parsed.reason] };
  }
  const h = parsed.header;
  const headerFlashSize = SIZE_BY_CODE.get(h.flashSizeCode) ?? null;
  if (h.format === 'v2') {
    const { slot, why } = v2Slot(bytes, h, name);
    const product = productOf(bytes, 'nonos');
    return {
      ...base,
      kind: 'nonos-user',
      firmware: product?.firmware ?? 'nonos-sdk',
      description: `Espressif V2 app image for boot_v1.x (${slot ?? 'user1/user2'})`,
      headerFlashSize,
      slot,
      evidence: ['magic 0xEA (V2 image, notes 4.4)', why, ...(product ? [product.evidence] : [])],
    };
  }
  const whole = FLASH_SIZES.includes(bytes.length);
  if (isArduinoBin(bytes, h)) {
    const product = productOf(bytes, 'arduino');
    const firmware = product?.firmware ?? 'arduino';
    return {
      ...base,
      kind: whole ? 'full-dump' : 'arduino',
      firmware,
      description: whole
        ? `Whole-flash dump (${firmware === 'arduino' ? 'Arduino core' : firmware} firmware)`
        : `${firmware === 'arduino' ? 'Arduino' : firmware === 'tasmota' ? 'Tasmota' : 'ESPHome'} firmware (eboot + app)`,
      headerFlashSize,
      evidence: [
        'eboot at 0x0, 0xAA padding, sketch image at 0x1000 with IROM at 0x40201010',
        ...(product ? [product.evidence] : []),
      ],
    };
  }
  const product = productOf(bytes, 'nonos');
  if (
    h.length <= SKETCH_START &&
    bytes.subarray(h.length, SKETCH_START).every((b) => b === 0xff || b === 0)
  ) {
    // A small image and nothing after it: the SDK's second-stage loader, if it says so.
    if (has(bytes, '2nd boot version') || /boot_v1\./i.test(name)) {
      return {
        ...base,
        kind: 'nonos-boot',
        firmware: 'nonos-sdk',
        description: 'Espressif boot_v1.x second-stage loader',
        headerFlashSize,
        evidence: [has(bytes, '2nd boot version') ? 'contains "2nd boot version"' : 'file name boot_v1.x'],
      };
    }
  }
  return {
    ...base,
    kind: whole ? 'full-dump' : 'nonos-app',
    firmware: product?.firmware ?? 'nonos-sdk',
    description: whole
      ? `Whole-flash dump (${product?.firmware ?? 'SDK-style'} image at 0x0)`
      : product?.firmware === 'nodemcu'
        ? 'NodeMCU firmware (image at 0x0)'
        : product?.firmware === 'micropython'
          ? 'MicroPython firmware (image at 0x0)'
          : 'SDK app image for 0x0 (no second-stage loader)',
    headerFlashSize,
    evidence: ['V1 image (0xE9) that is not an Arduino eboot+sketch', ...(product ? [product.evidence] : [])],
  };
}

/** Names the product inside a whole flash whose structure detectLayout already recognised. */
export function productInFlash(bytes: Uint8Array, family: string): Firmware | null {
  if (family === 'arduino') return productOf(bytes, 'arduino')?.firmware ?? null;
  if (family === 'nonos-sdk') return productOf(bytes, 'nonos')?.firmware ?? null;
  return null;
}
