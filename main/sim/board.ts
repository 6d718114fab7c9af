/**
 * A virtual ESP8266 board: NOR flash, UART behind a USB bridge with the NodeMCU auto-reset circuit
 * (notes 3.1: RTS → EN, DTR → GPIO0, cross-coupled), the ROM loader, the flasher stubs and run mode.
 *
 * EN low holds the chip in reset. On EN rising GPIO0 is sampled: low → ROM serial loader (banner
 * boot mode:(1,6) + "waiting for host" at 74880), high → boot from flash (banner boot mode:(3,6), image
 * check, then the FirmwareRunner with app output at 115200). Power-on happens on the first attach (or
 * `powerOn()`), in run mode unless the board was created with `bootMode: 'download'` (GPIO0 strapped
 * low, like holding FLASH: what `flashback sim` uses so esptool's `--before no_reset` finds the ROM).
 */
import { bootBanner, checkFlashImage, DOWNLOAD_BANNER_TAIL } from './boot-rom.js';
import type { ChipPort, LoaderEngine, StubKind } from './chip-port.js';
import {
  EFUSE_BASE,
  MAGIC_REG,
  MAGIC_VALUE,
  UART_CLKDIV_REG,
  chipIdFromEfuse,
  efuseWords,
  formatMac,
  parseMac,
  uartClkdiv,
  type SimChip,
} from './efuse.js';
import type { FaultOptions } from './faults.js';
import type { FirmwareRunner, VirtualNetwork } from './firmware-api.js';
import { NorFlash } from './nor-flash.js';
import { RomLoader } from './rom-loader.js';
import { RomSpi } from './rom-spi.js';
import { slipFrame } from './slip-rx.js';
import { SpiController } from './spi-controller.js';
import { StubLegacy } from './stub-legacy.js';
import { StubV2 } from './stub-v2.js';
import { APP_BAUD, ROM_SYNC_BAUD } from './timing.js';
import { Uart } from './uart.js';
import type { BoardWire } from './wire.js';

export interface VirtualBoardOptions {
  /** Bytes; default 4 MiB. */
  flashSize?: number;
  /** [manufacturer, type, capacity]; default Winbond W25Q32 EF 40 16. */
  jedecId?: [number, number, number];
  /** Station MAC; default 18:fe:34:00:00:01. */
  mac?: string;
  chip?: SimChip;
  /**
   * Answer another family's chip-detect magic (e.g. 0x00F01D83, an ESP32 plugged in by mistake) so the
   * client's "not an ESP8266" path can be tried; everything else stays ESP8266.
   */
  chipMagic?: number;
  /** 26 (default) or 40: sets the ROM's banner rate and UART_CLKDIV. */
  crystalMHz?: number;
  /** Initial flash contents. */
  flash?: Uint8Array;
  /** Line-rate pacing (default true). */
  pace?: boolean;
  latencyMs?: number;
  faults?: FaultOptions;
  firmware?: FirmwareRunner;
  network?: VirtualNetwork;
  /** 'download': GPIO0 strapped low, so power-on and resets enter the ROM loader. Default 'run'. */
  bootMode?: 'run' | 'download';
  /**
   * false: no DTR/RTS auto-reset circuit (ESP-01 on a bare adapter): the host's control lines reach
   * nothing, so a stub left running stays at its last baud until power-on. Default true (NodeMCU).
   */
  autoReset?: boolean;
  /**
   * false: a ROM that does not take SPI_SET_PARAMS (esptool's documentation says the ESP8266 ROM has no
   * 0x0B; the disassembly says it does, notes 1.12), so nothing past its 4 MB descriptor can be reached.
   */
  romSetParams?: boolean;
}

export type BoardState = 'off' | 'reset' | 'rom' | 'stub' | 'app' | 'halted';

/** EN rise time through the auto-reset circuit's RC (ms). */
const EN_RISE_MS = 2;

const noNetwork: VirtualNetwork = { resolve: () => null };

export class VirtualBoard {
  readonly flash: NorFlash;
  readonly uart: Uart;
  readonly mac: string;
  readonly chip: SimChip;
  readonly crystalMHz: number;
  readonly chipId: number;
  private readonly efuse: [number, number, number, number];
  private readonly spi: SpiController;
  private readonly regs = new Map<number, number>();
  readonly romSpi: RomSpi;
  private readonly port: ChipPort;
  private engine: LoaderEngine | null = null;
  private appAbort: AbortController | null = null;
  private en = true;
  private poweredOn = false;
  private stateValue: BoardState = 'off';
  private stubValue: StubKind | null = null;

  constructor(private readonly opts: VirtualBoardOptions = {}) {
    this.flash = new NorFlash({
      ...(opts.flashSize !== undefined ? { size: opts.flashSize } : {}),
      ...(opts.jedecId ? { jedecId: opts.jedecId } : {}),
      ...(opts.flash ? { data: opts.flash } : {}),
      ...(opts.faults?.slowErase ? { slowEraseFactor: opts.faults.slowErase } : {}),
    });
    this.uart = new Uart({ pace: opts.pace ?? true, latencyMs: opts.latencyMs, faults: opts.faults });
    this.flash.onBusy = (ms) => this.uart.busy(ms);
    this.chip = opts.chip ?? 'ESP8266EX';
    this.mac = formatMac(parseMac(opts.mac ?? '18:fe:34:00:00:01'));
    this.crystalMHz = opts.crystalMHz ?? 26;
    this.efuse = efuseWords(this.mac, this.chip, this.flash.size);
    this.chipId = chipIdFromEfuse(this.efuse);
    this.spi = new SpiController(this.flash);
    this.romSpi = new RomSpi(this.flash);
    this.uart.onRx = (bytes) => this.engine?.pushBytes(bytes);
    // Without an auto-reset circuit (ESP-01 on a bare adapter) DTR/RTS reach nothing.
    this.uart.onSignals = (dtr, rts) => {
      if (opts.autoReset !== false) this.setLines(dtr, rts);
    };
    this.port = this.makePort();
  }

  get state(): BoardState {
    return this.stateValue;
  }

  /** Which stub runs, when state is 'stub'. */
  get stub(): StubKind | null {
    return this.stubValue;
  }

  /** Deterministic modeled time (ms): wire + flash + per-exchange latency since creation. */
  get modeledMs(): number {
    return this.uart.modeledMs;
  }

  /** UART rate the ROM prints its banner at: 115200 × crystal / 40 (notes 1.5). */
  get romBaud(): number {
    return Math.round((ROM_SYNC_BAUD * this.crystalMHz) / 40);
  }

  /** Connects a host (one at a time). The first attach powers the board on. */
  wire(): BoardWire {
    const w = this.uart.attach();
    if (!this.poweredOn) this.powerOn();
    return w;
  }

  powerOn(): void {
    if (this.poweredOn) return;
    this.poweredOn = true;
    this.boot(1);
  }

  /** The buttons, pressed by a person: FLASH held (GPIO0 low) while RST is tapped → the ROM loader. */
  resetIntoBootloader(): void {
    if (this.enTimer) clearTimeout(this.enTimer);
    this.enTimer = null;
    this.uart.clearOutput();
    this.poweredOn = true;
    this.gpio0Low = true;
    this.boot(2);
  }

  /** Unplug and plug in again: the only way to stop a stub on a board without auto-reset. */
  powerCycle(): void {
    if (this.enTimer) clearTimeout(this.enTimer);
    this.enTimer = null;
    this.stopAll();
    this.uart.clearOutput();
    this.poweredOn = true;
    this.boot(1);
  }

  close(): void {
    if (this.enTimer) clearTimeout(this.enTimer);
    this.stopAll();
    this.stateValue = 'off';
    this.uart.close();
  }

  // --- pins ----------------------------------------------------------------------------------------
  /** NodeMCU circuit (notes 3.1): EN low only for RTS without DTR; GPIO0 low only for DTR without RTS. */
  private setLines(dtr: boolean, rts: boolean): void {
    if (!this.poweredOn) this.powerOn();
    this.dtr = dtr;
    this.rts = rts;
    const en = !(rts && !dtr);
    if (en === this.en) return;
    this.en = en;
    if (this.enTimer) clearTimeout(this.enTimer);
    this.enTimer = null;
    if (!en) {
      this.stopAll();
      this.uart.clearOutput();
      this.stateValue = 'reset';
      return;
    }
    // The EN capacitor makes the rise take a moment, so the intermediate (DTR, RTS) = (T, T) state of
    // a sequential classic reset does not boot the chip; GPIO0 is sampled when EN is really high.
    this.enTimer = setTimeout(() => {
      this.enTimer = null;
      this.gpio0Low = this.dtr && !this.rts;
      this.boot(2);
    }, EN_RISE_MS);
  }

  private gpio0Low = false;
  private dtr = false;
  private rts = false;
  private enTimer: NodeJS.Timeout | null = null;

  private stopAll(): void {
    this.engine?.stop();
    this.engine = null;
    this.stubValue = null;
    this.appAbort?.abort();
    this.appAbort = null;
  }

  /** Reset exit: GPIO0 (or the download strap) picks the ROM loader or the flash boot. */
  private boot(cause: number): void {
    this.stopAll();
    this.romSpi.reset();
    const download = this.gpio0Low || this.opts.bootMode === 'download';
    this.gpio0Low = false;
    const banner = bootBanner(cause, download ? 1 : 3);
    if (download) return this.enterRom(banner + DOWNLOAD_BANNER_TAIL);
    // After a hardware-watchdog reset the ROM adds "wdt reset" under the banner (real captures).
    this.print(cause === 4 ? `${banner}\r\nwdt reset\r\n` : banner, this.romBaud);
    this.runFromFlash();
  }

  private enterRom(text: string | null): void {
    this.stopAll();
    this.stateValue = 'rom';
    this.uart.boardBaud = this.romBaud;
    this.uart.autobaud = true;
    if (text) this.print(text, this.romBaud);
    this.engine = new RomLoader(this.port, this.opts.romSetParams !== false);
  }

  private runFromFlash(): void {
    this.stopAll();
    this.uart.autobaud = false;
    const result = checkFlashImage((o, l) => this.flash.peek(o, l), this.flash.size);
    this.print(result.text, this.romBaud);
    if (!result.ok) {
      this.stateValue = 'halted';
      return;
    }
    this.stateValue = 'app';
    this.uart.boardBaud = APP_BAUD;
    const firmware = this.opts.firmware;
    if (!firmware) return;
    const abort = new AbortController();
    this.appAbort = abort;
    const ctx = {
      readFlash: (offset: number, length: number) => this.flash.peek(offset, length),
      flashSize: this.flash.size,
      mac: this.mac,
      chipId: this.chipId,
      print: (text: string, baud = APP_BAUD) => {
        if (!abort.signal.aborted) this.print(text, baud);
      },
      signal: abort.signal,
      network: this.opts.network ?? noNetwork,
      restart: (cause: 2 | 4 = 2) => {
        if (abort.signal.aborted) return;
        abort.abort();
        // The chip resets a moment after the app's last byte left the UART.
        setTimeout(() => {
          if (this.appAbort === abort && this.stateValue === 'app') this.boot(cause);
        }, 5);
      },
    };
    Promise.resolve()
      .then(() => firmware(ctx))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) this.print(`\r\nException: ${(e as Error).message}\r\n`, APP_BAUD);
      });
  }

  private print(text: string, baud: number): void {
    this.uart.boardSend(new TextEncoder().encode(text), baud);
  }

  // --- registers -----------------------------------------------------------------------------------
  private readReg(addr: number): number {
    addr >>>= 0;
    if (addr === MAGIC_REG) return this.opts.chipMagic ?? MAGIC_VALUE;
    if (addr >= EFUSE_BASE && addr < EFUSE_BASE + 16 && addr % 4 === 0)
      return this.efuse[(addr - EFUSE_BASE) / 4]!;
    if (addr === UART_CLKDIV_REG) return uartClkdiv(this.crystalMHz, this.uart.boardBaud);
    if (this.spi.owns(addr)) return this.spi.read(addr);
    return this.regs.get(addr) ?? 0;
  }

  private writeReg(addr: number, value: number, mask: number): void {
    addr >>>= 0;
    const merged = ((this.readReg(addr) & ~mask) | (value & mask)) >>> 0;
    if (this.spi.owns(addr)) this.spi.write(addr, merged);
    else this.regs.set(addr, merged);
  }

  private makePort(): ChipPort {
    return {
      flash: this.flash,
      romSpi: this.romSpi,
      uart: this.uart,
      readReg: (a) => this.readReg(a),
      writeReg: (a, v, m) => this.writeReg(a, v, m),
      sendFrame: (payload, baud) => this.uart.boardSend(slipFrame(payload), baud),
      startStub: (kind) => {
        this.stopAll();
        this.stateValue = 'stub';
        this.stubValue = kind;
        this.uart.autobaud = false;
        const stub = kind === 'v2' ? new StubV2(this.port) : new StubLegacy(this.port);
        this.engine = stub;
        stub.start();
      },
      runUnknownCode: () => {
        this.stopAll();
        this.stateValue = 'halted';
      },
      runApp: () => this.runFromFlash(),
      reset: () => this.boot(2),
      softResetToRom: () => this.enterRom(null),
    };
  }
}
