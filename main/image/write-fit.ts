/**
 * Does each file fit where it is about to be written (ESP8266-NOTES 4.2–4.4, 5.1–5.5)? Pure: given
 * what the files are (firmware-id.ts), their addresses, the chip's JEDEC size and what the board holds
 * now, it lists warnings a person should read before anything is written. Errors that make a write
 * impossible (past the end, overlapping files) are the writer's; these are "this will not do what you
 * expect".
 */
import type { FileIdentity } from './firmware-id.js';
import { formatSize } from './flash-params.js';
import type { FactoryRule } from './layout.js';

export type FitCode =
  | 'BIGGER_FLASH'
  | 'HEADER_SIZE_MISMATCH'
  | 'WRONG_SLOT'
  | 'V2_AT_ZERO'
  | 'NO_BOOTLOADER'
  | 'INIT_DATA_ADDRESS'
  | 'INIT_DATA_ON_ARDUINO'
  | 'ESP8285_FLASH_MODE'
  | 'NOT_AN_IMAGE'
  | 'FACTORY_LAYOUT_CHANGE';

export interface FitWarning {
  code: FitCode;
  /** Address of the file the warning is about. */
  address: number;
  message: string;
}

export interface FitFile {
  address: number;
  /** The file's name as the user gave it. */
  name: string;
  identity: FileIdentity;
  /** Flash size the header will carry after any --flash-size patch (image at 0x0 only). */
  headerFlashSize?: number | null;
  /** Flash mode the header at 0x0 will carry (after any --flash-mode patch). */
  flashMode?: string | null;
  /** Length in bytes (decides whether a write covers the factory sectors itself). */
  size?: number;
}

export interface FitBoard {
  /** The chip's size from its JEDEC id (0 when unknown). */
  flashSize: number;
  /** What is at 0x0 on the board now (decides whether a user1 image has a loader to start it). */
  bootAtZero: FileIdentity | null;
  /** Where the firmware on the board (or being written) keeps its factory data. */
  factoryRule: FactoryRule;
  /** 'ESP8285' when detected: its embedded flash is wired for DOUT (notes 4.2). */
  chip?: string;
  /** Where the firmware on the board now keeps its factory data, when a new firmware replaces it. */
  previousFactoryRule?: FactoryRule;
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;

/** The slots boot_v1.x starts: user1 at 0x1000, user2 at 0x81000 (512+512) or 0x101000 (1024+1024). */
const USER2_AT = [0x81000, 0x101000];

function slotWarnings(f: FitFile, board: FitBoard, all: FitFile[]): FitWarning[] {
  const out: FitWarning[] = [];
  const { address: at, identity: id, name } = f;
  const w = (code: FitCode, message: string) => out.push({ code, address: at, message });
  switch (id.kind) {
    case 'arduino':
    case 'full-dump':
    case 'nonos-boot':
    case 'nonos-app':
      if (at !== 0)
        w(
          'WRONG_SLOT',
          `${name} is ${id.description}, which the boot ROM starts from 0x0, but it is written at ${hex(at)}: the board will not run it from there.`,
        );
      break;
    case 'nonos-user': {
      if (at === 0) {
        w(
          'V2_AT_ZERO',
          `${name} is a V2 (user1/user2) image: the boot ROM cannot start it at 0x0. Write boot_v1.x at 0x0 and this file at 0x1000.`,
        );
        break;
      }
      if (id.slot === 'user2' && at === 0x1000)
        w(
          'WRONG_SLOT',
          `${name} is linked as user2 (for 0x81000) but is written at 0x1000, the user1 slot: boot_v1.x would start code linked for the other slot. Write user1.bin at 0x1000.`,
        );
      else if (id.slot === 'user1' && USER2_AT.includes(at))
        w(
          'WRONG_SLOT',
          `${name} is linked as user1 (for 0x1000) but is written at ${hex(at)}, a user2 slot. Write user2.bin there.`,
        );
      else if (at !== 0x1000 && !USER2_AT.includes(at))
        w(
          'WRONG_SLOT',
          `${name} is a V2 app image; boot_v1.x starts them only at 0x1000 (user1) or 0x81000/0x101000 (user2), not ${hex(at)}.`,
        );
      const bootInWrite = all.some((x) => x.address === 0 && x.identity.kind === 'nonos-boot');
      if (!bootInWrite && board.bootAtZero?.kind !== 'nonos-boot')
        w(
          'NO_BOOTLOADER',
          `${name} needs Espressif's boot_v1.x at 0x0 to start it, and the board has ${board.bootAtZero ? board.bootAtZero.description : 'nothing recognisable'} there. Add boot_v1.x.bin at 0x0 to this write.`,
        );
      break;
    }
    case 'rf-init-data': {
      const s = board.flashSize;
      if (s && at !== s - 0x4000 && at !== 0xc000)
        w(
          'INIT_DATA_ADDRESS',
          `${name} is RF init data; the SDK reads it at flash size − 0x4000 = ${hex(s - 0x4000)} on this ${formatSize(s)} chip, not at ${hex(at)}.`,
        );
      else if (s && at === s - 0x4000 && board.factoryRule === 'arduino')
        w(
          'INIT_DATA_ON_ARDUINO',
          `The firmware here is built on the Arduino core: it keeps its PHY init data inside the firmware and uses ${hex(at)} for RF calibration. Writing init data there replaces the calibration with bytes the SDK will misread; to make it recalibrate, erase that sector instead (\`flashback repair\`).`,
        );
      break;
    }
    case 'raw':
      if (id.compressed === 'gzip')
        w(
          'NOT_AN_IMAGE',
          `${name} is gzip-compressed: only the firmware's own OTA updater unpacks it; written over serial the chip gets the compressed bytes. Use the release's uncompressed .bin (or gunzip this file).`,
        );
      else if (at === 0)
        w(
          'NOT_AN_IMAGE',
          `${name} is not an ESP8266 image (${id.evidence[0] ?? 'no 0xE9 header'}): the boot ROM starts only an image at 0x0, so the board will not boot after this write.`,
        );
      break;
    default:
      break;
  }
  return out;
}

/** What to do about a header bigger than the chip: an Arduino-core build's own map is linked for its size. */
function biggerFlashAdvice(f: FitFile, chip: number): string {
  const c = formatSize(chip);
  if (f.identity.kind === 'arduino' || f.identity.kind === 'full-dump')
    if (['arduino', 'tasmota', 'esphome'].includes(f.identity.firmware))
      return `Use a build for ${c}: an Arduino-core build also has its EEPROM and file system linked for the bigger flash, and core 3.x refuses to start when the header disagrees with its build, so --flash-size does not make it fit.`;
  return `Use a build for ${c}, or --flash-size detect to set the header to the chip's size.`;
}

function sizeWarnings(f: FitFile, board: FitBoard): FitWarning[] {
  const size = f.headerFlashSize === undefined ? f.identity.headerFlashSize : f.headerFlashSize;
  const chip = board.flashSize;
  if (!size || !chip || size === chip || f.address !== 0) return [];
  if (f.identity.kind === 'nonos-user' || f.identity.kind === 'rf-init-data') return [];
  const own = f.identity.headerFlashSize;
  if (size > chip && f.headerFlashSize != null && f.headerFlashSize !== own)
    // The user's --flash-size made it bigger than the chip, not the build.
    return [
      {
        code: 'BIGGER_FLASH',
        address: f.address,
        message: `--flash-size sets ${f.name}'s header to ${formatSize(size)} but this chip has ${formatSize(chip)}: the SDK would look for its settings and RF data past the end of this chip. Use --flash-size keep${own ? ` (the file says ${formatSize(own)})` : ''} or detect (${formatSize(chip)}).`,
      },
    ];
  if (size > chip)
    return [
      {
        code: 'BIGGER_FLASH',
        address: f.address,
        message: `${f.name} is built for ${formatSize(size)} of flash but this chip has ${formatSize(chip)}: the SDK finds its settings and RF data at the end of flash by the header size, past the end of this chip (the ESP-01 1 MB case). ${biggerFlashAdvice(f, chip)}`,
      },
    ];
  if (f.identity.kind === 'nonos-boot')
    return [
      {
        code: 'HEADER_SIZE_MISMATCH',
        address: f.address,
        message: `${f.name}'s header says ${formatSize(size)} but the chip has ${formatSize(chip)}: the SDK takes the flash size from this header (boot_v1.x ships saying 512KB), so user images built for a bigger map do not start and settings land at ${hex(size - 0x4000)}. Write it with --flash-size ${formatSize(chip)} (or detect), as Espressif's download tool sets it.`,
      },
    ];
  return [
    {
      code: 'HEADER_SIZE_MISMATCH',
      address: f.address,
      message: `${f.name}'s header says ${formatSize(size)} but the chip has ${formatSize(chip)}: the SDK will keep its settings at ${hex(size - 0x4000)}–${hex(size - 1)} and leave the rest unused. Harmless if intended; --flash-size detect makes it use the whole chip (Arduino core 3.x builds refuse to start when the header disagrees with their linker size).`,
    },
  ];
}

/** The ESP8285's embedded flash only works in DOUT; a QIO/QOUT header at 0x0 does not boot (notes 4.2). */
function modeWarnings(f: FitFile, board: FitBoard): FitWarning[] {
  if (board.chip !== 'ESP8285' || f.address !== 0 || !f.flashMode) return [];
  if (f.flashMode !== 'qio' && f.flashMode !== 'qout') return [];
  return [
    {
      code: 'ESP8285_FLASH_MODE',
      address: 0,
      message: `${f.name}'s header asks for ${f.flashMode.toUpperCase()} but the ESP8285's embedded flash is wired for DOUT: it will not boot. Write with --flash-mode dout.`,
    },
  ];
}

const RULE_TEXT: Record<'arduino' | 'nonos', (s: number) => string> = {
  arduino: (s) =>
    `an Arduino-core firmware (RF calibration at ${hex(s - 0x4000)}, EEPROM at ${hex(s - 0x5000)})`,
  nonos: (s) =>
    `a NONOS-SDK firmware (init data at ${hex(s - 0x4000)}, RF calibration at ${hex(s - 0x5000)})`,
};

/**
 * A firmware that keeps its factory data elsewhere than the one it replaces (notes 5.1, 5.2, 5.5): the
 * old sectors stay and are read as the wrong thing (another SDK's calibration, init data as calibration).
 * Espressif's advice is to erase them so the SDK recalibrates; a write that covers them says nothing.
 */
function layoutChangeWarnings(files: FitFile[], board: FitBoard): FitWarning[] {
  const before = board.previousFactoryRule;
  const s = board.flashSize;
  if (!s || !before || before === 'unknown' || before === board.factoryRule) return [];
  if (board.factoryRule === 'unknown') return [];
  const tail = s - 0x5000;
  const covered = files.some((f) => f.address <= tail && f.address + (f.size ?? 0) >= s);
  if (covered) return [];
  const first = files.find((f) => f.address === 0) ?? files[0];
  if (!first) return [];
  return [
    {
      code: 'FACTORY_LAYOUT_CHANGE',
      address: first.address,
      message: `The board runs ${RULE_TEXT[before](s)} and ${first.name} is ${RULE_TEXT[board.factoryRule](s)}: the old factory sectors stay and the new firmware would read them as the wrong thing. After this write, run \`flashback repair\` so they are reset the way the new firmware needs (its WiFi settings too).`,
    },
  ];
}

export function checkFit(files: FitFile[], board: FitBoard): FitWarning[] {
  return [
    ...files.flatMap((f) => [
      ...slotWarnings(f, board, files),
      ...sizeWarnings(f, board),
      ...modeWarnings(f, board),
    ]),
    ...layoutChangeWarnings(files, board),
  ];
}
