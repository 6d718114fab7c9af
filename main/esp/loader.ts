/**
 * connect(): from an open link to a ready EspSession — reset + SYNC, chip checks, stub upload, baud
 * change (notes 1.13 order of operations).
 */
import { FlashbackError } from '../errors.js';
import { humanSize } from '../units.js';
import type { Link } from '../transport/link.js';
import { Op, u32s } from './commands.js';
import { Connection } from './connection.js';
import { detectChip } from './chip-detect.js';
import {
  BLOCK_SIZE,
  FLASH_ADDRESS_SPACE,
  ROM_LOADER_BAUD,
  ROM_DEFAULT_REACH,
  ROM_WRITE_BLOCK,
  SECTOR_SIZE,
} from './chips/esp8266.js';
import { flashMd5 } from './flash-read.js';
import { proveFlashSize } from './flash-size.js';
import { sleep } from './reset.js';
import { Session } from './session.js';
import { runStub } from './stub-upload.js';
import { syncWithChip } from './sync.js';
import type { ChipInfo, ConnectOptions, EspSession } from './types.js';
import { CHIP_DETECT_MAGIC_REG } from './chips/esp8266.js';

export async function connect(link: Link, opts: ConnectOptions = {}): Promise<EspSession> {
  if (link.baud !== ROM_LOADER_BAUD && link.capabilities.baudChange) await link.setBaud(ROM_LOADER_BAUD);
  const conn = new Connection(link, opts.signal);
  try {
    const sync = await syncOrFindStub(link, conn, opts);
    const wantStub = opts.stub !== false;
    if (!wantStub && sync.stubRunning) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'A flasher stub is still running on the board, so the ROM loader cannot be reached',
        'Reset the board (RST, or run without --before no-reset) and retry with --no-stub.',
      );
    }
    let info: ChipInfo;
    let reach: number;
    if (!sync.stubRunning) {
      // The ROM attaches the SPI flash in FLASH_BEGIN(0, 0) (notes 1.12); needed before RDID.
      await conn.command(Op.FLASH_BEGIN, u32s(0, 0, ROM_WRITE_BLOCK, 0));
      info = await detectChip(conn, link.baud, opts.log, link.capabilities.baudChange);
      // The ROM's descriptor bounds the ROM's own writes and the v2 stub's reads, writes and MD5s: widen
      // it before the stub starts (notes 1.12). With the stub, to the whole address space, so the real
      // array size can be measured whatever the label says; ROM-only, to the labelled size.
      const want = wantStub ? FLASH_ADDRESS_SPACE : Math.max(info.flash.size, ROM_DEFAULT_REACH);
      reach =
        want > ROM_DEFAULT_REACH
          ? await setRomDescriptor(conn, want, info.flash.size, opts.log)
          : ROM_DEFAULT_REACH;
      if (wantStub) await runStub(conn);
    } else {
      info = await detectChip(conn, link.baud, opts.log, link.capabilities.baudChange);
      reach = 0;
    }
    if (wantStub) {
      // The legacy stub passes this to the ROM's SPIParamCfg; the v2 stub keeps it to itself.
      await conn.command(Op.SPI_SET_PARAMS, setParamsBody(FLASH_ADDRESS_SPACE));
      // A stub left running by an earlier session reaches what its ROM descriptor said then.
      if (sync.stubRunning) reach = await probeStubReach(conn);
      info = { ...info, flash: await measuredFlash(conn, info, reach) };
    }
    if (wantStub && opts.baud && opts.baud !== link.baud) await changeBaud(conn, opts.baud, opts.log);
    return new Session(conn, info, wantStub, reach, opts.log, wantStub && sync.stubRunning);
  } catch (e) {
    conn.dispose();
    throw e;
  }
}

/**
 * SYNC as asked; when nothing answers at 115200 and a stub may have been left running at a faster rate
 * on a board that could not be reset, look for it there (no reset) and reuse it.
 */
async function syncOrFindStub(link: Link, conn: Connection, opts: ConnectOptions) {
  const syncOpts = {
    before: opts.before ?? 'default-reset',
    ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.onPrompt ? { onPrompt: opts.onPrompt } : {}),
  };
  try {
    return await syncWithChip(link, conn, syncOpts);
  } catch (e) {
    const rate = opts.stubBaud;
    if (!(e instanceof FlashbackError && e.code === 'NOT_IN_BOOTLOADER')) throw e;
    if (!rate || rate === link.baud || !link.capabilities.baudChange) throw e;
    opts.log?.(
      `No answer at ${link.baud} baud; the last run left a flasher stub at ${rate} baud: trying that.`,
    );
    const before = link.baud;
    await link.setBaud(rate);
    try {
      const found = await syncWithChip(link, conn, { ...syncOpts, before: 'no-reset', attempts: 1 });
      if (found.stubRunning) return found;
    } catch {
      // Not there either: report the original failure.
    }
    await link.setBaud(before);
    throw e;
  }
}

function setParamsBody(size: number): Uint8Array {
  return u32s(0, size, BLOCK_SIZE, SECTOR_SIZE, 256, 0xffff);
}

/**
 * SPI_SET_PARAMS to the ROM loader (opcode 0x0B, FlashDwnLdParamCfgMsgProc in the boot ROM; esptool
 * never sends it there). Returns the reach it gives, or the ROM's 4 MB if the ROM refused.
 */
async function setRomDescriptor(
  conn: Connection,
  size: number,
  label: number,
  log?: (l: string) => void,
): Promise<number> {
  const r = await conn.command(Op.SPI_SET_PARAMS, setParamsBody(size), {
    allowFailure: true,
    mayBeUnsupported: true,
  });
  if (r.status === 0) return size;
  // Said only when it matters: the label promises more than the ROM's 4 MB.
  if (label > ROM_DEFAULT_REACH)
    log?.(
      `The ROM ${r.unsupported ? 'does not take' : 'refused'} SPI_SET_PARAMS: only the first ${humanSize(ROM_DEFAULT_REACH)} of the ${humanSize(label)} flash can be reached.`,
    );
  return ROM_DEFAULT_REACH;
}

/** The largest power of two the running stub can hash up to (its last sector answers). */
async function probeStubReach(conn: Connection): Promise<number> {
  for (let size = FLASH_ADDRESS_SPACE; size > SECTOR_SIZE; size /= 2) {
    const r = await conn.command(Op.SPI_FLASH_MD5, u32s(size - SECTOR_SIZE, SECTOR_SIZE, 0, 0), {
      allowFailure: true,
    });
    if (r.status === 0) return size;
  }
  return 0;
}

/** The JEDEC label checked against the array itself (flash-size.ts); `size` becomes what is proven. */
async function measuredFlash(conn: Connection, info: ChipInfo, reach: number): Promise<ChipInfo['flash']> {
  const label = info.flash.size;
  const proof = await proveFlashSize(
    async (o, l) => Buffer.from(await flashMd5(conn, o, l)).toString('hex'),
    reach,
  );
  const size = proof.proven ?? (label ? Math.max(label, proof.atLeast) : proof.atLeast);
  return { ...info.flash, size, jedecSize: label, provenSize: proof.proven, sizeNote: proof.note };
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
  // A rate the driver refuses must never reach the stub: it would switch alone and, on a board no
  // reset reaches, stay stranded there. Ask the driver first (a local ioctl; not over RFC 2217).
  if (link.kind !== 'rfc2217') {
    const from = link.baud;
    await link.setBaud(baud);
    await link.setBaud(from);
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
