/**
 * Sizes in messages, one way everywhere: "512 KB", "8 MB", "1.5 MB", "3.2 KB", "100 bytes" (binary
 * units, as flash sizes are named). Addresses are shown in hex by the callers.
 */
const KB = 1024;
const MB = 1024 * 1024;

function trim(n: number): string {
  return String(Number(n.toFixed(2)));
}

export function humanSize(bytes: number): string {
  if (bytes >= MB) return `${trim(bytes / MB)} MB`;
  if (bytes >= KB) return `${trim(bytes / KB)} KB`;
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** "0x7fc000" */
export function hexAddr(n: number): string {
  return `0x${n.toString(16)}`;
}
