/**
 * What a failed exchange means for the piece it was moving: a lost or damaged byte (retry the piece after
 * resynchronising), or the end of the job (cancel, unplugged cable, stalled port: no retry helps).
 */
import { FlashbackError } from '../errors.js';
import type { EspSession } from '../esp/types.js';

const RETRYABLE = new Set(['TIMEOUT', 'GARBAGE', 'MD5_MISMATCH', 'COMMAND_FAILED']);

export function isRetryable(e: unknown): boolean {
  return e instanceof FlashbackError && RETRYABLE.has(e.code);
}

/** Lets in-flight replies land, then drops them, so the next command starts on a clean line. */
export async function resync(session: EspSession): Promise<void> {
  await session.resync();
}

/**
 * Adapts the piece size to the line: halves after a failure (down to `min`), doubles back after a run of
 * successes. One dropped byte per 20 kB makes 256 KiB reads hopeless but 4 KiB ones mostly succeed.
 */
export class PieceSize {
  private ok = 0;
  constructor(
    public size: number,
    private readonly min: number,
    private readonly max = size,
  ) {}

  failed(): void {
    this.ok = 0;
    this.size = Math.max(this.min, this.size >> 1);
  }

  succeeded(): void {
    if (++this.ok >= 4 && this.size < this.max) {
      this.size = Math.min(this.max, this.size << 1);
      this.ok = 0;
    }
  }
}
