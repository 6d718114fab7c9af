/**
 * ESP8266 chip facts as data (ESP8266-NOTES sections 2 and 1.4). Each value cites where it comes from.
 */

/** READ_REG here identifies the chip family (notes 2.1, E-loader CHIP_DETECT_MAGIC_REG_ADDR). */
export const CHIP_DETECT_MAGIC_REG = 0x40001000;
export const ESP8266_MAGIC = 0xfff0c101;

/** Magic values of chips we recognise but do not support yet (notes 2.1; other targets in E-loader). */
export const OTHER_CHIP_MAGICS: Record<number, string> = {
  0x00f01d83: 'ESP32',
  0x000007c6: 'ESP32-S2',
  0x00000009: 'ESP32-S3',
  0x6921506f: 'ESP32-C3',
  0x1b31506f: 'ESP32-C3',
  0x2ce0806f: 'ESP32-C6',
};

/** eFuse words, bits 0–127 (notes 2.2). */
export const EFUSE_REGS = [0x3ff00050, 0x3ff00054, 0x3ff00058, 0x3ff0005c] as const;

/** UART0 clock divider; with the synced host baud it gives the crystal (notes 2.4). */
export const UART_CLKDIV_REG = 0x60000014;
export const UART_CLKDIV_MASK = 0xfffff;

/** SPI0 controller registers, base 0x60000200 (notes 2.5). */
export const SPI_BASE = 0x60000200;
export const SPI_REG = {
  CMD: SPI_BASE + 0x00,
  ADDR: SPI_BASE + 0x04,
  RD_STATUS: SPI_BASE + 0x10,
  USER: SPI_BASE + 0x1c,
  USER1: SPI_BASE + 0x20,
  USER2: SPI_BASE + 0x24,
  W0: SPI_BASE + 0x40,
} as const;

/** SPI_CMD bits: USR runs the user command; the others are the controller's native flash commands. */
export const SPI_CMD_BITS = {
  USR: 1 << 18,
  SE: 1 << 24,
  RDSR: 1 << 27,
  WREN: 1 << 30,
} as const;

export const SPI_USER_BITS = {
  COMMAND: 1 << 31,
  ADDR: 1 << 30,
  DUMMY: 1 << 29,
  MISO: 1 << 28,
  MOSI: 1 << 27,
} as const;

export const FLASH_CMD_RDID = 0x9f;

export { SECTOR_SIZE, BLOCK_SIZE } from '../../flash-geometry.js';
/** FLASH_DATA block size in the ROM and in both stubs (notes 1.10). */
export const ROM_WRITE_BLOCK = 0x400;
export const STUB_WRITE_BLOCK = 0x4000;
/** MEM_DATA block size used for the stub upload (notes 1.10). */
export const RAM_BLOCK = 0x1800;
/** READ_FLASH packet size; both stubs stop-and-wait on each (notes 1.9). */
export const READ_PACKET = 0x1000;
/**
 * What the ROM's flash descriptor says after a reset: its SPIRead/SPIWrite/SPIEraseArea (used by the ROM
 * loader and the v2 stub) refuse anything past it until SPI_SET_PARAMS changes it (notes 1.12).
 */
export const ROM_DEFAULT_REACH = 4 * 1024 * 1024;
/** 24-bit SPI addresses: no ESP8266 flash is bigger; the legacy stub configures this much (notes 1.12). */
export const FLASH_ADDRESS_SPACE = 16 * 1024 * 1024;
/** Host baud used for SYNC; the ROM auto-bauds, esptool always starts here (notes 1.5). */
export const ROM_LOADER_BAUD = 115200;

/** JEDEC capacity code → bytes (notes 2.5, E-cmds DETECTED_FLASH_SIZES). */
const CAPACITY: Record<number, number> = {
  0x12: 256 << 10,
  0x32: 256 << 10,
  0x13: 512 << 10,
  0x33: 512 << 10,
  0x14: 1 << 20,
  0x34: 1 << 20,
  0x15: 2 << 20,
  0x35: 2 << 20,
  0x16: 4 << 20,
  0x36: 4 << 20,
  0x17: 8 << 20,
  0x37: 8 << 20,
  0x18: 16 << 20,
  0x38: 16 << 20,
  0x19: 32 << 20,
  0x39: 32 << 20,
  0x1a: 64 << 20,
  0x3a: 64 << 20,
  0x20: 64 << 20,
};

/** Adesto/Atmel (0x1F) encode size in the device byte's low 5 bits (notes 2.5). */
const ADESTO: Record<number, number> = {
  0x04: 512 << 10,
  0x05: 1 << 20,
  0x06: 2 << 20,
  0x07: 4 << 20,
  0x08: 8 << 20,
  0x09: 16 << 20,
};

export const FLASH_VENDORS: Record<number, string> = {
  0xef: 'Winbond',
  0xc8: 'GigaDevice',
  0x20: 'XMC',
  0xe0: 'Berg Micro',
  0x85: 'Puya',
  0x68: 'Boya',
  0x5e: 'Zbit',
  0x1f: 'Adesto',
  0x1c: 'EON',
  0xc2: 'Macronix',
  0x9d: 'ISSI',
  0xa1: 'Fudan',
};

/** Ids that mean "no flash answered" (notes 2.5). */
export const NO_FLASH_IDS = new Set([0xffffff, 0x000000, 0xffff3f]);

export function flashSizeFromJedec(jedecId: number): number {
  const manufacturer = jedecId & 0xff;
  const type = (jedecId >> 8) & 0xff;
  const capacity = (jedecId >> 16) & 0xff;
  if (manufacturer === 0x1f) return ADESTO[type & 0x1f] ?? 0;
  return CAPACITY[capacity] ?? 0;
}

export function flashVendor(manufacturerId: number): string {
  return FLASH_VENDORS[manufacturerId] ?? `unknown (0x${manufacturerId.toString(16).padStart(2, '0')})`;
}

/** OUI from eFuse words (notes 2.3); null means esptool's "Unknown OUI". */
export function macFromEfuses(mac0: number, mac1: number, mac3: number): number[] | null {
  let oui: number[];
  if (mac3 !== 0) oui = [(mac3 >>> 16) & 0xff, (mac3 >>> 8) & 0xff, mac3 & 0xff];
  else if (((mac1 >>> 16) & 0xff) === 0) oui = [0x18, 0xfe, 0x34];
  else if (((mac1 >>> 16) & 0xff) === 1) oui = [0xac, 0xd0, 0x74];
  else return null;
  return [...oui, (mac1 >>> 8) & 0xff, mac1 & 0xff, (mac0 >>> 24) & 0xff];
}

export function chipIdFromEfuses(mac0: number, mac1: number): number {
  return ((mac0 >>> 24) | ((mac1 & 0xffffff) << 8)) >>> 0;
}

/** ESP8285 if eFuse bit 4 or bit 80 is set (notes 2.2). */
export function isEsp8285(efuses: readonly number[]): boolean {
  const w0 = efuses[0] ?? 0;
  const w2 = efuses[2] ?? 0;
  return (w0 & (1 << 4)) !== 0 || (w2 & (1 << 16)) !== 0;
}

/**
 * Rates a host or a serial bridge runs a line at for SYNC. Not 74880: it is 115200 × 26/40, so a 40 MHz
 * chip synced at 115200 would read exactly like a 26 MHz one synced at 74880.
 */
const STANDARD_BAUDS = [
  9600, 19200, 38400, 57600, 115200, 230400, 250000, 460800, 500000, 921600, 1000000, 1500000, 2000000,
];

/**
 * Crystal from UART_CLKDIV (the ROM's divider = 2 × crystal / line rate), normalised as esptool does
 * (notes 2.4). That needs the rate the ROM really synced at: read it before any baud change, and when
 * the line's rate is not the host's to know (a TCP bridge runs its serial side at its own rate, e.g.
 * 921600) or the estimate is implausible, take the crystal whose implied line rate is a standard one.
 */
export function crystalFromClkdiv(
  clkdiv: number,
  hostBaud: number,
  opts: { baudKnown?: boolean } = {},
): { mhz: number; estimate: number; lineBaud: number } {
  const div = clkdiv & UART_CLKDIV_MASK;
  const estimate = (hostBaud * div) / 1e6 / 2;
  if (opts.baudKnown !== false && estimate >= 20 && estimate <= 52) {
    return { mhz: estimate > 45 ? 48 : estimate > 33 ? 40 : 26, estimate, lineBaud: hostBaud };
  }
  let best = { mhz: 26, estimate, lineBaud: hostBaud, err: Infinity };
  for (const mhz of [26, 40]) {
    const line = div ? (2 * mhz * 1e6) / div : 0;
    for (const std of STANDARD_BAUDS) {
      const err = Math.abs(line - std) / std;
      if (err < best.err) best = { mhz, estimate: mhz, lineBaud: std, err };
    }
  }
  return { mhz: best.mhz, estimate: best.estimate, lineBaud: best.lineBaud };
}
