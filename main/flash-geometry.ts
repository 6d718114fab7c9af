/**
 * The SPI NOR flash geometry every layer shares (ESP8266-NOTES 8.1): the 4 KiB sector is the unit of
 * erase, hashing, diff and compare; the 64 KiB block is the larger erase unit; the 256-byte page is
 * the program unit. One definition, imported by esp, flash, image, workbench and sim alike.
 */
export const SECTOR_SIZE = 0x1000;
export const BLOCK_SIZE = 0x10000;
export const PAGE_SIZE = 0x100;
/** The largest SPI flash an ESP8266 addresses (16 MB, 24-bit addresses). */
export const MAX_FLASH_BYTES = 16 * 1024 * 1024;

/**
 * The largest file the workbench accepts: a 16 MB flash image plus a little for a header or trailer.
 * Here, beside the geometry, so the renderer checks a dropped file against the same number the host
 * and the shell do (main/workbench/api.ts re-exports it).
 */
export const MAX_UPLOAD_BYTES = MAX_FLASH_BYTES + 64 * 1024;
