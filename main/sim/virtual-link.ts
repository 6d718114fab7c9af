/**
 * `virtual:NAME`: an in-process virtual ESP8266 behind main/transport's Link interface, playing the part
 * of a USB bridge with working DTR/RTS and baud changes. One host at a time per board (the board says
 * PORT_BUSY otherwise); closing detaches, which saves the board's flash if it changed, like a real
 * board keeps its flash between runs (DESIGN.md "Virtual ESP8266").
 */
import { FlashbackError } from '../errors.js';
import { assertLinkOpen, LinkEvents } from '../transport/events.js';
import type { ControlSignals, Link, LinkCapabilities } from '../transport/link.js';
import { openVirtualBoard, type OpenBoardOptions } from './registry.js';
import type { BoardWire } from './wire.js';

class VirtualLink implements Link {
  readonly kind = 'virtual' as const;
  readonly capabilities: LinkCapabilities = { controlLines: true, baudChange: true };
  private readonly events = new LinkEvents();
  private readonly offs: Array<() => void> = [];

  constructor(
    readonly spec: string,
    private readonly wire: BoardWire,
    private baudValue: number,
  ) {
    wire.setHostBaud(baudValue);
    this.offs.push(wire.onBoardData((chunk) => this.events.emitData(chunk)));
    this.offs.push(
      wire.onDisconnect((err) => {
        this.detach();
        this.events.emitClose(
          new FlashbackError(
            'PORT_CLOSED',
            `Virtual board ${spec} disconnected (${err.message})`,
            'Open the port again and retry.',
          ),
        );
      }),
    );
  }

  get baud(): number {
    return this.baudValue;
  }

  get isOpen(): boolean {
    return !this.events.isClosed;
  }

  private ensureOpen(what: string): void {
    assertLinkOpen(!this.events.isClosed, this.spec, what);
  }

  async write(data: Uint8Array): Promise<void> {
    this.ensureOpen('write');
    // Copy: the caller may reuse its buffer while the board still holds a reference.
    this.wire.hostWrite(data.slice());
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.events.onData(listener);
  }

  onClose(listener: (err?: Error) => void): () => void {
    return this.events.onClose(listener);
  }

  async setSignals(s: ControlSignals): Promise<void> {
    this.ensureOpen('set DTR/RTS');
    this.wire.setSignals(s);
  }

  async setBaud(baud: number): Promise<void> {
    this.ensureOpen('change baud');
    this.baudValue = baud;
    this.wire.setHostBaud(baud);
  }

  async flushInput(): Promise<void> {
    this.ensureOpen('flush');
    // Bytes are delivered to listeners as they arrive; there is no host-side buffer to drop.
  }

  private detach(): void {
    for (const off of this.offs.splice(0)) off();
    this.wire.detach();
  }

  async close(): Promise<void> {
    if (this.events.isClosed) return;
    // Detaching saves the board's flash when it changed (main/sim/registry.ts).
    this.detach();
    this.events.emitClose();
  }
}

export interface VirtualLinkOptions {
  baud: number;
  /** Board options used when this process first opens the board (pacing, faults, …). */
  board?: OpenBoardOptions;
}

/** Opens `virtual:NAME`. Unknown names throw PORT_NOT_FOUND naming the demo boards. */
export async function openVirtualLink(name: string, opts: VirtualLinkOptions): Promise<Link> {
  const shared = openVirtualBoard(name, opts.board ?? {});
  const wire = shared.wire();
  return new VirtualLink(`virtual:${name}`, wire, opts.baud);
}

export { registerVirtualBoards } from './ports.js';
