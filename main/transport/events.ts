import { FlashbackError } from '../errors.js';

/**
 * The listener bookkeeping every Link needs: data listeners, and close listeners that fire exactly once
 * (with an Error when the link dropped, none when the user closed it).
 */
export class LinkEvents {
  private readonly data = new Set<(chunk: Uint8Array) => void>();
  private readonly close = new Set<(err?: Error) => void>();
  private closed: { err?: Error } | undefined;

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.data.add(listener);
    return () => this.data.delete(listener);
  }

  /** A listener added after the close still hears about it (on the next tick), so no caller misses it. */
  onClose(listener: (err?: Error) => void): () => void {
    if (this.closed) {
      const { err } = this.closed;
      queueMicrotask(() => listener(err));
      return () => {};
    }
    this.close.add(listener);
    return () => this.close.delete(listener);
  }

  emitData(chunk: Uint8Array): void {
    for (const l of [...this.data]) l(chunk);
  }

  /** Fires the close listeners once; later calls are ignored. */
  emitClose(err?: Error): void {
    if (this.closed) return;
    this.closed = err ? { err } : {};
    const ls = [...this.close];
    this.close.clear();
    this.data.clear();
    for (const l of ls) l(err);
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }
}

/** Throws the one "port is closed" error every Link uses for calls after close. */
export function assertLinkOpen(isOpen: boolean, spec: string, what: string): void {
  if (!isOpen) {
    throw new FlashbackError(
      'PORT_CLOSED',
      `Cannot ${what}: ${spec} is closed`,
      'Open the port again and retry.',
    );
  }
}
