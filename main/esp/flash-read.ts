/**
 * Stub READ_FLASH (0xD2): stop-and-wait 4 KiB packets, a 4-byte ACK of the running total after each, then
 * the 16-byte MD5 of everything read (notes 1.9). The digest is checked here.
 */
import { createHash } from 'node:crypto';
import { FlashbackError, throwIfAborted } from '../errors.js';
import { progressReporter } from '../progress.js';
import { Op, TIMEOUTS, u32s } from './commands.js';
import type { Connection } from './connection.js';
import type { ReadOptions } from './types.js';
import { READ_PACKET } from './chips/esp8266.js';

export async function readFlashStub(
  conn: Connection,
  offset: number,
  length: number,
  opts: ReadOptions = {},
): Promise<Uint8Array> {
  const report = progressReporter('read', length, opts.onProgress);
  await conn.command(Op.READ_FLASH, u32s(offset, length, READ_PACKET, 1));
  const out = new Uint8Array(length);
  let got = 0;
  try {
    while (got < length) {
      throwIfAborted(opts.signal, 'Reading flash');
      const frame = await conn.readFrame(
        TIMEOUTS.defaultMs,
        `flash data at 0x${(offset + got).toString(16)}`,
      );
      const expected = Math.min(READ_PACKET, length - got);
      if (frame.length !== expected) {
        throw new FlashbackError(
          'GARBAGE',
          `Corrupt data at 0x${(offset + got).toString(16)}: expected 0x${expected.toString(16)} bytes but received 0x${frame.length.toString(16)}`,
          'Bytes were lost on the line: lower the baud rate or use a shorter cable.',
          { offset: offset + got },
        );
      }
      out.set(frame, got);
      got += frame.length;
      report(got);
      if (got < length && opts.enough?.(out.subarray(0, got))) {
        // Any ACK that is not 4 bytes ends the transfer: the chip sends its MD5 of what it sent.
        await conn.writeFrame(Uint8Array.of(0));
        break;
      }
      await conn.writeFrame(u32s(got));
    }
    const digest = await conn.readFrame(TIMEOUTS.defaultMs, 'the MD5 of the data read');
    const mine = createHash('md5').update(out.subarray(0, got)).digest();
    if (digest.length !== 16 || !mine.equals(Buffer.from(digest))) {
      throw new FlashbackError(
        'MD5_MISMATCH',
        `Data read from 0x${offset.toString(16)} does not match the chip's MD5`,
        'Bytes were corrupted on the line: lower the baud rate and retry.',
        { offset, length },
      );
    }
    return got < length ? out.subarray(0, got) : out;
  } catch (e) {
    await abandonRead(conn);
    throw e;
  }
}

/**
 * Leaves a read cut short: any ACK frame that is not 4 bytes makes the stub stop and send its MD5
 * (notes 1.9); then drop whatever is in flight so the next command starts clean.
 */
async function abandonRead(conn: Connection): Promise<void> {
  try {
    await conn.writeFrame(Uint8Array.of(0));
    await new Promise((r) => setTimeout(r, 100));
    await conn.flushInput();
  } catch {
    // The link may be gone; the caller's error says so.
  }
}

export async function flashMd5(conn: Connection, offset: number, length: number): Promise<Uint8Array> {
  const r = await conn.command(Op.SPI_FLASH_MD5, u32s(offset, length, 0, 0), {
    timeoutMs: Math.max(TIMEOUTS.defaultMs, Math.ceil((TIMEOUTS.md5PerMbMs * length) / 1e6)),
  });
  if (r.body.length === 16) return Uint8Array.from(r.body);
  if (r.body.length === 32) return Uint8Array.from(Buffer.from(new TextDecoder().decode(r.body), 'hex'));
  throw new FlashbackError(
    'GARBAGE',
    `SPI_FLASH_MD5 returned ${r.body.length} bytes`,
    'Retry; reset the board if it repeats.',
  );
}
