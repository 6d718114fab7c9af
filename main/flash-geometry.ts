/**
 * The SPI NOR flash geometry every layer shares (ESP8266-NOTES 8.1): the 4 KiB sector is the unit of
 * erase, hashing, diff and compare; the 64 KiB block is the larger erase unit; the 256-byte page is
 * the program unit. One definition, imported by esp, flash, image, workbench and sim alike.
 */
export const SECTOR_SIZE = 0x1000;
export const BLOCK_SIZE = 0x10000;
export const PAGE_SIZE = 0x100;
