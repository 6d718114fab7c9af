import { describe, expect, it } from 'vitest';
import {
  chipIdFromEfuses,
  crystalFromClkdiv,
  flashSizeFromJedec,
  flashVendor,
  isEsp8285,
  macFromEfuses,
} from '../../main/esp/chips/esp8266.js';

describe('ESP8266 chip facts', () => {
  it('derives the MAC and chip id from eFuse words (notes 2.3)', () => {
    // 18:fe:34 OUI (mac1 bits 16-23 = 0), last three octets a1 b2 01
    const mac0 = 0x01000000;
    const mac1 = 0x0000a1b2;
    expect(macFromEfuses(mac0, mac1, 0)).toEqual([0x18, 0xfe, 0x34, 0xa1, 0xb2, 0x01]);
    expect(macFromEfuses(mac0, mac1 | 0x10000, 0)?.slice(0, 3)).toEqual([0xac, 0xd0, 0x74]);
    expect(macFromEfuses(mac0, mac1 | 0x20000, 0)).toBeNull();
    expect(macFromEfuses(mac0, mac1, 0x00123456)?.slice(0, 3)).toEqual([0x12, 0x34, 0x56]);
    expect(chipIdFromEfuses(mac0, mac1)).toBe(0xa1b201);
  });
  it('tells ESP8285 by eFuse bit 4 or 80', () => {
    expect(isEsp8285([0, 0, 0, 0])).toBe(false);
    expect(isEsp8285([0x10, 0, 0, 0])).toBe(true);
    expect(isEsp8285([0, 0, 0x10000, 0])).toBe(true);
  });
  it('maps JEDEC ids to size and vendor', () => {
    expect(flashSizeFromJedec(0x1640ef)).toBe(4 << 20);
    expect(flashSizeFromJedec(0x1460e0)).toBe(1 << 20);
    expect(flashSizeFromJedec((0x18401f & 0xffff00) | 0x1f)).toBe(0); // unknown Adesto code
    expect(flashSizeFromJedec(0x00471f)).toBe(4 << 20);
    expect(flashVendor(0xef)).toBe('Winbond');
    expect(flashVendor(0x42)).toMatch(/unknown \(0x42\)/);
  });
  it('estimates the crystal from UART_CLKDIV at the synced rate', () => {
    // 26 MHz crystal, UART clock 52 MHz, 115200 baud → div ≈ 451
    expect(crystalFromClkdiv(451, 115200).mhz).toBe(26);
    expect(crystalFromClkdiv(694, 115200).mhz).toBe(40);
  });
});

describe('crystal on a line whose rate the host cannot know (TCP bridge)', () => {
  it('a 40 MHz crystal on a bridge at 921600 is 40 MHz, not 26', () => {
    expect(crystalFromClkdiv(87, 115200, { baudKnown: false })).toMatchObject({ mhz: 40, lineBaud: 921600 });
  });
  it('26 and 40 MHz at 115200, 460800 and 921600 are told apart', () => {
    for (const mhz of [26, 40]) {
      for (const baud of [115200, 230400, 460800, 921600]) {
        const div = Math.round((2 * mhz * 1e6) / baud);
        expect(crystalFromClkdiv(div, 115200, { baudKnown: false }), `${mhz} MHz at ${baud}`).toMatchObject({
          mhz,
          lineBaud: baud,
        });
      }
    }
  });
});
