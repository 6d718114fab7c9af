/**
 * EspSession over one Connection: the operations main/flash builds on. Stub-only operations fail with
 * ROM_CANNOT in ROM mode, saying what to do instead.
 */
import { FlashbackError } from '../errors.js';
import { hexAddr, humanSize } from '../units.js';
import type { OpOptions } from '../progress.js';
import { Op, TIMEOUTS, timeoutFor, u32s } from './commands.js';
import { LONG_SILENCE_MS, type Connection } from './connection.js';
import { CHIP_DETECT_MAGIC_REG, ROM_LOADER_BAUD, SECTOR_SIZE } from './chips/esp8266.js';
import { flashMd5, readFlashStub } from './flash-read.js';
import { writeCompressed, writePlainStub, writeRom } from './flash-write.js';
import { eraseSectorNative } from './registers.js';
import { hardReset, sleep } from './reset.js';
import type { AfterReset, ChipInfo, EspSession, ReadOptions, WriteOptions } from './types.js';

/** ESC then a byte that is not DC/DD: a framing error the v2 stub answers by dropping the frame. */
const V2_REPHASE = Uint8Array.of(0xdb, 0x00);

function romCannot(what: string): FlashbackError {
  return new FlashbackError(
    'ROM_CANNOT',
    `The ESP8266 ROM loader cannot ${what}`,
    'Run without --no-stub: Flashback uploads a flasher stub that can.',
  );
}

export class Session implements EspSession {
  constructor(
    private readonly conn: Connection,
    readonly info: ChipInfo,
    readonly stub: boolean,
    readonly reach: number,
    private readonly log?: (l: string) => void,
    /**
     * The stub was already running (left by an earlier run or another tool). A legacy stub's inflate
     * buffer survives FLASH_DEFL_BEGIN, so bytes of an aborted compressed write would be flushed ahead
     * of ours: write uncompressed on such a stub.
     */
    private readonly inheritedStub = false,
  ) {
    // From here on every command is answered: a run of silent timeouts is a dead line, not a sync.
    conn.watchSilence = true;
  }

  get baud(): number {
    return this.conn.link.baud;
  }

  /**
   * Every path that erases or writes checks this first: past the ROM descriptor FLASH_BEGIN fails after
   * the native erase (ROM) or the stub refuses mid-way, leaving sectors blank (issue: "never erase what
   * cannot be written").
   */
  private assertInReach(offset: number, size: number, what: string): void {
    if (offset + size <= this.reach) return;
    throw new FlashbackError(
      'OUT_OF_REACH',
      `${what} at ${hexAddr(offset)}–${hexAddr(offset + size - 1)} is past the ${humanSize(this.reach)} this ${this.stub ? 'flasher stub' : 'ROM loader'} can reach; nothing was erased or written`,
      this.reach < (this.info.flash.size || 0)
        ? 'Reset the board (RST, or power-cycle it) and run again: Flashback then extends the reach before the stub starts.'
        : 'Pick an offset inside the flash.',
      { offset, size, reach: this.reach },
    );
  }

  async readFlash(offset: number, length: number, opts?: ReadOptions): Promise<Uint8Array> {
    if (!this.stub) throw romCannot('read flash');
    return readFlashStub(this.conn, offset, length, opts);
  }

  async flashMd5(offset: number, length: number): Promise<Uint8Array> {
    if (!this.stub) throw romCannot('compute an MD5 of flash');
    return flashMd5(this.conn, offset, length);
  }

  async writeFlash(offset: number, data: Uint8Array, opts: WriteOptions = {}): Promise<void> {
    this.assertInReach(offset, data.length, 'The write');
    if (!this.stub) return writeRom(this.conn, offset, data, opts);
    if (opts.compress === false || this.inheritedStub) return writePlainStub(this.conn, offset, data, opts);
    return writeCompressed(this.conn, offset, data, opts);
  }

  async eraseRegion(offset: number, size: number, opts: OpOptions = {}): Promise<void> {
    if (offset % SECTOR_SIZE || size % SECTOR_SIZE) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'Erase offset and size must be multiples of 4096',
        'Round them to 4 KiB sectors.',
      );
    }
    this.assertInReach(offset, size, 'The erase');
    if (this.stub) {
      // Twice esptool's allowance: a worn or slow chip (20× the typical block erase) must not time out
      // on a single 64 KiB block; cancel still ends the wait at once.
      await this.conn.command(Op.ERASE_REGION, u32s(offset, size), {
        timeoutMs: timeoutFor(2 * TIMEOUTS.erasePerMbMs, size),
      });
      opts.onProgress?.({ phase: 'erase', done: size, total: size, bytesPerSec: 0 });
      return;
    }
    for (let at = offset; at < offset + size; at += SECTOR_SIZE) {
      await eraseSectorNative(this.conn, at);
      opts.onProgress?.({ phase: 'erase', done: at + SECTOR_SIZE - offset, total: size, bytesPerSec: 0 });
    }
  }

  async eraseFlash(): Promise<void> {
    if (!this.stub) throw romCannot('erase the whole chip');
    await this.conn.command(Op.ERASE_FLASH, new Uint8Array(0), { timeoutMs: TIMEOUTS.chipEraseMs });
  }

  async resync(): Promise<void> {
    // A delimiter lost on the way in leaves the v2 stub's SLIP receiver out of phase: it takes each
    // closing C0 for an opening one and drops every later command (notes 1.1). An invalid escape puts it
    // back to "waiting for a frame" from any state without delivering one. Only on our own stub: the ROM
    // and the legacy stub would store those bytes in a frame and run it.
    if (this.stub && !this.inheritedStub) await this.conn.writeRaw(V2_REPHASE);
    // Replies to a damaged command (or the tail of an abandoned read) arrive within a few ms.
    await sleep(30);
    await this.conn.flushInput();
    // A long command timed out with not one byte back: ask a short question before the long one is
    // sent again, so a dead line shows within seconds instead of after another full timeout (the
    // connection closes it as stalled; a live board answers and the retry goes on).
    if (this.conn.silentWaitMs >= LONG_SILENCE_MS) {
      await this.conn
        .command(Op.READ_REG, u32s(CHIP_DETECT_MAGIC_REG), { timeoutMs: TIMEOUTS.defaultMs })
        .catch((e: unknown) => {
          if (!(e instanceof FlashbackError && e.code === 'TIMEOUT')) throw e;
        });
      await this.conn.flushInput();
    }
  }

  async finish(after: AfterReset): Promise<{ stubBaud: number | null }> {
    const link = this.conn.link;
    let stubBaud: number | null = null;
    if (this.stub && link.baud !== ROM_LOADER_BAUD) {
      stubBaud = link.baud;
      try {
        // The reply comes at the old rate, then both sides switch (notes 1.12).
        await this.conn.command(Op.CHANGE_BAUDRATE, u32s(ROM_LOADER_BAUD, link.baud), { timeoutMs: 1000 });
        await link.setBaud(ROM_LOADER_BAUD);
        await sleep(50);
        await this.conn.flushInput();
        stubBaud = null;
      } catch {
        this.log?.(
          `The flasher stub may still run at ${link.baud} baud: unplug the board and plug it back in (or press RST) before using another tool.`,
        );
      }
    }
    this.conn.dispose();
    if (after !== 'hard-reset') return { stubBaud };
    if (!link.capabilities.controlLines) {
      this.log?.(
        'This port cannot reset the board: press RST (or unplug and replug it) to run the firmware.',
      );
      return { stubBaud };
    }
    await hardReset(link);
    return { stubBaud };
  }
}
