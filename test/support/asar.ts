/**
 * Reads an Electron asar archive (the packaged app): a Chromium pickle holding the JSON index, then the
 * file bytes. Enough for the packaging test to list and read files and see which are unpacked.
 */
import fs from 'node:fs';

interface AsarNode {
  files?: Record<string, AsarNode>;
  offset?: string;
  size?: number;
  unpacked?: boolean;
}

export interface AsarFile {
  path: string;
  size: number;
  /** Stored outside the archive, in app.asar.unpacked/. */
  unpacked: boolean;
}

export class Asar {
  private readonly data: Buffer;
  private readonly base: number;
  private readonly index: AsarNode;

  constructor(file: string) {
    this.data = fs.readFileSync(file);
    // Pickle 1: { u32 payload size = 4, u32 header size }; pickle 2: { u32 payload size, i32 length, JSON }.
    const headerSize = this.data.readUInt32LE(4);
    const jsonLength = this.data.readInt32LE(12);
    this.index = JSON.parse(this.data.subarray(16, 16 + jsonLength).toString('utf8')) as AsarNode;
    this.base = 8 + headerSize;
  }

  /** Every file, with '/'-separated paths from the archive root. */
  list(): AsarFile[] {
    const out: AsarFile[] = [];
    const walk = (node: AsarNode, prefix: string) => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        const p = prefix ? `${prefix}/${name}` : name;
        if (child.files) walk(child, p);
        else out.push({ path: p, size: child.size ?? 0, unpacked: child.unpacked === true });
      }
    };
    walk(this.index, '');
    return out;
  }

  /** The bytes of a packed (not unpacked) file. */
  read(p: string): Buffer {
    let node: AsarNode | undefined = this.index;
    for (const part of p.split('/')) node = node?.files?.[part];
    if (!node || node.files) throw new Error(`${p}: not a file in the archive`);
    if (node.unpacked) throw new Error(`${p}: stored in app.asar.unpacked`);
    const start = this.base + Number(node.offset);
    return this.data.subarray(start, start + (node.size ?? 0));
  }
}
