/**
 * What the bootloader protocol layer offers the layers above (main/flash, main/cli, main/workbench).
 * `flash/` never sees SLIP bytes or opcodes; it sees an EspSession.
 */
import type { OpOptions } from '../progress.js';

export type ChipName = 'ESP8266EX' | 'ESP8285';

export interface FlashId {
  /** JEDEC manufacturer id, e.g. 0xEF. */
  manufacturerId: number;
  /** Vendor name from the id ("Winbond", "GigaDevice", … or "unknown (0x5E)"). */
  manufacturer: string;
  /** Two-byte device id (memory type << 8 | capacity code), e.g. 0x4016. */
  device: number;
  /** The 24-bit id as read (manufacturer in the low byte), e.g. 0x1640EF. */
  jedecId: number;
  /**
   * The size to use: proven from the array itself when a stub could measure it (flash-size.ts), else the
   * JEDEC label's; 0 when neither is known.
   */
  size: number;
  /** Size from the JEDEC capacity code (the label); 0 when the code is unknown. */
  jedecSize: number;
  /** Size shown by the wrap-around of addresses; null when it could not be measured (ROM only, blank). */
  provenSize: number | null;
  /** How the size was found, or why it could not be proven. */
  sizeNote: string;
}

export interface ChipInfo {
  chip: ChipName;
  /** Station MAC, lower-case colon-separated. */
  mac: string;
  crystalMHz: number;
  flash: FlashId;
  /** Same as SDK system_get_chip_id(). */
  chipId: number;
  features: string[];
}

export type BeforeReset = 'default-reset' | 'no-reset' | 'manual';
export type AfterReset = 'hard-reset' | 'no-reset';

export interface ConnectOptions extends OpOptions {
  before?: BeforeReset;
  /** Upload the flasher stub (default true). false keeps to the ROM loader. */
  stub?: boolean;
  /** Rate to switch to once the stub runs (default: stay at the link's rate). */
  baud?: number;
  /** Connect attempts (each: reset + up to 5 SYNC tries). Default 7 with reset, 2 without. */
  attempts?: number;
  /**
   * A stub may still be running at this rate (an earlier run on this port could not put it back to
   * 115200): tried, without a reset, when SYNC at 115200 finds nothing.
   */
  stubBaud?: number;
}

export interface ReadOptions extends OpOptions {
  /**
   * Asked after each packet with the bytes so far: true ends the read there (the chip stops and sends
   * its MD5 of what it sent), and the result is that shorter prefix. A backup stops once the block's
   * own hash proves the rest is blank.
   */
  enough?: (bytes: Uint8Array) => boolean;
}

export interface WriteOptions extends OpOptions {
  /** Send zlib-compressed (stub only; default true with the stub). */
  compress?: boolean;
  /** Data block size (stub: 1 KiB … 16 KiB, default 16 KiB); smaller blocks survive a bad line. */
  blockSize?: number;
}

export interface EspSession {
  readonly info: ChipInfo;
  /** True when the flasher stub is running (reads, MD5, compressed writes available). */
  readonly stub: boolean;
  /** The link's current baud. */
  readonly baud: number;
  /**
   * Bytes of address space this session can reach: the ROM's flash descriptor bounds the ROM loader and
   * the v2 stub (notes 1.12). connect() widens it before the stub starts; a stub left running by an
   * earlier session keeps what it had (often 4 MB).
   */
  readonly reach: number;
  /** Reads [offset, offset+length). Stub only; throws ROM_CANNOT in ROM mode. Checks the stub's MD5. */
  readFlash(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array>;
  /** On-chip MD5 of a range (stub only). */
  flashMd5(offset: number, length: number, opts?: OpOptions): Promise<Uint8Array>;
  /**
   * Writes `data` at `offset` (both should be 4 KiB aligned for exact erase behaviour; a write that starts
   * mid-sector erases the bytes before it in that sector, as on the real chip). ROM mode compensates the
   * FLASH_BEGIN erase-size quirk so sectors outside the range are never erased.
   */
  writeFlash(offset: number, data: Uint8Array, opts?: WriteOptions): Promise<void>;
  eraseRegion(offset: number, size: number, opts?: OpOptions): Promise<void>;
  eraseFlash(opts?: OpOptions): Promise<void>;
  /** After a damaged exchange: waits for stray replies and drops them so the next command starts clean. */
  resync(): Promise<void>;
  /** Leaves the loader: hard-reset pulses EN with GPIO0 high (boots the firmware). Closes nothing. */
  /**
   * Puts a stub running at a fast rate back to 115200 first (a board without auto-reset keeps running
   * it, and the next connect syncs at 115200). Resolves with the rate a stub may still be running at
   * (null when it was put back or there is none).
   */
  finish(after: AfterReset): Promise<{ stubBaud: number | null }>;
}
