/**
 * The ESP8266 boot ROM's 74880-baud banner and the boot-chain failures the ROM and SDK print
 * (ESP8266-NOTES 3.3, 3.4, 5.5). Pure functions: a line in, a decoded fact out.
 */

export interface RomBanner {
  /** ROM rst cause: 1 power-on, 2 external (EN pin / deep-sleep wake), 3 software, 4 hardware WDT. */
  rstCause: number;
  rstMeaning: string;
  /** boot mode (m, n): m = GPIO15<<2 | GPIO0<<1 | GPIO2 sampled at reset. */
  bootMode: [number, number];
  bootMeaning: string;
}

const RST_CAUSES: Record<number, string> = {
  0: 'unknown',
  1: 'power-on',
  2: 'external reset (EN/RST pin or deep-sleep wake)',
  3: 'software reset',
  4: 'hardware watchdog',
};

function bootModeMeaning(m: number): string {
  if (m === 1) return 'UART download mode (GPIO0 held low): the firmware does not run';
  if (m === 3) return 'boot from SPI flash (normal run)';
  if (m >= 4 && m <= 7) return 'SDIO mode (GPIO15 high): check the GPIO15 pull-down';
  return 'invalid strapping (GPIO2 low at reset?)';
}

// " ets Jan  8 2013,rst cause:2, boot mode:(3,6)" — the date text varies between ROM revisions,
// and Arduino prints the same "rst cause:N, boot mode:(m,n)" form after a software restart.
const BANNER = /rst cause:\s*(\d+),\s*boot mode:\s*\((\d+),\s*(\d+)\)/;

export function parseRomBanner(line: string): RomBanner | null {
  const m = BANNER.exec(line);
  if (!m) return null;
  const rstCause = Number(m[1]);
  const bootMode: [number, number] = [Number(m[2]), Number(m[3])];
  return {
    rstCause,
    rstMeaning: RST_CAUSES[rstCause] ?? `cause ${rstCause}`,
    bootMode,
    bootMeaning: bootModeMeaning(bootMode[0]),
  };
}

export type BootFailureKind =
  | 'csum-err'
  | 'no-image'
  | 'rf-init-missing'
  | 'system-param'
  | 'flash-size-mismatch'
  | 'partition-table'
  | 'eboot-load';

export interface BootFailure {
  kind: BootFailureKind;
  meaning: string;
  fix: string;
}

interface Rule extends BootFailure {
  re: RegExp;
}

const RULES: readonly Rule[] = [
  {
    kind: 'csum-err',
    re: /\bcsum err\b/,
    meaning: 'the ROM read the image at 0x0 but its checksum is wrong (notes 3.4)',
    fix: "The image was written badly or read in the wrong flash mode: rewrite it (restore a backup) and keep the header's flash mode (try --flash-mode dout on DOUT-only modules)",
  },
  {
    kind: 'rf-init-missing',
    re: /rf_cal\[0\]\s*!=\s*0x05/,
    meaning: 'the SDK found no valid RF init data at flash size − 0x4000 (byte 0 must be 0x05; notes 5.5)',
    fix: 'Write esp_init_data_default.bin at flash size − 0x4000 (e.g. 0x3FC000 on 4 MB: flashback write --offset 0x3FC000 esp_init_data_default_v08.bin), or restore a good backup',
  },
  {
    kind: 'system-param',
    re: /system param error/i,
    meaning:
      'the SDK system-parameter sectors (last 3 sectors) are corrupt or laid out for another flash size (notes 5.2)',
    fix: 'Erase the SDK config sectors (size − 0x3000 … end; write blank.bin there) or restore a backup made at the right flash size',
  },
  {
    kind: 'flash-size-mismatch',
    re: /Flash size mismatch/i,
    meaning: 'the firmware was built for a different flash size than the chip has (notes 3.4)',
    fix: "Rebuild with the board's real flash size, or restore with the header's size matching the chip (flashback detect shows it)",
  },
  {
    kind: 'partition-table',
    re: /partition table registration failed/i,
    meaning: 'the SDK 3 partition table does not fit the flash (notes 3.4, 5.2)',
    fix: "Rebuild for the chip's flash size, or restore a backup taken from a board of the same size",
  },
  {
    kind: 'eboot-load',
    re: /^e:\d+\s*$/,
    meaning: 'Arduino eboot could not load the app image (notes 3.4)',
    fix: 'Rewrite the sketch (restore a backup); check the flash mode',
  },
  {
    // Must come last: a csum err line is also followed by ets_main.c.
    kind: 'no-image',
    re: /^\s*ets_main\.c\s*$/,
    meaning:
      'the ROM found no bootable image at 0x0 (erased flash or wrong magic), or stopped after a checksum error',
    fix: 'Write firmware at 0x0 (restore a backup); if "csum err" came first, rewrite the image',
  },
];

export function parseBootFailure(line: string): BootFailure | null {
  for (const r of RULES) {
    if (r.re.test(line)) return { kind: r.kind, meaning: r.meaning, fix: r.fix };
  }
  return null;
}

export function bootFailureInfo(kind: BootFailureKind): BootFailure {
  const r = RULES.find((x) => x.kind === kind);
  if (!r) throw new Error(`unknown boot failure ${kind}`);
  return { kind: r.kind, meaning: r.meaning, fix: r.fix };
}
