/**
 * Function names for crash addresses, read straight from the sketch's ELF symbol table (`--elf`):
 * ELF32 little-endian (Xtensa lx106), section headers → SHT_SYMTAB and its string table → FUNC symbols
 * sorted by address. No toolchain needed; addr2line would add file:line, this names the function.
 */
import { readFile } from 'node:fs/promises';
import { FlashbackError } from '../errors.js';

export interface ElfSymbol {
  name: string;
  addr: number;
  size: number;
}

export interface SymbolTable {
  readonly count: number;
  /** The function containing addr, with the offset into it, or null. */
  lookup(addr: number): { name: string; offset: number } | null;
}

const SHT_SYMTAB = 2;
const STT_FUNC = 2;

function bad(file: string, why: string): FlashbackError {
  return new FlashbackError(
    'BAD_IMAGE',
    `${file} is not a usable ELF: ${why}`,
    'Pass the .elf the sketch was built from (Arduino: Sketch → Export compiled binary, or the build folder; PlatformIO: .pio/build/<env>/firmware.elf)',
  );
}

export function parseElfSymbols(buf: Uint8Array, file = 'ELF'): SymbolTable {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 52 || dv.getUint32(0) !== 0x7f454c46) throw bad(file, 'no ELF magic');
  if (buf[4] !== 1) throw bad(file, 'not a 32-bit ELF (ESP8266 ELFs are ELF32)');
  if (buf[5] !== 1) throw bad(file, 'not little-endian');
  const shoff = dv.getUint32(32, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  if (shoff === 0 || shentsize < 40 || shoff + shnum * shentsize > buf.length)
    throw bad(file, 'section headers missing or cut off');
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      type: dv.getUint32(o + 4, true),
      offset: dv.getUint32(o + 16, true),
      size: dv.getUint32(o + 20, true),
      link: dv.getUint32(o + 24, true),
      entsize: dv.getUint32(o + 36, true),
    };
  };
  const syms: ElfSymbol[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    if (s.type !== SHT_SYMTAB) continue;
    if (s.link >= shnum) throw bad(file, 'symbol table without a string table');
    const str = sh(s.link);
    const ent = s.entsize || 16;
    if (s.offset + s.size > buf.length || str.offset + str.size > buf.length)
      throw bad(file, 'symbol table cut off');
    for (let o = s.offset; o + ent <= s.offset + s.size; o += ent) {
      const info = buf[o + 12]!;
      if ((info & 0xf) !== STT_FUNC) continue;
      const nameAt = str.offset + dv.getUint32(o, true);
      let end = nameAt;
      while (end < str.offset + str.size && buf[end] !== 0) end++;
      const name = Buffer.from(buf.subarray(nameAt, end)).toString('latin1');
      const addr = dv.getUint32(o + 4, true);
      if (name && addr) syms.push({ name, addr, size: dv.getUint32(o + 8, true) });
    }
  }
  if (!syms.length) throw bad(file, 'no function symbols (stripped?)');
  syms.sort((a, b) => a.addr - b.addr);
  return {
    count: syms.length,
    lookup(addr) {
      let lo = 0;
      let hi = syms.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (syms[mid]!.addr <= addr) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best < 0) return null;
      const s = syms[best]!;
      // Size 0 (hand-written asm) still owns up to 4 KiB after its start; beyond that we do not guess.
      const limit = s.size || 0x1000;
      return addr - s.addr < limit ? { name: s.name, offset: addr - s.addr } : null;
    },
  };
}

export async function loadElfSymbols(file: string): Promise<SymbolTable> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    throw new FlashbackError('FILE_NOT_FOUND', `Cannot read ${file}`, 'Check the path given to --elf');
  }
  return parseElfSymbols(buf, file);
}
