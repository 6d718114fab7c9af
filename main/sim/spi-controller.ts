/**
 * The ESP8266 SPI0 flash controller at 0x60000200, as far as READ_REG/WRITE_REG clients use it
 * (notes 2.5, 1.7 "Way out"). Two ways to run a flash command:
 * - the "user command" (SPI_CMD bit 18 USR): opcode from USER2, lengths from USER1, MISO result in W0;
 *   an address, when USER has USR_ADDR, is taken from the top `addrBits` of SPI_ADDR (esptool writes it
 *   MSB-aligned: addr << (32 − addrBits));
 * - the native command bits of SPI_CMD (WREN 30, RDID 28, RDSR 27 → RD_STATUS, SE 24, BE 23, CE 22),
 *   address in the low 24 bits of SPI_ADDR.
 * Commands complete at once (the CMD bit reads back clear) and flash time is charged by the NorFlash.
 * Erases need a prior write-enable, as on the chip.
 */
import type { NorFlash } from './nor-flash.js';

export const SPI_BASE = 0x60000200;
const CMD = SPI_BASE + 0x00;
const ADDR = SPI_BASE + 0x04;
const RD_STATUS = SPI_BASE + 0x10;
const USER = SPI_BASE + 0x1c;
const USER1 = SPI_BASE + 0x20;
const USER2 = SPI_BASE + 0x24;
const W0 = SPI_BASE + 0x40;

const CMD_USR = 1 << 18;
const USR_ADDR = 1 << 30;

export class SpiController {
  private regs = new Map<number, number>();
  private wel = false;

  constructor(private readonly flash: NorFlash) {}

  owns(addr: number): boolean {
    return addr >= SPI_BASE && addr < SPI_BASE + 0x100;
  }

  read(addr: number): number {
    return this.regs.get(addr) ?? 0;
  }

  write(addr: number, value: number): void {
    value >>>= 0;
    if (addr !== CMD) {
      this.regs.set(addr, value);
      return;
    }
    // CMD: run whatever bits are set, then read back as idle (the bits self-clear).
    if (value & CMD_USR) this.userCommand();
    if (value & (1 << 30)) this.wel = true;
    if (value & (1 << 29)) this.wel = false;
    if (value & (1 << 28)) this.regs.set(W0, this.flash.jedecWord);
    if (value & (1 << 27)) this.regs.set(RD_STATUS, this.status());
    const nativeAddr = this.read(ADDR) & 0xffffff;
    if (value & (1 << 24)) this.erase(() => this.flash.eraseSector(nativeAddr));
    if (value & (1 << 23)) this.erase(() => this.flash.eraseBlock(nativeAddr));
    if (value & (1 << 22)) this.erase(() => this.flash.eraseChip());
    this.regs.set(CMD, 0);
  }

  /** Status register: WIP is never set (operations complete at once), WEL reflects write-enable. */
  private status(): number {
    return this.wel ? 0x02 : 0x00;
  }

  private erase(run: () => void): void {
    if (!this.wel) return; // the chip ignores erases without WREN
    run();
    this.wel = false;
  }

  private userCommand(): void {
    const user = this.read(USER);
    const user1 = this.read(USER1);
    const opcode = this.read(USER2) & 0xff;
    const addrBits = ((user1 >>> 26) & 0x3f) + 1;
    const addr = user & USR_ADDR ? this.read(ADDR) >>> (32 - addrBits) : 0;
    switch (opcode) {
      case 0x9f: // RDID: manufacturer, type, capacity
        this.regs.set(W0, this.flash.jedecWord);
        break;
      case 0x05: // RDSR
        this.regs.set(W0, this.status());
        break;
      case 0x06:
        this.wel = true;
        break;
      case 0x04:
        this.wel = false;
        break;
      case 0x20:
        this.erase(() => this.flash.eraseSector(addr));
        break;
      case 0xd8:
        this.erase(() => this.flash.eraseBlock(addr));
        break;
      case 0x5a: // SFDP: enough for esptool's XMC check (byte 0x10 = vendor id)
        this.regs.set(W0, this.sfdp(addr));
        break;
      default: // power-down, release, reset-enable/reset: nothing to model
        break;
    }
  }

  private sfdp(addr: number): number {
    const table = [0x53, 0x46, 0x44, 0x50, 0x06, 0x01, 0x00, 0xff];
    let word = 0;
    for (let i = 0; i < 4; i++) {
      const a = addr + i;
      const b = a < table.length ? table[a]! : a === 0x10 ? this.flash.jedecId[0] : 0xff;
      word |= b << (8 * i);
    }
    return word >>> 0;
  }
}
