/**
 * `library import FILE --label L`: brings an existing whole-flash dump (esptool `read_flash 0 ALL`, an
 * old backup) into the library, after checking it is one: a flash size, not blank or all zeros (a read
 * that returned nothing), not a smaller chip read as a bigger one (the flash wraps, so the dump repeats),
 * and what firmware it holds (named, or said to be unknown).
 */
import { FlashbackError } from '../errors.js';
import { FLASH_SIZES, identifyFile } from '../image/firmware-id.js';
import { formatSize } from '../image/flash-params.js';
import type { Library } from './library.js';
import type { LibraryEntry } from './types.js';

export interface ImportResult {
  entry: LibraryEntry;
  /** The same bytes were in the library already: that entry is returned as it was (label kept). */
  alreadyPresent: boolean;
  /** What the dump holds and anything odd that did not stop the import. */
  notes: string[];
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Throws when `bytes` is not a usable whole-flash dump; returns notes otherwise. */
export function validateDump(bytes: Uint8Array, name: string): string[] {
  const notFlash = (why: string, hint: string) =>
    new FlashbackError('BAD_IMAGE', `${name} is not a whole-flash dump: ${why}; nothing was imported`, hint);
  if (!FLASH_SIZES.includes(bytes.length))
    throw notFlash(
      `${bytes.length} bytes is not a flash size (512KB, 1MB, 2MB, 4MB, 8MB or 16MB)`,
      'Import a dump of the whole chip (esptool read_flash 0 ALL); to flash a firmware file use `flashback write ADDR FILE`.',
    );
  if (bytes.every((b) => b === 0xff))
    throw notFlash(
      'every byte is 0xFF (an erased chip)',
      'Nothing to keep: back up a board that holds firmware.',
    );
  if (bytes.every((b) => b === 0x00))
    throw notFlash(
      'every byte is 0x00 (the read returned nothing)',
      'Read the board again; check the wiring and baud rate.',
    );
  // A chip read past its end wraps around: a 1 MB chip read as 4 MB repeats its first 1 MB.
  let real = bytes.length;
  while (real > FLASH_SIZES[0]! && same(bytes.subarray(0, real / 2), bytes.subarray(real / 2, real)))
    real /= 2;
  if (real < bytes.length)
    throw notFlash(
      `it repeats every ${formatSize(real)}: a ${formatSize(real)} chip read as ${formatSize(bytes.length)}`,
      `Import only its first ${formatSize(real)} (e.g. head -c ${real} ${name} > dump-${formatSize(real)}.bin).`,
    );
  const id = identifyFile(bytes, name);
  const notes = [
    id.firmware === 'unknown'
      ? 'Firmware not recognised (no ESP8266 image at 0x0).'
      : `Holds ${id.description}.`,
  ];
  if (id.headerFlashSize && id.headerFlashSize !== bytes.length)
    notes.push(
      `Its header says ${formatSize(id.headerFlashSize)} of flash; the dump is ${formatSize(bytes.length)}.`,
    );
  return notes;
}

export async function importDump(
  library: Library,
  bytes: Uint8Array,
  opts: { name: string; label?: string },
): Promise<ImportResult> {
  const notes = validateDump(bytes, opts.name);
  // Content-addressed: the same dump again is the same entry, and its label stays what it was.
  const { entry, alreadyPresent } = await library.put(bytes, {
    label: opts.label ?? opts.name,
    flashSize: bytes.length,
    sourcePort: `import:${opts.name}`,
  });
  if (entry.containsCredentials)
    notes.push(
      `Contains stored WiFi credentials (SSID "${entry.ssid ?? '?'}"); export with --scrub to share.`,
    );
  if (alreadyPresent && opts.label !== undefined && opts.label !== entry.label)
    notes.unshift(
      `Already in the library as "${entry.label ?? ''}" (the same bytes): kept that label; \`flashback library rename ${entry.id.slice(0, 12)} LABEL\` changes it.`,
    );
  return { entry, alreadyPresent, notes };
}
