/**
 * A streaming zlib inflater fed block by block, like the stubs' tinfl with TINFL_FLAG_PARSE_ZLIB_HEADER
 * (notes 1.11): each push resolves with the bytes that block produced, or with the inflate error.
 */
import zlib from 'node:zlib';

export interface InflateResult {
  out: Uint8Array;
  error: Error | null;
}

export class Inflater {
  private readonly z = zlib.createInflate();
  private out: Buffer[] = [];
  private error: Error | null = null;
  private onError: (() => void) | null = null;

  constructor() {
    this.z.on('data', (b: Buffer) => this.out.push(b));
    this.z.on('error', (e: Error) => {
      this.error = e;
      this.onError?.();
    });
  }

  push(chunk: Uint8Array): Promise<InflateResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        this.onError = null;
        const out = Buffer.concat(this.out);
        this.out = [];
        resolve({ out, error: this.error });
      };
      if (this.error) return done();
      this.onError = done;
      this.z.write(chunk);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, done);
    });
  }

  close(): void {
    this.z.removeAllListeners('data');
    this.z.on('error', () => {});
    this.z.destroy();
  }
}
