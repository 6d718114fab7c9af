/**
 * Where files go on an ESP8266 (ESP8266-NOTES 4.2–4.4, 5.1–5.5): the common layouts as per-file
 * presets, and the address a recognised file most likely wants. S is the chip's flash size; presets
 * that depend on it are unavailable until the board is detected.
 */
import type { FileInfo } from '../../main/workbench/api.js';

export interface Preset {
  id: string;
  label: string;
  /** The address for a chip of `size` bytes (0 = unknown); null when it needs the size. */
  at(size: number): number | null;
}

const fromEnd = (back: number) => (size: number) => (size ? size - back : null);

/** boot_v1.x's second slot: after half the flash on 512 KB/1 MB chips (256+256, 512+512), else 1024+1024. */
const user2 = (size: number) => (size ? (size <= 0x100000 ? size / 2 + 0x1000 : 0x101000) : null);

export const PRESETS: Preset[] = [
  {
    id: 'app',
    label: 'Firmware at 0x0 (Arduino sketch, Tasmota, ESPHome, NodeMCU, MicroPython)',
    at: () => 0,
  },
  { id: 'boot', label: 'NONOS boot_v1.x at 0x0', at: () => 0 },
  { id: 'user1', label: 'NONOS user1.bin at 0x1000', at: () => 0x1000 },
  { id: 'user2', label: 'NONOS user2.bin (second OTA slot)', at: user2 },
  { id: 'rfcal', label: 'NONOS RF calibration (blank.bin) at size − 0x5000', at: fromEnd(0x5000) },
  { id: 'init', label: 'esp_init_data_default.bin at size − 0x4000', at: fromEnd(0x4000) },
  { id: 'sys', label: 'System parameters (blank.bin) at size − 0x2000', at: fromEnd(0x2000) },
];

/** The address a file's kind points to, or null when it cannot be told (raw data: the user decides). */
export function suggestAddress(info: FileInfo, size: number): number | null {
  switch (info.kind) {
    case 'arduino':
    case 'nonos-boot':
    case 'nonos-app':
    case 'full-dump':
      return 0;
    case 'nonos-user':
      return info.slot === 'user2' ? user2(size) : 0x1000;
    case 'rf-init-data':
      return fromEnd(0x4000)(size);
    case 'blank':
      return fromEnd(0x2000)(size);
    case 'raw':
      return null;
  }
}
