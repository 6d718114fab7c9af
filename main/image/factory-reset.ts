/**
 * What "reset the factory data" means for each firmware layout (ESP8266-NOTES 5.1, 5.2, 5.5), as the
 * bytes the end of flash should hold afterwards. Shared by `repair` (on a board) and `restore
 * --reset-factory-data` (on the donor's image before it is written):
 * - Arduino core: RF_CAL (S−0x4000) and the three SDK system-param sectors erased, as the core's
 *   "Erase Flash: Sketch + WiFi Settings" and ESP.eraseConfig() do; the SDK recalibrates and rebuilds.
 * - NONOS SDK: RF_CAL (S−0x5000) erased, init data at S−0x4000, both system-param data sectors erased,
 *   the flag sector kept (it holds FOTA boot information).
 */
import { FlashbackError } from '../errors.js';
import { isLowPartitionLayout } from './factory.js';
import { detectLayout, factoryRule, type FactoryRule } from './layout.js';
import { judgeRfInit } from './rf-init.js';
import { sdkTailSize } from './secrets.js';
import { SECTOR_SIZE as SECTOR } from '../flash-geometry.js';
import { humanSize } from '../units.js';

export interface FactoryResetStep {
  offset: number;
  size: number;
  action: 'erase' | 'write' | 'keep';
  what: string;
}

export interface FactoryResetTail {
  /** First byte of the span; the span runs to `size` (the SDK's end of flash). */
  start: number;
  bytes: Uint8Array;
  /** Sector indexes (relative to start) left as they are. */
  keep: Set<number>;
  steps: FactoryResetStep[];
}

/**
 * The tail for `rule` on a flash the SDK sees as `size` bytes. `initData` is the 128-byte table
 * written at S−0x4000 for NONOS firmware (Espressif's file, or a donor's valid one); never synthesised.
 */
export function factoryResetTail(
  rule: Exclude<FactoryRule, 'unknown'>,
  size: number,
  initData: Uint8Array,
): FactoryResetTail {
  if (rule === 'arduino') {
    return {
      start: size - 0x4000,
      bytes: new Uint8Array(0x4000).fill(0xff),
      keep: new Set(),
      steps: [
        {
          offset: size - 0x4000,
          size: SECTOR,
          action: 'erase',
          what: 'RF calibration (RF_CAL): the SDK recalibrates at the next boot',
        },
        {
          offset: size - 0x3000,
          size: 0x3000,
          action: 'erase',
          what: 'SDK system parameters and flag: stored WiFi settings are reset, the SDK rebuilds them',
        },
      ],
    };
  }
  if (judgeRfInit(initData).state !== 'valid')
    throw new RangeError('init data for a factory reset must be a valid 128-byte table');
  const bytes = new Uint8Array(0x5000).fill(0xff);
  bytes.set(initData.subarray(0, 128), SECTOR);
  return {
    start: size - 0x5000,
    bytes,
    keep: new Set([4]),
    steps: [
      {
        offset: size - 0x5000,
        size: SECTOR,
        action: 'erase',
        what: 'RF calibration (RF_CAL): the SDK recalibrates at the next boot',
      },
      {
        offset: size - 0x4000,
        size: SECTOR,
        action: 'write',
        what: 'RF init data (128 bytes), the rest of the sector erased',
      },
      {
        offset: size - 0x3000,
        size: 0x2000,
        action: 'erase',
        what: 'SDK system-param data sectors: stored WiFi settings are reset',
      },
      {
        offset: size - 0x1000,
        size: SECTOR,
        action: 'keep',
        what: 'SDK flag sector kept (FOTA boot information)',
      },
    ],
  };
}

/** Applies the tail to a whole-flash image (a copy); kept sectors keep the image's own bytes. */
export function applyFactoryReset(image: Uint8Array, tail: FactoryResetTail): Uint8Array {
  const out = image.slice();
  for (let i = 0; i * SECTOR < tail.bytes.length; i++) {
    if (tail.keep.has(i)) continue;
    out.set(tail.bytes.subarray(i * SECTOR, (i + 1) * SECTOR), tail.start + i * SECTOR);
  }
  return out;
}

export interface ImageFactoryReset {
  bytes: Uint8Array;
  rule: Exclude<FactoryRule, 'unknown'>;
  steps: FactoryResetStep[];
  /** One line for the plan: what is not copied from the donor, and why. */
  explanation: string;
}

/**
 * The donor's whole-flash image with its factory data reset for the target (`restore
 * --reset-factory-data`): the donor's chip-specific RF calibration and its WiFi settings are not copied.
 * NONOS init data is firmware configuration, so the donor's is kept when valid, else `fallbackInit`
 * (Espressif's file) is used. Throws a FlashbackError when the layout is unknown or the image stops
 * before the SDK's sectors.
 */
export async function resetImageFactoryData(
  image: Uint8Array,
  flashSize: number,
  fallbackInit: () => Uint8Array,
): Promise<ImageFactoryReset> {
  const read = async (o: number, n: number) => image.subarray(o, o + n);
  const layout = await detectLayout(read, Math.min(flashSize, image.length));
  const rule = factoryRule(layout.family);
  if (rule === 'unknown')
    throw new FlashbackError(
      'BAD_IMAGE',
      `The image's firmware is not recognised, so which sectors hold its factory data is unknown; nothing was written`,
      'Restore it as an exact clone (without --reset-factory-data), then run `flashback repair` once a known firmware is on the board.',
    );
  if (rule === 'nonos' && (await isLowPartitionLayout(read)))
    throw new FlashbackError(
      'BAD_IMAGE',
      "The image's firmware keeps its factory data low in flash (NodeMCU 3.x partition table), not at the end; --reset-factory-data does not handle that layout, nothing was written",
      'Restore it as an exact clone (without --reset-factory-data).',
    );
  const size = sdkTailSize(image, flashSize);
  if (image.length < size)
    throw new FlashbackError(
      'BAD_IMAGE',
      `The image (${humanSize(image.length)}) ends before the SDK's sectors at the end of the ${humanSize(size)} flash; nothing was written`,
      'Use a whole-flash backup, or restore without --reset-factory-data and run `flashback repair` afterwards.',
    );
  const donorInit = image.subarray(size - 0x4000, size - 0x4000 + 128);
  const init =
    rule === 'nonos' && judgeRfInit(donorInit).state === 'valid'
      ? donorInit.slice()
      : rule === 'nonos'
        ? fallbackInit()
        : new Uint8Array(0);
  const tail = factoryResetTail(rule, size, init);
  const explanation =
    rule === 'arduino'
      ? `Factory data reset (Arduino core): the donor's RF calibration (0x${(size - 0x4000).toString(16)}) and WiFi settings (0x${(size - 0x3000).toString(16)}–0x${(size - 1).toString(16)}) are not copied; those sectors are erased, so this board recalibrates its radio and starts without stored WiFi. An exact clone would copy them.`
      : `Factory data reset (NONOS SDK): the donor's RF calibration (0x${(size - 0x5000).toString(16)}) and WiFi settings (0x${(size - 0x3000).toString(16)}–0x${(size - 0x2001).toString(16)}) are not copied; RF_CAL and the data sectors are erased, init data at 0x${(size - 0x4000).toString(16)} is ${judgeRfInit(donorInit).state === 'valid' ? "the donor's (valid)" : "Espressif's default (the donor's is not valid)"}. An exact clone would copy them.`;
  return { bytes: applyFactoryReset(image, tail), rule, steps: tail.steps, explanation };
}
