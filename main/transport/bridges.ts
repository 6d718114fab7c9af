/**
 * USB-serial bridges by VID:PID, with what each means for an ESP8266 flasher: the fastest rate that is
 * reliable in practice, a sensible default, and known issues (ESP8266-NOTES 8.2, 3.2; USERS.md #2, #3).
 * These feed adapter-aware defaults (`defaultBaudFor`) and the step-down ladder (`baudLadder`).
 */

export interface BridgeInfo {
  /** Short name shown in `flashback ports` and detect's `bridge` ("CH340", "CP210x", "FT232R", …). */
  name: string;
  /** Lower-case hex, 4 digits. */
  vendorId: string;
  /** Lower-case hex, 4 digits, or '*' for every product of the vendor. */
  productId: string;
  vendor: string;
  /** Highest rate we would try (the ladder never starts above it). */
  maxBaud: number;
  /** Rate to switch to once the stub runs, before any rate is remembered for the adapter. */
  defaultBaud: number;
  notes: string[];
}

const CH34X_LINUX =
  'Linux kernels from 5.13.10 broke CH340 + ESP8266 syncing for some users (esptool#653): ' +
  'if sync times out, retry (longer reset delays help) or try another kernel.';
const CH34X_MAC = 'macOS drivers have refused rates above 230400 with CH340 (esptool#102, #145).';
const FTDI_LATENCY =
  'FTDI latency timer defaults to 16 ms, which slows request/response transfers; on Linux lower it with ' +
  '`echo 1 > /sys/bus/usb-serial/devices/ttyUSBx/latency_timer` (Windows: Device Manager → Port Settings → ' +
  'Advanced → Latency Timer).';

/** The table. Max rates from the vendors' datasheets (ESP8266-NOTES 8.2); defaults err on the safe side. */
export const BRIDGES: readonly BridgeInfo[] = [
  b('CH340', '1a86', '7523', 'QinHeng (WCH)', 2_000_000, 460_800, [CH34X_LINUX, CH34X_MAC]),
  b('CH341', '1a86', '5523', 'QinHeng (WCH)', 2_000_000, 460_800, [CH34X_LINUX, CH34X_MAC]),
  b('CH9102', '1a86', '55d4', 'QinHeng (WCH)', 3_000_000, 921_600, []),
  // ea60 covers CP2102, CP2102N and CP2104; CP2102 tops out near 921600/1M (AN205 quantised rates).
  b('CP210x', '10c4', 'ea60', 'Silicon Labs', 921_600, 460_800, [
    'CP2102 rates are quantised (SiLabs AN205); 921600 is its practical ceiling (CP2102N reaches 3M).',
  ]),
  b('CP2105', '10c4', 'ea70', 'Silicon Labs', 921_600, 460_800, []),
  b('FT232R', '0403', '6001', 'FTDI', 3_000_000, 921_600, [FTDI_LATENCY]),
  b('FT231X', '0403', '6015', 'FTDI', 3_000_000, 921_600, [FTDI_LATENCY]),
  b('FT2232', '0403', '6010', 'FTDI', 3_000_000, 921_600, [FTDI_LATENCY]),
  b('PL2303', '067b', '2303', 'Prolific', 460_800, 230_400, [
    'Counterfeit PL2303 chips are refused by recent Windows drivers; older clones are flaky above 230400.',
  ]),
  // Native USB on Espressif chips: the "baud" is virtual, so any rate works.
  b('Espressif USB', '303a', '*', 'Espressif', 3_000_000, 921_600, []),
];

function b(
  name: string,
  vendorId: string,
  productId: string,
  vendor: string,
  maxBaud: number,
  defaultBaud: number,
  notes: string[],
): BridgeInfo {
  return { name, vendorId, productId, vendor, maxBaud, defaultBaud, notes };
}

/** Normalises "0x1A86", "1A86", "1a86" to "1a86"; undefined for anything that is not 1–4 hex digits. */
export function normHexId(id: string | number | undefined): string | undefined {
  if (id === undefined) return undefined;
  const s = typeof id === 'number' ? id.toString(16) : id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(s) ? s.padStart(4, '0') : undefined;
}

/** The bridge for a VID:PID, or undefined when unknown. Exact PID matches win over vendor wildcards. */
export function bridgeFor(vendorId: string | number | undefined, productId: string | number | undefined) {
  const vid = normHexId(vendorId);
  const pid = normHexId(productId);
  if (!vid) return undefined;
  return (
    BRIDGES.find((x) => x.vendorId === vid && x.productId === pid) ??
    BRIDGES.find((x) => x.vendorId === vid && x.productId === '*')
  );
}

/** Rates the ESP8266 stub path uses, fastest first (SYNC itself is always at 115200, NOTES 1.5). */
export const STANDARD_BAUDS = [921_600, 460_800, 230_400, 115_200] as const;

/**
 * The rate bulk transfers start at on a port: the adapter's default for a known USB bridge, else the
 * fastest standard rate (the ladder steps down if it fails). `flashback ports` shows the same number.
 */
export function startBaudFor(
  bridge: string | undefined,
  platform: NodeJS.Platform = process.platform,
): number {
  const known = bridge !== undefined && BRIDGES.some((x) => x.name === bridge);
  return known ? defaultBaudFor(bridge, platform) : STANDARD_BAUDS[0];
}

/** Rates `--baud` accepts: what the host UARTs and the stub's CHANGE_BAUDRATE handle. */
export const BAUD_RANGE = { min: 9600, max: 4_000_000 } as const;

/** Safe rate when nothing is known about the adapter: esptool's docs say most setups work at 230400. */
export const UNKNOWN_BRIDGE_BAUD = 230_400;

/**
 * Default bulk-transfer rate for an adapter (by bridge name or entry). macOS caps CH340/CH341 at 230400
 * (esptool#102). Unknown adapters get 230400; the ladder steps down from there on failure.
 */
export function defaultBaudFor(
  bridge: string | BridgeInfo | undefined,
  platform: NodeJS.Platform = process.platform,
): number {
  const info = typeof bridge === 'string' ? BRIDGES.find((x) => x.name === bridge) : bridge;
  if (!info) return UNKNOWN_BRIDGE_BAUD;
  if (platform === 'darwin' && info.vendorId === '1a86' && info.productId !== '55d4') return 230_400;
  return info.defaultBaud;
}

/**
 * The rates to try, from `start` down: standard rates at or below `start`, with `start` itself first
 * when it is not standard (e.g. 1500000 → [1500000, 921600, 460800, 230400, 115200]). Always ends at
 * 115200 unless `start` is lower, then it is just [start].
 */
export function baudLadder(start: number): number[] {
  const lower = STANDARD_BAUDS.filter((r) => r <= start);
  if (lower.length === 0) return [start];
  return lower[0] === start ? [...lower] : [start, ...lower];
}

/**
 * Known-issue notes that apply here and now (e.g. the CH340 kernel regression only on Linux ≥ 5.13.10,
 * the macOS cap only on macOS). `kernelRelease` is `os.release()` on Linux.
 */
export function applicableNotes(info: BridgeInfo, platform: NodeJS.Platform, kernelRelease = ''): string[] {
  return info.notes.filter((n) => {
    if (n === CH34X_LINUX) return platform === 'linux' && kernelAtLeast(kernelRelease, [5, 13, 10]);
    if (n === CH34X_MAC) return platform === 'darwin';
    return true;
  });
}

export function kernelAtLeast(release: string, min: [number, number, number]): boolean {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== min[i]!) return v[i]! > min[i]!;
  }
  return true;
}

/** Linux sysfs file holding an FTDI port's latency timer in ms (NOTES 8.2), e.g. for /dev/ttyUSB0. */
export function ftdiLatencyTimerPath(devicePath: string): string | undefined {
  const m = /(ttyUSB\d+)$/.exec(devicePath);
  return m ? `/sys/bus/usb-serial/devices/${m[1]}/latency_timer` : undefined;
}
