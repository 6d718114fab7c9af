/**
 * The demo sketch's app descriptor: the ASCII magic `FBAPP1\0`, a u16 LE length, then that many bytes of
 * UTF-8 JSON, stored inside the sketch's IROM segment (like a string constant in .irom0.rodata). The
 * virtual board's run-mode firmware reads it to know which WiFi, broker and topic the sketch uses.
 */
export const APP_DESCRIPTOR_MAGIC = new TextEncoder().encode('FBAPP1\0');

export interface AppDescriptor {
  name: string;
  wifi: string;
  broker: string;
  port: number;
  topic: string;
  clientIdPrefix: string;
  intervalMs: number;
}

export function encodeAppDescriptor(app: AppDescriptor): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(app));
  const out = new Uint8Array(APP_DESCRIPTOR_MAGIC.length + 2 + json.length);
  out.set(APP_DESCRIPTOR_MAGIC, 0);
  out[APP_DESCRIPTOR_MAGIC.length] = json.length & 0xff;
  out[APP_DESCRIPTOR_MAGIC.length + 1] = json.length >> 8;
  out.set(json, APP_DESCRIPTOR_MAGIC.length + 2);
  return out;
}

function indexOfMagic(hay: Uint8Array, from = 0): number {
  const m = APP_DESCRIPTOR_MAGIC;
  outer: for (
    let i = hay.indexOf(m[0] ?? 0, from);
    i >= 0 && i + m.length <= hay.length;
    i = hay.indexOf(m[0] ?? 0, i + 1)
  ) {
    for (let k = 1; k < m.length; k++) if (hay[i + k] !== m[k]) continue outer;
    return i;
  }
  return -1;
}

function decodeAt(hay: Uint8Array, at: number): AppDescriptor | null {
  const p = at + APP_DESCRIPTOR_MAGIC.length;
  const len = (hay[p] ?? 0) | ((hay[p + 1] ?? 0) << 8);
  if (p + 2 + len > hay.length) return null;
  try {
    const v = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(hay.subarray(p + 2, p + 2 + len)),
    ) as unknown;
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const strings = ['name', 'wifi', 'broker', 'topic', 'clientIdPrefix'] as const;
    if (!strings.every((k) => typeof o[k] === 'string')) return null;
    if (typeof o.port !== 'number' || typeof o.intervalMs !== 'number') return null;
    return o as unknown as AppDescriptor;
  } catch {
    return null;
  }
}

const SKETCH_START = 0x1000;
const CHUNK = 0x10000;

/**
 * Finds the descriptor in the sketch at 0x1000: walks the V1 header's segments (notes 4.1) and scans
 * their data in chunks (overlapping so a descriptor across a chunk edge is still found). Returns null
 * when there is no sketch image or no valid descriptor; never throws on garbage.
 */
export function findAppDescriptor(
  read: (offset: number, len: number) => Uint8Array,
  flashSize: number,
): AppDescriptor | null {
  if (flashSize < SKETCH_START + 16) return null;
  const head = read(SKETCH_START, 8);
  if (head[0] !== 0xe9) return null;
  const count = head[1] ?? 0;
  let p = SKETCH_START + 8;
  for (let s = 0; s < count && p + 8 <= flashSize; s++) {
    const sh = read(p, 8);
    const len = new DataView(sh.buffer, sh.byteOffset, 8).getUint32(4, true);
    const start = p + 8;
    const end = Math.min(start + len, flashSize);
    for (let off = start; off < end; off += CHUNK) {
      // 600 bytes of overlap: longer than magic + length + any sensible JSON.
      const chunk = read(off, Math.min(CHUNK + 600, end - off));
      for (let i = indexOfMagic(chunk); i >= 0; i = indexOfMagic(chunk, i + 1)) {
        const app = decodeAt(chunk, i);
        if (app) return app;
      }
    }
    p = start + len;
  }
  return null;
}
