/**
 * The ESP8266's identity as its registers show it: the chip-detect magic, the four eFuse words that
 * encode the MAC, chip id and ESP8285 flags (notes 2.1–2.3), and UART_CLKDIV (notes 2.4).
 */
export const MAGIC_REG = 0x40001000;
export const MAGIC_VALUE = 0xfff0c101;
export const EFUSE_BASE = 0x3ff00050;
export const UART_CLKDIV_REG = 0x60000014;

export type SimChip = 'ESP8266EX' | 'ESP8285';

export function parseMac(mac: string): number[] {
  const parts = mac.split(/[:-]/).map((p) => parseInt(p, 16));
  if (parts.length !== 6 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`bad MAC "${mac}" (want aa:bb:cc:dd:ee:ff)`);
  }
  return parts;
}

export function formatMac(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * eFuse words [0x50, 0x54, 0x58, 0x5C] such that esptool's formula gives `mac` back: the two Espressif
 * OUIs go in mac1 bits 16–23 (0 → 18:fe:34, 1 → ac:d0:74), any other OUI in mac3. The filler bits are
 * fixed so bit 4 / bit 80 (ESP8285) stay clear unless the chip is an ESP8285, which also gets the
 * embedded-flash size bits (r0_4 set, r3_26 = 2 MB) and therefore always carries its OUI in mac3.
 */
export function efuseWords(
  mac: string,
  chip: SimChip = 'ESP8266EX',
  embeddedFlash = 1 << 20,
): [number, number, number, number] {
  const m = parseMac(mac);
  const [o0, o1, o2, b3, b4, b5] = m as [number, number, number, number, number, number];
  const oui = formatMac([o0, o1, o2]);
  let mac0 = ((b5 << 24) | 0x0002c0) >>> 0;
  let mac1 = (b3 << 8) | b4;
  let mac3 = 0;
  const word2 = 0x00002a00;
  if (chip === 'ESP8266EX' && oui === '18:fe:34') mac1 |= 0 << 16;
  else if (chip === 'ESP8266EX' && oui === 'ac:d0:74') mac1 |= 1 << 16;
  else mac3 = (o0 << 16) | (o1 << 8) | o2;
  if (chip === 'ESP8285') {
    mac0 |= 1 << 4;
    if (embeddedFlash >= 2 << 20) mac3 |= 1 << 26; // r3_26: 2 MB with r0_4 set
  }
  return [mac0 >>> 0, mac1 >>> 0, word2, mac3 >>> 0];
}

/** system_get_chip_id() from the eFuse words (notes 2.3). */
export function chipIdFromEfuse(words: readonly number[]): number {
  const mac0 = words[0] ?? 0;
  const mac1 = words[1] ?? 0;
  return ((mac0 >>> 24) | ((mac1 & 0xffffff) << 8)) >>> 0;
}

/** UART_CLKDIV for a UART clocked at 2 × crystal running at `baud` (notes 2.4). */
export function uartClkdiv(crystalMHz: number, baud: number): number {
  return Math.round((2 * crystalMHz * 1e6) / baud) & 0xfffff;
}
