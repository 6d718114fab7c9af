/**
 * The contract of main/flash (operations on boards and images) used by the CLI and main/workbench.
 * Every long operation takes OpOptions ({ onProgress, signal, log }).
 */
import type { AfterReset, BeforeReset, ChipInfo } from '../esp/types.js';
import type { FactoryResetStep } from '../image/factory-reset.js';
import type { FlashSizes } from './flash-sizes.js';

export interface BoardTarget {
  /** Port spec: device path, socket://HOST:PORT, rfc2217://HOST:PORT or virtual:NAME. */
  port: string;
  /** Rate for bulk transfer once the stub runs (default 921600 on hardware and virtual, link rate on TCP). */
  baud?: number;
  before?: BeforeReset;
  after?: AfterReset;
  /** false = ROM loader only (--no-stub). */
  stub?: boolean;
  /**
   * The board meant (its MAC, as detected earlier): another board found on the port — swapped on the
   * same adapter since — is refused before anything is read or written.
   */
  expectMac?: string;
}

export interface DetectResult extends ChipInfo {
  port: string;
  /** USB bridge name from VID:PID ("CH340", "CP2102", "FT232R", "virtual", "tcp", "unknown"). */
  bridge: string;
  /** Header, JEDEC and proven sizes side by side (detect and backup fill it; null when not measured). */
  sizes?: FlashSizes | null;
}

export interface BackupResult {
  file: string;
  size: number;
  md5: string;
  sha256: string;
  seconds: number;
  /** Bytes actually read over the wire (sparse backups skip blank sectors). */
  bytesRead: number;
  libraryId: string | null;
  info: DetectResult;
}

export type FlashModeChoice = 'keep' | 'qio' | 'qout' | 'dio' | 'dout';

export interface WriteResult {
  written: { sectors: number; bytes: number };
  skippedSectors: number;
  verified: boolean;
  seconds: number;
}

export interface RestorePlan {
  port: string;
  image: { source: string; size: number; sha256: string; libraryId: string | null };
  target: DetectResult;
  flashMode: { image: string | null; chosen: FlashModeChoice; patched: boolean };
  backupFirst: boolean;
  full: boolean;
  preserve: string[];
  /** Clone the firmware, reset the factory data (the donor's RF calibration and WiFi are not copied). */
  resetFactoryData?: boolean;
  /** With resetFactoryData: the sectors reset instead of copied, by the image's firmware layout. */
  factoryReset?: { rule: 'arduino' | 'nonos'; steps: FactoryResetStep[] } | null;
  /** Sectors that will be written (index = offset / 4096), and those skipped as already equal. */
  writeSectors: number[];
  skipSectors: number;
  warnings: string[];
}

export interface RestoreResult extends WriteResult {
  backupId: string | null;
  plan: RestorePlan;
}
