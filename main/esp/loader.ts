/**
 * connect(): from an open link to a ready EspSession — reset + SYNC, chip checks, stub upload, baud
 * change (notes 1.13 order of operations).
 */
import { FlashbackError } from '../errors.js';
import type { Link } from '../transport/link.js';
import { Op, u32s } from './commands.js';
import { Connection } from './connection.js';
import { detectChip } from './chip-detect.js';
import { BLOCK_SIZE, ROM_BAUD, ROM_WRITE_BLOCK, SECTOR_SIZE } from './chips/esp8266.js';
import { sleep } from './reset.js';
import { Session } from './session.js';
import { runStub } from './stub-upload.js';
import { syncWithChip } from './sync.js';
import type { ConnectOptions, EspSession } from './types.js';
import { CHIP_DETECT_MAGIC_REG } from './chips/esp8266.js';

export async function connect(link: Link, opts: ConnectOptions = {}): Promise<EspSession> {
  if (link.baud !== ROM_BAUD && link.capabilities.baudChange) await link.setBaud(ROM_BAUD);
  const conn = new Connection(link, opts.signal);
  try {
    const sync = await syncWithChip(link, conn, {
      before: opts.before ?? 'default-reset',
      ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.onManualReset ? { onManualReset: opts.onManualReset } : {}),
    });
    const wantStub = opts.stub !== false;
    if (!wantStub && sync.stubRunning) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'A flasher stub is still running on the board, so the ROM loader cannot be reached',
        'Reset the board (RST, or run without --before no-reset) and retry with --no-stub.',
      );
    }
    if (wantStub && !sync.stubRunning) await runStub(conn);
    if (!wantStub) {
      // The ROM attaches the SPI flash in FLASH_BEGIN(0, 0) (notes 1.12); needed before RDID.
      await conn.command(Op.FLASH_BEGIN, u32s(0, 0, ROM_WRITE_BLOCK, 0));
    }
    const info = await detectChip(conn, link.baud, opts.log);
    if (wantStub && info.flash.size) {
      await conn.command(Op.SPI_SET_PARAMS, u32s(0, info.flash.size, BLOCK_SIZE, SECTOR_SIZE, 256, 0xffff));
    }
    if (wantStub && opts.baud && opts.baud !== link.baud) await changeBaud(conn, opts.baud, opts.log);
    return new Session(conn, info, wantStub, opts.log);
  } catch (e) {
    conn.dispose();
    throw e;
  }
}

/**
 * CHANGE_BAUDRATE: the reply comes at the old rate, then both sides switch (notes 1.12). Checked with a
 * register read; a failure is BAUD_FAILED so the caller can reconnect at a lower rate.
 */
async function changeBaud(conn: Connection, baud: number, log?: (l: string) => void): Promise<void> {
  const link = conn.link;
  if (!link.capabilities.baudChange) {
    log?.(`${link.spec} keeps its bridge's rate; staying at ${link.baud} baud.`);
    return;
  }
  await conn.command(Op.CHANGE_BAUDRATE, u32s(baud, link.baud));
  await link.setBaud(baud);
  await sleep(50);
  await conn.flushInput();
  try {
    await conn.command(Op.READ_REG, u32s(CHIP_DETECT_MAGIC_REG), { timeoutMs: 500 });
  } catch (e) {
    if (e instanceof FlashbackError && (e.code === 'TIMEOUT' || e.code === 'GARBAGE')) {
      throw new FlashbackError(
        'BAUD_FAILED',
        `The link does not work at ${baud} baud`,
        'Use a lower --baud.',
        { baud },
      );
    }
    throw e;
  }
}
