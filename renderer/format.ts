/** Display helpers: sizes in KiB/MiB, addresses in hex, durations for ETAs. */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} B`;
}

export function hex(n: number, width = 6): string {
  return `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
}

export function rate(bytesPerSec: number): string {
  return bytesPerSec > 0 ? `${bytes(Math.round(bytesPerSec))}/s` : '—';
}

export function duration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '—';
  if (sec < 1) return '<1 s';
  if (sec < 90) return `${Math.round(sec)} s`;
  return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
}

export function shortHash(h: string): string {
  return h.slice(0, 12);
}

/** A serial line's annotation, with its PubSubClient code in front when the note does not name it. */
export function noteText(l: { rc?: number; meaning?: string }): string {
  const m = l.meaning ?? '';
  return l.rc !== undefined && !m.startsWith('rc=') ? `rc=${l.rc}: ${m}` : m;
}
