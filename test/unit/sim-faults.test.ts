import { describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../main/esp/slip.js';
import { FaultInjector, parseFaults } from '../../main/sim/faults.js';
import { le32, request } from './sim-client.js';

const READ_FLASH = 0xd2;
const FLASH_BEGIN = 0x02;

function frames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const d = new SlipDecoder((f) => out.push(f));
  d.push(bytes);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe('frame faults (host → board header corruption)', () => {
  it('flips one byte of the offset of the 2nd READ_FLASH, and nothing else', () => {
    const inj = new FaultInjector(parseFaults(['header:READ_FLASH:1:2']));
    const cmds = [0x2c0000, 0x2c1000, 0x2c2000].map((o) => request(READ_FLASH, le32(o, 0x1000, 0x1000, 1)));
    // Split across writes at awkward places: the injector must reassemble frames.
    const wire = concat(cmds.map((c) => slipEncode(c)));
    const got = concat([
      inj.toBoard(wire.subarray(0, 7)),
      inj.toBoard(wire.subarray(7, 40)),
      inj.toBoard(wire.subarray(40)),
    ]);
    const f = frames(got);
    expect(f).toHaveLength(3);
    const offset = (fr: Uint8Array) => new DataView(fr.buffer, fr.byteOffset).getUint32(8, true);
    expect(offset(f[0]!)).toBe(0x2c0000);
    expect(offset(f[1]!)).toBe(0x2c1000 ^ 0x1000);
    expect(offset(f[2]!)).toBe(0x2c2000);
  });

  it('can zero a FLASH_BEGIN offset byte and escapes a result that is a SLIP delimiter', () => {
    const inj = new FaultInjector(parseFaults(['header:FLASH_BEGIN:14:1:0x10']));
    const cmd = request(FLASH_BEGIN, le32(0x4000, 4, 0x4000, 0xd00000));
    const f = frames(inj.toBoard(slipEncode(cmd)));
    expect(f).toHaveLength(1);
    expect(new DataView(f[0]!.buffer, f[0]!.byteOffset).getUint32(20, true)).toBe(0xc00000);
  });

  it('corrupts one byte of every Nth frame, keeps the framing, passes bytes between frames', () => {
    const inj = new FaultInjector(parseFaults(['corrupt-frame-every:3@to-host']));
    const payloads = Array.from({ length: 9 }, (_, i) => new Uint8Array(40).fill(i + 1));
    const noise = new TextEncoder().encode('boot log\n');
    const wire = concat([noise, ...payloads.map((p) => slipEncode(p))]);
    const got = inj.toHost(wire);
    expect(new TextDecoder().decode(got.subarray(0, noise.length))).toBe('boot log\n');
    const f = frames(got);
    expect(f).toHaveLength(9);
    const damaged = f.map((fr, i) => fr.some((b, j) => b !== payloads[i]![j])).map((d, i) => (d ? i + 1 : 0));
    expect(damaged.filter(Boolean)).toEqual([3, 6, 9]);
    // to-host only: requests pass untouched.
    expect(inj.toBoard(slipEncode(payloads[0]!))).toEqual(slipEncode(payloads[0]!));
  });

  it('parses frame and header fault specs and rejects a bad opcode', () => {
    expect(parseFaults(['corrupt-frame-every:120@to-board', 'header:0xd2:0'])).toEqual({
      corruptFrameEvery: 120,
      direction: 'to-board',
      corruptHeader: { op: 0xd2, byte: 0 },
    });
    expect(() => parseFaults(['header:NOPE:1'])).toThrow(/bad fault/);
  });
});
