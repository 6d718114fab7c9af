/**
 * What a virtual board gives the firmware it "boots" in run mode. The board's boot ROM (main/sim/board)
 * prints the 74880-baud banner, checks the image at 0x0, then calls a FirmwareRunner with this context.
 * The demo firmware (main/sim/demo-firmware.ts) reads its app descriptor from flash and, with valid RF
 * init data, opens a real MQTT connection through `network`.
 */
export interface VirtualNetwork {
  /** Maps a host name/port the firmware wants to reach to a real loopback address, or null (unreachable). */
  resolve(host: string, port: number): { host: string; port: number } | null;
}

export interface FirmwareContext {
  /** Reads the board's flash (as the app would through the flash cache). */
  readFlash(offset: number, length: number): Uint8Array;
  flashSize: number;
  /** Station MAC, lower-case colon-separated. */
  mac: string;
  /** Chip id as system_get_chip_id() returns it. */
  chipId: number;
  /** Sends app output on the UART at `baud` (default 115200); the host sees garbage if its rate differs. */
  print(text: string, baud?: number): void;
  /** Aborted when the board is reset, enters the bootloader, or is closed: stop timers and sockets. */
  signal: AbortSignal;
  network: VirtualNetwork;
  /**
   * The chip resets itself: 2 for an exception/soft-WDT/ESP.restart (the ROM reports it as an external
   * reset), 4 for the hardware watchdog. The ROM then prints its banner at its own rate and boots again.
   */
  restart(rstCause?: 2 | 4): void;
}

export type FirmwareRunner = (ctx: FirmwareContext) => void | Promise<void>;
