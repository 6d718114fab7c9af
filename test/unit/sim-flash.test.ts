import { describe, expect, it } from 'vitest';
import { NorFlash, sizeFromCapacityCode } from '../../main/sim/nor-flash.js';
import { romEraseSpan } from '../../main/sim/rom-loader.js';
import { chipIdFromEfuse, efuseWords, uartClkdiv } from '../../main/sim/efuse.js';

describe('NorFlash', () => {
  it('starts erased, programs by AND, erases to 0xFF', () => {
    const f = new NorFlash({ size: 0x10000 });
    expect(f.read(0, 4)).toEqual(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    f.program(0x10, Uint8Array.of(0xf0, 0x0f));
    f.program(0x10, Uint8Array.of(0x3c, 0xff));
    expect(f.peek(0x10, 2)).toEqual(Uint8Array.of(0x30, 0x0f));
    f.eraseSector(0x123);
    expect(f.peek(0x10, 2)).toEqual(Uint8Array.of(0xff, 0xff));
    expect(f.counters.sectorErases).toBe(1);
  });

  it('sector erase leaves neighbours; block erase clears 64 KiB', () => {
    const f = new NorFlash({ size: 0x20000, data: new Uint8Array(0x20000) });
    f.eraseSector(0x1000);
    expect(f.peek(0x0fff, 1)[0]).toBe(0);
    expect(f.isBlank(0x1000, 0x1000)).toBe(true);
    expect(f.peek(0x2000, 1)[0]).toBe(0);
    f.eraseBlock(0x10004);
    expect(f.isBlank(0x10000, 0x10000)).toBe(true);
    expect(f.peek(0xffff, 1)[0]).toBe(0);
  });

  it('wraps addresses at the chip size (mirror)', () => {
    const f = new NorFlash({ size: 0x10000 });
    f.program(0x10000 + 5, Uint8Array.of(0x12));
    expect(f.peek(5, 1)[0]).toBe(0x12);
    f.program(0, Uint8Array.of(0x34));
    expect(f.read(0xffff, 2)).toEqual(Uint8Array.of(0xff, 0x34));
    expect(f.read(0x20005, 1)[0]).toBe(0x12);
  });

  it('charges typical W25Q32 times and counts operations', () => {
    const f = new NorFlash({ size: 0x10000, slowEraseFactor: 2 });
    let ms = 0;
    f.onBusy = (t) => (ms += t);
    f.eraseSector(0);
    f.program(0, new Uint8Array(512));
    expect(ms).toBeCloseTo(45 * 2 + 2 * 0.7, 5);
    expect(f.counters.pagePrograms).toBe(2);
  });

  it('JEDEC id defaults to Winbond W25Q32 and its capacity code maps to 4 MB', () => {
    const f = new NorFlash();
    expect(f.jedecWord).toBe(0x1640ef);
    expect(f.size).toBe(4 << 20);
    expect(sizeFromCapacityCode(0x16)).toBe(4 << 20);
    expect(() => new NorFlash({ size: 3000 })).toThrow();
  });
});

describe('ROM FLASH_BEGIN erase-size bug (notes 1.7)', () => {
  it('1 sector requested → 2 erased', () => {
    expect(romEraseSpan(0, 0x1000)).toEqual({ startSector: 0, sectors: 2 });
  });
  it('1 block + 1.5 sectors → 34 erased', () => {
    expect(romEraseSpan(0, 0x11800).sectors).toBe(34);
  });
  it('Arduino FAQ: esptool sends 0x28000 for 0x37440 at 0 and the ROM erases the 56 sectors needed', () => {
    expect(romEraseSpan(0, 0x28000).sectors).toBe(56);
    expect(Math.ceil(0x37440 / 0x1000)).toBe(56);
  });
  it('a range ending exactly at the block boundary is doubled; crossing adds the head', () => {
    expect(romEraseSpan(0x4000, 0xc000)).toEqual({ startSector: 4, sectors: 24 });
    expect(romEraseSpan(0xe000, 0x3000)).toEqual({ startSector: 14, sectors: 5 });
    expect(romEraseSpan(0, 0).sectors).toBe(0);
  });
});

/** esptool's MAC formula, written out here from notes 2.3. */
function macFrom(words: number[]): string {
  const [mac0 = 0, mac1 = 0, , mac3 = 0] = words;
  let oui: number[];
  if (mac3 !== 0) oui = [(mac3 >>> 16) & 0xff, (mac3 >>> 8) & 0xff, mac3 & 0xff];
  else if (((mac1 >>> 16) & 0xff) === 0) oui = [0x18, 0xfe, 0x34];
  else if (((mac1 >>> 16) & 0xff) === 1) oui = [0xac, 0xd0, 0x74];
  else throw new Error('Unknown OUI');
  return [...oui, (mac1 >>> 8) & 0xff, mac1 & 0xff, (mac0 >>> 24) & 0xff]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(':');
}

describe('eFuse words', () => {
  for (const mac of ['18:fe:34:a1:b2:01', '18:fe:34:a1:b2:02', 'ac:d0:74:12:34:56', '5c:cf:7f:01:02:03']) {
    it(`MAC ${mac} round-trips through esptool's formula`, () => {
      const w = efuseWords(mac);
      expect(macFrom(w)).toBe(mac);
      // ESP8266EX: bit 4 and bit 80 clear.
      expect(w[0] & 0x10).toBe(0);
      expect(w[2] & 0x10000).toBe(0);
    });
  }
  it('chip id is mac0>>24 | (mac1 & 0xFFFFFF) << 8', () => {
    expect(chipIdFromEfuse(efuseWords('18:fe:34:a1:b2:01'))).toBe(0xa1b201);
  });
  it('ESP8285 sets bit 4 and keeps its MAC', () => {
    const w = efuseWords('18:fe:34:a1:b2:03', 'ESP8285', 2 << 20);
    expect(w[0] & 0x10).toBe(0x10);
    expect(macFrom(w)).toBe('18:fe:34:a1:b2:03');
  });
  it('UART_CLKDIV gives back 26 MHz at 115200 with esptool estimate', () => {
    const div = uartClkdiv(26, 115200);
    expect((115200 * div) / 1e6 / 2).toBeCloseTo(26, 0);
    expect((115200 * uartClkdiv(40, 115200)) / 1e6 / 2).toBeCloseTo(40, 0);
  });
});
