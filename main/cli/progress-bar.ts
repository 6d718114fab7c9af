/** A one-line progress bar with rate and ETA for stderr (redrawn in place on a TTY, sparse otherwise). */
import type { Progress } from '../progress.js';

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function formatProgress(label: string, p: Progress, width = 24): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const rate = p.bytesPerSec > 0 ? `${formatBytes(p.bytesPerSec)}/s` : '';
  const eta =
    p.bytesPerSec > 0 && p.total > p.done ? `ETA ${Math.ceil((p.total - p.done) / p.bytesPerSec)}s` : '';
  return `${label} ${p.phase} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${rate} ${eta}`.trimEnd();
}

export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): (p: Progress) => void {
  const tty = stream.isTTY === true;
  let lastPhase = '';
  let lastPct = -1;
  return (p) => {
    const line = formatProgress(label, p);
    if (tty) {
      stream.write(`\r\x1b[K${line}${p.done >= p.total ? '\n' : ''}`);
      return;
    }
    // Not a TTY (CI logs, pipes): one line per phase and every 25 %.
    const pct = p.total > 0 ? Math.floor((p.done / p.total) * 4) : 0;
    if (p.phase !== lastPhase || pct !== lastPct) {
      stream.write(line + '\n');
      lastPhase = p.phase;
      lastPct = pct;
    }
  };
}
