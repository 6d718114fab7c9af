/** Identifies the chip, MAC, crystal and flash from registers (notes 2.1–2.5). */
import { FlashbackError } from '../errors.js';
import type { Connection } from './connection.js';
import {
  CHIP_DETECT_MAGIC_REG,
  chipIdFromEfuses,
  crystalFromClkdiv,
  EFUSE_REGS,
  ESP8266_MAGIC,
  FLASH_CMD_RDID,
  flashSizeFromJedec,
  flashVendor,
  isEsp8285,
  macFromEfuses,
  NO_FLASH_IDS,
  OTHER_CHIP_MAGICS,
  UART_CLKDIV_REG,
} from './chips/esp8266.js';
import { readReg, spiUserCommand } from './registers.js';
import type { ChipInfo, FlashId } from './types.js';

export async function checkChipMagic(conn: Connection): Promise<void> {
  const magic = await readReg(conn, CHIP_DETECT_MAGIC_REG);
  if (magic === ESP8266_MAGIC) return;
  const other = OTHER_CHIP_MAGICS[magic];
  throw new FlashbackError(
    'UNSUPPORTED_CHIP',
    other
      ? `This is an ${other}, not an ESP8266: not supported yet`
      : `Unknown chip (magic 0x${magic.toString(16)})`,
    other ? `Use esptool or another tool for ${other} boards.` : 'Check that this is an ESP8266 board.',
    { magic },
  );
}

export function formatMac(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Reads the chip id and flash id. Must run at the baud the ROM synced to (crystal estimate). */
export async function detectChip(
  conn: Connection,
  syncedBaud: number,
  log?: (l: string) => void,
  baudKnown = true,
): Promise<ChipInfo> {
  await checkChipMagic(conn);
  const efuses: number[] = [];
  for (const reg of EFUSE_REGS) efuses.push(await readReg(conn, reg));
  const [mac0 = 0, mac1 = 0, , mac3 = 0] = efuses;
  const macBytes = macFromEfuses(mac0, mac1, mac3);
  if (!macBytes)
    throw new FlashbackError(
      'GARBAGE',
      'The chip reported an unknown MAC OUI',
      'Retry; if it repeats the eFuses may be damaged.',
    );
  const esp8285 = isEsp8285(efuses);
  const clk = crystalFromClkdiv(await readReg(conn, UART_CLKDIV_REG), syncedBaud, { baudKnown });
  if (clk.lineBaud !== syncedBaud) {
    log?.(
      `The line runs at about ${clk.lineBaud} baud (not ${syncedBaud}): crystal taken as ${clk.mhz} MHz.`,
    );
  } else if (Math.abs(clk.mhz - clk.estimate) > 1) {
    log?.(`Warning: crystal estimate ${clk.estimate.toFixed(2)} MHz, reported as ${clk.mhz} MHz`);
  }
  const flash = await readFlashId(conn);
  return {
    chip: esp8285 ? 'ESP8285' : 'ESP8266EX',
    mac: formatMac(macBytes),
    crystalMHz: clk.mhz,
    flash,
    chipId: chipIdFromEfuses(mac0, mac1),
    features: esp8285 ? ['WiFi', '160MHz', 'Embedded Flash'] : ['WiFi', '160MHz'],
  };
}

export async function readFlashId(conn: Connection): Promise<FlashId> {
  const id = (await spiUserCommand(conn, FLASH_CMD_RDID, 24)) & 0xffffff;
  if (NO_FLASH_IDS.has(id)) {
    throw new FlashbackError(
      'GARBAGE',
      `No SPI flash answered (id 0x${id.toString(16)})`,
      'The flash chip is not responding: check GPIO6–11 are free and the module is not damaged.',
    );
  }
  const manufacturerId = id & 0xff;
  return {
    manufacturerId,
    manufacturer: flashVendor(manufacturerId),
    device: (((id >> 8) & 0xff) << 8) | ((id >> 16) & 0xff),
    jedecId: id,
    size: flashSizeFromJedec(id),
    jedecSize: flashSizeFromJedec(id),
    provenSize: null,
    sizeNote: 'from the JEDEC id (not measured)',
  };
}
