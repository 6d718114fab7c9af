/**
 * Judges a board's factory data (ESP8266-NOTES 5.2, 5.5, 5.6): the RF init data at S−0x4000, the SDK
 * system-param sectors and whether WiFi credentials are stored. Reads a few sectors through an async
 * reader, so it works on a file or a live board.
 */
import { flashTail } from './arduino-map.js';
import type { AsyncRead } from './fs-detect.js';
import type { Layout } from './layout.js';
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

export interface FactoryReport {
  rfInitData: RfInitReport;
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
      'The flag sector does not point at a data sector with content; the SDK may fall back to defaults. Erasing the last 3 sectors resets it cleanly.',
  };
}

export async function judgeFactoryData(
  read: AsyncRead,
  flashSize: number,
  layout?: Layout | null,
): Promise<FactoryReport> {
  const size = sdkTailSize(await read(0, 4), flashSize);
  const rfRegion = layout?.regions.find((r) => r.kind === 'rf-init');
  const offset = rfRegion?.start ?? flashTail(size).rfCal;
  const j = judgeRfInit(await read(offset, 128));
  return {
    rfInitData: {
      state: j.state,
      offset,
      magic: j.magic,
      crystalMHz: j.crystalMHz,
      explanation: j.explanation,
    },
    sysParams: await judgeSysParams(read, size),
    wifiCredentials: await findWifiCredentials(read, flashSize),
  };
}
