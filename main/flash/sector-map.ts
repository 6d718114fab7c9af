/**
 * Per-sector MD5s of a live board without reading it: the stub hashes on chip (SPI_FLASH_MD5). 64 KiB
 * blocks are hashed first; a blank block stands for 16 blank sectors, so mostly-empty flash costs few
 * round trips. Used by sparse backup, diff-restore and quick compare.
 */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../errors.js';
import { md5Hex, sectorDigests } from '../image/sectors.js';
import type { EspSession } from '../esp/types.js';
import { bytesPerSecSince, type OpOptions } from '../progress.js';

import { BLOCK_SIZE as BLOCK, SECTOR_SIZE as SECTOR } from '../flash-geometry.js';

export { SECTOR };

const blankMd5Cache = new Map<number, string>();
export function blankMd5(size: number): string {
  let v = blankMd5Cache.get(size);
  if (!v) {
    v = createHash('md5').update(Buffer.alloc(size, 0xff)).digest('hex');
    blankMd5Cache.set(size, v);
  }
  return v;
}

export { md5Hex };

/** MD5 (hex) of each 4 KiB sector of [offset, offset+size) — size and offset sector-aligned. */
export async function boardSectorMd5s(
  session: EspSession,
  offset: number,
  size: number,
  opts: OpOptions = {},
): Promise<string[]> {
  const sectors = size / SECTOR;
  const out: string[] = new Array<string>(sectors);
  const started = performance.now();
  let done = 0;
  const report = () =>
    opts.onProgress?.({
      phase: 'hash',
      done: done * SECTOR,
      total: size,
      bytesPerSec: bytesPerSecSince(started, done * SECTOR),
    });
  const hashSector = async (at: number) => {
    out[(at - offset) / SECTOR] = Buffer.from(await session.flashMd5(at, SECTOR)).toString('hex');
  };
  // Data tends to come in stretches: after a block with data, hash the next block's sectors directly
  // (no block hash that would be thrown away); after a blank one, try the cheap block hash again.
  let lastBlockHadData = false;
  for (let at = offset; at < offset + size;) {
    throwIfAborted(opts.signal, 'Hashing flash');
    const aligned = at % BLOCK === 0 && at + BLOCK <= offset + size;
    if (!aligned) {
      await hashSector(at);
      at += SECTOR;
      done++;
      report();
      continue;
    }
    if (!lastBlockHadData) {
      const h = Buffer.from(await session.flashMd5(at, BLOCK)).toString('hex');
      if (h === blankMd5(BLOCK)) {
        for (let i = 0; i < BLOCK / SECTOR; i++) out[(at - offset) / SECTOR + i] = blankMd5(SECTOR);
        at += BLOCK;
        done += BLOCK / SECTOR;
        report();
        continue;
      }
    }
    let data = false;
    for (let s = at; s < at + BLOCK; s += SECTOR) {
      await hashSector(s);
      if (out[(s - offset) / SECTOR] !== blankMd5(SECTOR)) data = true;
    }
    lastBlockHadData = data;
    at += BLOCK;
    done += BLOCK / SECTOR;
    report();
  }
  return out;
}

/** Hex MD5 of each 4 KiB sector of a buffer (the last sector padded with 0xFF, as flash would read). */
export function bufferSectorMd5s(bytes: Uint8Array): string[] {
  if (bytes.length % SECTOR === 0) return sectorDigests(bytes);
  const padded = new Uint8Array(Math.ceil(bytes.length / SECTOR) * SECTOR).fill(0xff);
  padded.set(bytes);
  return sectorDigests(padded);
}

/** Groups sector indexes into runs of consecutive sectors: [[start, count], …]. */
export function runsOf(indexes: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const i of indexes) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === i) last[1]++;
    else runs.push([i, 1]);
  }
  return runs;
}
