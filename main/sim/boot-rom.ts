/**
 * What the boot ROM prints and checks when it boots from SPI flash (notes 3.3, 3.4, 4.1): the banner at
 * 74880 baud, then the V1 image at 0x0 — no 0xE9 magic: `ets_main.c ` and a hang; segments loaded with
 * `load …, len …, room …` / `tail …` lines, then `chksum`/`csum` (or `csum err` on a bad checksum).
 */

/** `\r\n ets Jan  8 2013,rst cause:<c>, boot mode:(<m>,6)\r\n` (note the two spaces before 8). */
export function bootBanner(cause: number, mode: 1 | 3): string {
  return `\r\n ets Jan  8 2013,rst cause:${cause}, boot mode:(${mode},6)\r\n`;
}

export const DOWNLOAD_BANNER_TAIL = '\r\nwaiting for host\r\n';

export interface FlashBootResult {
  ok: boolean;
  /** The lines to print after the banner. */
  text: string;
  entry: number;
}

/** Checks the image at flash 0x0 as the ROM does. `read(offset, len)` reads flash without side effects. */
export function checkFlashImage(
  read: (offset: number, len: number) => Uint8Array,
  flashSize: number,
): FlashBootResult {
  const header = read(0, 8);
  if (header[0] !== 0xe9) return { ok: false, text: '\r\nets_main.c ', entry: 0 };
  const count = header[1]!;
  const entry = (header[4]! | (header[5]! << 8) | (header[6]! << 16) | (header[7]! << 24)) >>> 0;
  let pos = 8;
  let csum = 0xef;
  let text = '';
  for (let i = 0; i < count; i++) {
    const seg = read(pos, 8);
    const addr = (seg[0]! | (seg[1]! << 8) | (seg[2]! << 16) | (seg[3]! << 24)) >>> 0;
    const len = (seg[4]! | (seg[5]! << 8) | (seg[6]! << 16) | (seg[7]! << 24)) >>> 0;
    // A garbage length would have the ROM read all over the flash; it fails the checksum either way.
    const take = Math.min(len, Math.max(0, flashSize - pos - 8));
    text += `\r\nload 0x${hex8(addr)}, len ${len}, room 16 \r\ntail ${len % 16}`;
    for (const b of read(pos + 8, take)) csum ^= b;
    pos += 8 + take;
    if (take < len) break;
  }
  // The checksum byte sits where the file length is ≡ 15 mod 16.
  const csumAt = pos | 15;
  const expected = read(csumAt, 1)[0]!;
  text += `\r\nchksum 0x${hex2(expected)}`;
  if (expected !== csum || count === 0)
    return { ok: false, text: `${text}\r\ncsum err\r\nets_main.c `, entry };
  return { ok: true, text: `${text}\r\ncsum 0x${hex2(csum)}\r\n`, entry };
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
