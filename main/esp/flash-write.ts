/**
 * Flash writes: compressed through the stub (FLASH_DEFL_*), plain through the stub (FLASH_*), and plain
 * through the ROM with the erase-size bug compensated (notes 1.7, 1.11).
 */
import zlib from 'node:zlib';
import { throwIfAborted } from '../errors.js';
import { progressReporter, type OpOptions } from '../progress.js';
import type { WriteOptions } from './types.js';
import { dataBlock, deflBlockTimeout, Op, TIMEOUTS, timeoutFor, u32s } from './commands.js';
import type { Connection } from './connection.js';
import { ROM_WRITE_BLOCK, SECTOR_SIZE, STUB_WRITE_BLOCK } from './chips/esp8266.js';
import { eraseSectorNative } from './registers.js';
import { planRomWrite, romErasedSectors } from './rom-erase.js';

/** esptool pads images to a multiple of 4 with 0xFF (notes 1.11). */
export function padTo(data: Uint8Array, multiple: number, fill = 0xff): Uint8Array {
  const rem = data.length % multiple;
  if (rem === 0) return data;
  const out = new Uint8Array(data.length + multiple - rem).fill(fill);
  out.set(data);
  return out;
}

/**
 * Sends `data` as numbered data-phase blocks of `blockSize` (FLASH_DATA, FLASH_DEFL_DATA): `pad` fills
 * the last block with 0xFF (plain writes), `sent` reports how many payload bytes are through.
 */
async function sendBlocks(
  conn: Connection,
  op: number,
  data: Uint8Array,
  blockSize: number,
  o: { pad: boolean; timeoutMs?: number; signal?: AbortSignal | undefined; sent: (bytes: number) => void },
): Promise<void> {
  const blocks = Math.ceil(data.length / blockSize);
  for (let seq = 0; seq < blocks; seq++) {
    throwIfAborted(o.signal, 'Writing flash');
    const slice = data.subarray(seq * blockSize, (seq + 1) * blockSize);
    const { data: payload, chk } = dataBlock(o.pad ? padTo(slice, blockSize) : slice, seq);
    await conn.command(op, payload, { chk, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
    o.sent(Math.min(data.length, (seq + 1) * blockSize));
  }
}

/** Data blocks for the stub: its maximum, or smaller while the line keeps damaging them. */
function blockSizeOf(opts: WriteOptions): number {
  const b = opts.blockSize ?? STUB_WRITE_BLOCK;
  return Math.max(0x400, Math.min(STUB_WRITE_BLOCK, b));
}

export async function writeCompressed(
  conn: Connection,
  offset: number,
  data: Uint8Array,
  opts: WriteOptions = {},
): Promise<void> {
  const raw = padTo(data, 4);
  const packed = zlib.deflateSync(raw, { level: 9 });
  // Like esptool: data that does not shrink (random, already compressed) goes uncompressed.
  if (packed.length >= raw.length) return writePlainStub(conn, offset, raw, opts);
  const blockSize = blockSizeOf(opts);
  const blocks = Math.ceil(packed.length / blockSize);
  const report = progressReporter('write', raw.length, opts.onProgress);
  await conn.command(Op.FLASH_DEFL_BEGIN, u32s(raw.length, blocks, blockSize, offset));
  // Each block's ack covers the previous block's inflate + erase + program.
  const perBlockUncompressed = Math.ceil((raw.length / Math.max(1, packed.length)) * blockSize);
  await sendBlocks(conn, Op.FLASH_DEFL_DATA, packed, blockSize, {
    pad: false,
    timeoutMs: deflBlockTimeout(perBlockUncompressed),
    signal: opts.signal,
    sent: (n) => report(Math.round((n / packed.length) * raw.length)),
  });
  // The reply to END proves the last block reached flash (the stub acks blocks before writing them).
  await conn.command(Op.FLASH_DEFL_END, u32s(1), { timeoutMs: deflBlockTimeout(perBlockUncompressed) });
}

export async function writePlainStub(
  conn: Connection,
  offset: number,
  data: Uint8Array,
  opts: WriteOptions = {},
): Promise<void> {
  const raw = padTo(data, 4);
  const blockSize = blockSizeOf(opts);
  const blocks = Math.ceil(raw.length / blockSize);
  const report = progressReporter('write', raw.length, opts.onProgress);
  await conn.command(Op.FLASH_BEGIN, u32s(raw.length, blocks, blockSize, offset));
  await sendBlocks(conn, Op.FLASH_DATA, raw, blockSize, {
    pad: true,
    timeoutMs: timeoutFor(TIMEOUTS.erasePerMbMs, Math.max(blockSize, 0x10000)),
    signal: opts.signal,
    sent: report,
  });
  await conn.command(Op.FLASH_END, u32s(1));
}

/**
 * ROM-only write. Starts must be sector-aligned: the ROM erases whole sectors, so an unaligned start is
 * moved down and padded with 0xFF in front, as esptool does (the bytes before it in that sector are lost).
 */
export async function writeRom(
  conn: Connection,
  offset: number,
  data: Uint8Array,
  opts: OpOptions = {},
): Promise<void> {
  const lead = offset % SECTOR_SIZE;
  let raw = data;
  if (lead) {
    raw = new Uint8Array(lead + data.length).fill(0xff);
    raw.set(data, lead);
    offset -= lead;
  }
  raw = padTo(raw, 4);
  const sectors = Math.ceil(raw.length / SECTOR_SIZE);
  const report = progressReporter('write', raw.length, opts.onProgress);
  let done = 0;
  for (const part of planRomWrite(offset, sectors)) {
    const start = part.offset - offset;
    const chunk = raw.subarray(start, Math.min(raw.length, start + part.sectors * SECTOR_SIZE));
    if (part.nativeErase) await eraseSectorNative(conn, part.offset);
    const blocks = Math.ceil(chunk.length / ROM_WRITE_BLOCK);
    const erased = part.eraseSize ? romErasedSectors(part.offset / SECTOR_SIZE, part.eraseSize) : 0;
    // The ROM erases up front inside FLASH_BEGIN, so its timeout scales with what it really erases.
    await conn.command(Op.FLASH_BEGIN, u32s(part.eraseSize, blocks, ROM_WRITE_BLOCK, part.offset), {
      timeoutMs: timeoutFor(TIMEOUTS.erasePerMbMs, erased * SECTOR_SIZE),
    });
    const base = done;
    await sendBlocks(conn, Op.FLASH_DATA, chunk, ROM_WRITE_BLOCK, {
      pad: true,
      signal: opts.signal,
      sent: (n) => report(base + n),
    });
    done += chunk.length;
  }
  // No FLASH_END: on the ROM it leaves the loader (notes 1.11).
}
