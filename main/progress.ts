/** The progress/cancel contract every long operation takes (see DESIGN.md, "Layers"). */
export interface Progress {
  phase: string;
  done: number;
  total: number;
  /** Payload bytes per second over the phase so far (0 when unknown). */
  bytesPerSec: number;
}

export interface OpOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Human-readable log lines (warnings, fallbacks such as a baud step-down). */
  log?: (line: string) => void;
}

/** Builds Progress reports with a rate computed from the phase start. */
export function progressReporter(phase: string, total: number, onProgress?: (p: Progress) => void) {
  const start = performance.now();
  return (done: number): void => {
    if (!onProgress) return;
    const secs = (performance.now() - start) / 1000;
    onProgress({ phase, done, total, bytesPerSec: secs > 0 ? done / secs : 0 });
  };
}
