/** Flash-mode choices for a restore; "keep" is the default (USERS.md pattern 7: qio on a dio board bricks it). */
export type FlashModeChoice = 'keep' | 'qio' | 'qout' | 'dio' | 'dout';

export const FLASH_MODES: { value: FlashModeChoice; label: string }[] = [
  { value: 'keep', label: "Keep the image's mode (recommended)" },
  { value: 'dio', label: 'DIO' },
  { value: 'dout', label: 'DOUT (ESP-01, ESP8285, most compatible)' },
  { value: 'qio', label: 'QIO (only if the flash chip supports it)' },
  { value: 'qout', label: 'QOUT' },
];
