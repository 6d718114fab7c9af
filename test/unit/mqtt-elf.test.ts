/**
 * --elf: crash addresses resolved to functions from the ELF symbol table, read without a toolchain.
 * The ELF here is built byte by byte (ELF32 LE, Xtensa machine 94): null section, .symtab, .strtab.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../main/mqtt/diagnosis.js';
import { loadElfSymbols, parseElfSymbols } from '../../main/mqtt/elf-symbols.js';
import { captureEvents, captureLines, loadCorpus } from '../support/corpus.js';

function tinyElf(funcs: Array<[string, number, number]>): Uint8Array {
  const names = ['', ...funcs.map(([n]) => n)];
  const strtab = Buffer.from(names.join('\0') + '\0', 'latin1');
  const offsets = names.map((_, i) => names.slice(0, i).reduce((a, n) => a + n.length + 1, 0));
  const symtab = Buffer.alloc(16 * names.length);
  funcs.forEach(([, addr, size], i) => {
    const o = 16 * (i + 1);
    symtab.writeUInt32LE(offsets[i + 1]!, o);
    symtab.writeUInt32LE(addr, o + 4);
    symtab.writeUInt32LE(size, o + 8);
    symtab[o + 12] = (1 << 4) | 2; // GLOBAL FUNC
  });
  const symOff = 52;
  const strOff = symOff + symtab.length;
  const shOff = strOff + strtab.length + ((4 - ((strOff + strtab.length) % 4)) % 4);
  const out = Buffer.alloc(shOff + 3 * 40);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]).copy(out, 0);
  out.writeUInt16LE(2, 16); // ET_EXEC
  out.writeUInt16LE(94, 18); // EM_XTENSA
  out.writeUInt32LE(1, 20);
  out.writeUInt32LE(shOff, 32);
  out.writeUInt16LE(52, 40);
  out.writeUInt16LE(40, 46);
  out.writeUInt16LE(3, 48);
  symtab.copy(out, symOff);
  strtab.copy(out, strOff);
  const sh = (i: number, type: number, off: number, size: number, link: number, entsize: number) => {
    const o = shOff + i * 40;
    out.writeUInt32LE(type, o + 4);
    out.writeUInt32LE(off, o + 16);
    out.writeUInt32LE(size, o + 20);
    out.writeUInt32LE(link, o + 24);
    out.writeUInt32LE(entsize, o + 36);
  };
  sh(1, 2, symOff, symtab.length, 2, 16);
  sh(2, 3, strOff, strtab.length, 0, 0);
  return out;
}

const elf = tinyElf([
  ['setup', 0x40201010, 0x80],
  ['_Z11sensor_readv', 0x40202740, 0x60],
  ['loop', 0x40203400, 0x100],
]);

describe('--elf', () => {
  it('names the function at epc1 and along the stack', () => {
    const syms = parseElfSymbols(elf);
    expect(syms.count).toBe(3);
    expect(syms.lookup(0x40202777)).toEqual({ name: '_Z11sensor_readv', offset: 0x37 });
    expect(syms.lookup(0x40100000)).toBeNull();
    const capture = loadCorpus().find((c) => c.id === 'exc9-text-pointer-3507')!;
    const lines = captureLines(capture);
    const d = diagnose(
      {
        events: captureEvents(lines),
        hostProbe: null,
        brokerWatch: 'none',
        serialLines: lines.length,
        windowMs: 60_000,
      },
      { symbols: syms },
    );
    expect(d.diagnosis[0]!.code).toBe('crash-sketch');
    expect(d.diagnosis[0]!.cause).toMatch(/in _Z11sensor_readv\+0x37/);
    expect(d.diagnosis[0]!.cause).toMatch(/ASCII text/);
    expect(d.diagnosis[0]!.evidence.join(' ')).toMatch(/call stack \(from the ELF\): loop/);
    expect(d.diagnosis[0]!.fix).toMatch(/flash is not at fault/);
  });

  it('refuses what is not an ELF, with a hint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-elf-'));
    const f = path.join(dir, 'x.bin');
    fs.writeFileSync(f, Buffer.from([0xe9, 1, 2, 3, ...new Array(60).fill(0)]));
    await expect(loadElfSymbols(f)).rejects.toMatchObject({
      code: 'BAD_IMAGE',
      hint: expect.stringMatching(/\.elf/),
    });
    await expect(loadElfSymbols(path.join(dir, 'none.elf'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
