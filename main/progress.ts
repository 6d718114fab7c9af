/** The progress/cancel contract every long operation takes (see DESIGN.md, "Layers"). */
export interface Progress {
  phase: string;
  done: number;
  total: number;
  /** Payload bytes per second over the phase so far (0 when unknown). */
  bytesPerSec: number;
}

/**
 * Something the user must do by hand, now, within a time limit (e.g. the manual bootloader reset of
 * `--before manual`). null clears it (done or given up).
 */
export interface UserPrompt {
  kind: 'manual-reset';
  title: string;
  /** What to press, in order. */
  steps: string[];
  /** When Flashback stops waiting (epoch ms). */
  until: number;
}

export interface OpOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Human-readable log lines (warnings, fallbacks such as a baud step-down). */
  log?: (line: string) => void;
  /** Shows (or, with null, clears) a prompt asking the user to act now. */
  onPrompt?: (p: UserPrompt | null) => void;
}

/** Builds Progress reports with a rate computed from the phase start. */
export function progressReporter(phase: string, total: number, onProgress?: (p: Progress) => void) {
  const start = performance.now();
  return (done: number): void => {
    onProgress?.({ phase, done, total, bytesPerSec: bytesPerSecSince(start, done) });
  };
}

/** The one rate computation: `bytes` moved since `startedMs` (a performance.now() reading). */
export function bytesPerSecSince(startedMs: number, bytes: number): number {
  return bytes / Math.max(0.001, (performance.now() - startedMs) / 1000);
}
