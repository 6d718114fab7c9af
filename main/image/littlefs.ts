/**
 * LittleFS v2 superblocks (ESP8266-NOTES 6.2): recognised in a dump, and written for the demo flash.
 * A metadata block is: u32 LE revision count, then tags. Tags are big-endian, each XORed with the
 * previous tag (the first with 0xFFFFFFFF): 1 invalid bit, 11-bit type, 10-bit id, 10-bit length.
 * "littlefs" sits at offset 8 of a valid superblock, followed by the inline struct (version, block
 * size, block count, name/file/attr max).
 */
export const LFS_MAGIC = 'littlefs';
export const LFS_VERSION_2_0 = 0x00020000;

const T_SUPERBLOCK = 0x0ff;
const T_INLINESTRUCT = 0x201;
const T_CTZSTRUCT = 0x202;
const T_REG = 0x001;
const T_CREATE = 0x401;
const T_CRC = 0x500;

export interface LfsSuperblock {
  revision: number;
  version: number;
  blockSize: number;
  blockCount: number;
  nameMax: number;
}

const tag = (type: number, id: number, len: number) => ((type << 20) | (id << 10) | len) >>> 0;

/** Parses one metadata block as a superblock; null when it is not one. */
export function parseLfsSuperblock(block: Uint8Array): LfsSuperblock | null {
  if (block.length < 44) return null;
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const t1 = (dv.getUint32(4, false) ^ 0xffffffff) >>> 0;
  if (t1 !== tag(T_SUPERBLOCK, 0, 8)) return null;
  if (new TextDecoder().decode(block.subarray(8, 16)) !== LFS_MAGIC) return null;
  const t2 = (dv.getUint32(16, false) ^ t1) >>> 0;
  if (t2 >>> 20 !== T_INLINESTRUCT || (t2 & 0x3ff) < 24) return null;
  return {
    revision: dv.getUint32(0, true),
    version: dv.getUint32(20, true),
    blockSize: dv.getUint32(24, true),
    blockCount: dv.getUint32(28, true),
    nameMax: dv.getUint32(32, true),
  };
}

/** CRC-32 as littlefs uses it: reflected 0x04C11DB7, init 0xFFFFFFFF, no final XOR. */
export function lfsCrc(data: Uint8Array, crc = 0xffffffff): number {
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return crc >>> 0;
}

export interface LfsFile {
  name: string;
  /** The block holding the file's data (a single-block CTZ list). */
  block: number;
  size: number;
}

/** Writes a superblock metadata block (for one half of the pair at blocks 0 and 1). */
export function buildLfsSuperblock(
  blockSize: number,
  blockCount: number,
  revision: number,
  files: readonly LfsFile[] = [],
): Uint8Array {
  const out = new Uint8Array(blockSize).fill(0xff);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, revision, true);
  let p = 4;
  let prev = 0xffffffff;
  const put = (type: number, id: number, payload: Uint8Array) => {
    const t = tag(type, id, payload.length);
    dv.setUint32(p, (t ^ prev) >>> 0, false);
    out.set(payload, p + 4);
    p += 4 + payload.length;
    prev = t;
  };
  const le32 = (...words: number[]) => {
    const b = new Uint8Array(words.length * 4);
    words.forEach((w, i) => new DataView(b.buffer).setUint32(i * 4, w >>> 0, true));
    return b;
  };
  put(T_SUPERBLOCK, 0, new TextEncoder().encode(LFS_MAGIC));
  put(T_INLINESTRUCT, 0, le32(LFS_VERSION_2_0, blockSize, blockCount, 255, 0x7fffffff, 1022));
  files.forEach((f, i) => {
    put(T_CREATE, i + 1, new Uint8Array(0));
    put(T_REG, i + 1, new TextEncoder().encode(f.name));
    put(T_CTZSTRUCT, i + 1, le32(f.block, f.size));
  });
  // The commit ends with a CRC tag and the CRC of everything before it, tag included.
  const t = tag(T_CRC, 0x3ff, 4);
  dv.setUint32(p, (t ^ prev) >>> 0, false);
  dv.setUint32(p + 4, lfsCrc(out.subarray(0, p + 4)), true);
  return out;
}
