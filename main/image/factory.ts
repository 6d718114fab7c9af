/**
 * Judges a board's factory data by what its own firmware does with each sector (ESP8266-NOTES 5.1–5.6):
 * an Arduino-core build keeps PHY init data in the firmware and uses S−0x4000 for RF calibration (any
 * content is legitimate), a NONOS-SDK build reads init data at S−0x4000 (byte 0 must be 0x05) and keeps
 * RF_CAL at S−0x5000; both keep WiFi settings in the last three sectors. An unrecognised firmware is not
 * judged. Reads a few sectors through an async reader, so it works on a file or a live board.
 */
import { flashTail } from './arduino-map.js';
import type { AsyncRead } from './fs-detect.js';
import { detectLayout, factoryRule, type FactoryRule, type Layout } from './layout.js';
import { judgeRfInit, type RfInitState } from './rf-init.js';
import { dataSectorOffsets, findWifiCredentials, sdkTailSize, type WifiCredentials } from './secrets.js';
import { SECTOR_SIZE } from './sectors.js';
import { FLAG_SELECT_OFFSET } from './sysparam.js';

export interface RfInitReport {
  state: RfInitState;
  offset: number;
  magic: number;
  crystalMHz: number | null;
  explanation: string;
}

export interface SysParamReport {
  state: 'valid' | 'blank' | 'inconsistent';
  /** Which data sector the flag selects (0 = S−0x3000, 1 = S−0x2000), or null. */
  current: 0 | 1 | null;
  explanation: string;
}

export interface RfCalReport {
  offset: number;
  state: 'blank' | 'data';
  explanation: string;
}

export interface FactoryReport {
  /** Which firmware rule the judgement follows (from the layout). */
  rule: FactoryRule;
  /** null when the firmware does not read init data from flash (Arduino core) or is not recognised. */
  rfInitData: RfInitReport | null;
  rfCal: RfCalReport | null;
  sysParams: SysParamReport;
  wifiCredentials: WifiCredentials;
}

const blank = (b: Uint8Array) => b.every((x) => x === 0xff);

async function judgeSysParams(read: AsyncRead, size: number): Promise<SysParamReport> {
  const [s0, s1] = dataSectorOffsets(size) as [number, number];
  const d0 = blank(await read(s0, SECTOR_SIZE));
  const d1 = blank(await read(s1, SECTOR_SIZE));
  const flag = await read(size - SECTOR_SIZE, SECTOR_SIZE);
  if (d0 && d1 && blank(flag)) {
    return {
      state: 'blank',
      current: null,
      explanation: 'System-param sectors are erased: the SDK starts with defaults (no stored WiFi).',
    };
  }
  const sel = flag[FLAG_SELECT_OFFSET];
  if ((sel === 0 && !d0) || (sel === 1 && !d1)) {
    return {
      state: 'valid',
      current: sel,
      explanation: `The flag sector selects data sector ${sel}, which holds data.`,
    };
  }
  return {
    state: 'inconsistent',
    current: null,
    explanation:
      'The flag sector does not point at a data sector with content; the SDK may fall back to defaults. `flashback repair` resets these sectors cleanly.',
  };
}

/** NodeMCU 3.x keeps PHY_DATA low in flash, at 0xC000 (notes 5.3). */
const NODEMCU3_PHY_DATA = 0xc000;

/**
 * NodeMCU 3.x (SDK 3.0) registers its own partition table: RF_CAL 0xB000, PHY_DATA 0xC000, system
 * params 0xD000–0xFFFF, and its SPIFFS may run to the end of flash (notes 5.3). Valid init data at
 * 0xC000 under an SDK image marks it; the end-of-flash rules do not apply there.
 */
export async function isLowPartitionLayout(read: AsyncRead): Promise<boolean> {
  // The partition holds the 128-byte table and nothing else; code that happens to start with 0x05 does not.
  const sector = await read(NODEMCU3_PHY_DATA, SECTOR_SIZE);
  const j = judgeRfInit(sector);
  return j.state === 'valid' && j.crystalMHz !== null && blank(sector.subarray(128));
}

function rfCalReport(offset: number, data: Uint8Array, rule: FactoryRule): RfCalReport {
  const where =
    rule === 'arduino'
      ? 'this Arduino-core build keeps its PHY init data in the firmware'
      : 'init data is judged separately';
  return blank(data)
    ? {
        offset,
        state: 'blank',
        explanation:
          'RF calibration (RF_CAL) is erased: the SDK runs a full calibration at the next boot and stores it here. Normal after an erase or a repair.',
      }
    : {
        offset,
        state: 'data',
        explanation:
          `RF calibration (RF_CAL) written by the SDK: chip-specific, any content is legitimate (${where}). ` +
          'If only this board fails WiFi, erase it so the SDK recalibrates: `flashback repair`.',
      };
}

export async function judgeFactoryData(
  read: AsyncRead,
  flashSize: number,
  layout?: Layout | null,
): Promise<FactoryReport> {
  const l = layout ?? (await detectLayout(read, flashSize));
  const rule = factoryRule(l.family);
  const size = sdkTailSize(await read(0, 4), flashSize);
  const tail = flashTail(size);
  let rfInitData: RfInitReport | null = null;
  let rfCal: RfCalReport | null = null;
  if (rule === 'arduino') {
    rfCal = rfCalReport(tail.rfCal, await read(tail.rfCal, 0x1000), rule);
  } else if (rule === 'nonos') {
    rfCal = rfCalReport(tail.eeprom, await read(tail.eeprom, 0x1000), rule);
    let offset = tail.rfCal;
    let j = judgeRfInit(await read(offset, 128));
    if (j.state !== 'valid' && (await isLowPartitionLayout(read))) {
      // NodeMCU 3.x: init data lives in its low partition table, not at the end (notes 5.3).
      offset = NODEMCU3_PHY_DATA;
      j = judgeRfInit(await read(offset, 128));
    }
    let explanation = j.explanation;
    if (j.state === 'blank' && l.family === 'nodemcu')
      explanation =
        'RF init data is blank: NodeMCU ≤ 2.x writes esp_init_data_default here at its first boot (notes 5.3).';
    rfInitData = { state: j.state, offset, magic: j.magic, crystalMHz: j.crystalMHz, explanation };
  }
  return {
    rule,
    rfInitData,
    rfCal,
    sysParams: await judgeSysParams(read, size),
    wifiCredentials: await findWifiCredentials(read, flashSize),
  };
}
