/**
 * `socket://HOST:PORT`: raw TCP, as pyserial's socket:// (ser2net in raw mode, ESP-Link, and
 * `flashback sim --listen`). No RFC 2217: there are no control lines, and the far side's UART rate is
 * fixed by the bridge, so setBaud only records the number (DESIGN.md "Ports").
 */
import net from 'node:net';
import { FlashbackError } from '../errors.js';
import { assertLinkOpen, LinkEvents } from './events.js';
import type { ControlSignals, Link, LinkCapabilities } from './link.js';

const NOT_RUNNING_HINT =
  'Is `flashback sim --listen` or your ser2net/ESP-Link bridge running on that host and port?';

class TcpLink implements Link {
  readonly kind = 'tcp' as const;
  readonly capabilities: LinkCapabilities = { controlLines: false, baudChange: false };
  private readonly events = new LinkEvents();
  private closing = false;
  private lastError: Error | undefined;

  constructor(
    readonly spec: string,
    private readonly socket: net.Socket,
    private baudValue: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.events.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on('error', (err) => {
      this.lastError = err;
    });
    socket.on('close', () => {
      if (this.closing) return this.events.emitClose();
      const why = this.lastError?.message ?? 'the far side closed the connection';
      this.events.emitClose(
        new FlashbackError(
          'PORT_CLOSED',
          `${spec} disconnected (${why})`,
          `Check the bridge and the network. ${NOT_RUNNING_HINT}`,
        ),
      );
    });
  }

  get baud(): number {
    return this.baudValue;
  }

  get isOpen(): boolean {
    return !this.events.isClosed && !this.socket.destroyed;
  }

  private ensureOpen(what: string): void {
    assertLinkOpen(this.isOpen, this.spec, what);
  }

  async write(data: Uint8Array): Promise<void> {
    this.ensureOpen('write');
    return new Promise<void>((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (!err) return resolve();
        reject(
          new FlashbackError('PORT_CLOSED', `Write to ${this.spec} failed: ${err.message}`, NOT_RUNNING_HINT),
        );
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.events.onData(listener);
  }

  onClose(listener: (err?: Error) => void): () => void {
    return this.events.onClose(listener);
  }

  /** No control lines over raw TCP: a no-op (capabilities.controlLines is false). */
  async setSignals(_signals: ControlSignals): Promise<void> {}

  /** Records the rate only: the bridge fixes the far side's UART rate (capabilities.baudChange false). */
  async setBaud(baud: number): Promise<void> {
    this.baudValue = baud;
  }

  /** Nothing is buffered on this side: bytes go to listeners as they arrive. */
  async flushInput(): Promise<void> {}

  async close(): Promise<void> {
    if (this.events.isClosed) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A peer that never acknowledges the FIN must not hold us up.
      setTimeout(() => this.socket.destroy(), 500).unref();
    });
  }
}

function connectError(spec: string, err: NodeJS.ErrnoException): FlashbackError {
  const details = { spec, cause: err.code ?? err.message };
  switch (err.code) {
    case 'ECONNREFUSED':
      return new FlashbackError(
        'PORT_NOT_FOUND',
        `Nothing is listening at ${spec} (connection refused)`,
        NOT_RUNNING_HINT,
        details,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FlashbackError(
        'PORT_NOT_FOUND',
        `Host of ${spec} not found`,
        'Check the host name or use an IP address.',
        details,
      );
    case 'ETIMEDOUT':
      return new FlashbackError(
        'TIMEOUT',
        `Connecting to ${spec} timed out`,
        `Check the address and the network. ${NOT_RUNNING_HINT}`,
        details,
      );
    default:
      return new FlashbackError(
        'PORT_NOT_FOUND',
        `Cannot connect to ${spec}: ${err.message}`,
        `Check the address and the network. ${NOT_RUNNING_HINT}`,
        details,
      );
  }
}

export interface TcpLinkOptions {
  baud: number;
  /** Connect timeout in ms (default 5000). */
  timeoutMs?: number;
}

/** Connects to host:port; throws PORT_NOT_FOUND (refused, unknown host) or TIMEOUT. */
export function openTcpLink(spec: string, host: string, port: number, opts: TcpLinkOptions): Promise<Link> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(connectError(spec, Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(spec, err));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Stop-and-wait protocols live on latency: send small packets at once.
      socket.setNoDelay(true);
      resolve(new TcpLink(spec, socket, opts.baud));
    });
  });
}
