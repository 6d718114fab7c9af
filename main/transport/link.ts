/**
 * The one byte-link interface every transport implements (serial device, socket://, rfc2217://, virtual:).
 * The ESP protocol layer talks only to this. Modeled on node-serialport's bindings interface.
 */
export type LinkKind = 'serial' | 'tcp' | 'rfc2217' | 'virtual';

export interface ControlSignals {
  /** DTR asserted (true) pulls GPIO0 low on NodeMCU-style auto-reset circuits. */
  dtr?: boolean;
  /** RTS asserted (true) pulls EN low (chip held in reset) on NodeMCU-style circuits. */
  rts?: boolean;
}

export interface LinkCapabilities {
  /** DTR/RTS reach the board (false for socket:// and for ptys without modem lines). */
  controlLines: boolean;
  /** The host side can change the UART rate (false for socket://: the bridge fixes it). */
  baudChange: boolean;
}

export interface Link {
  readonly spec: string;
  readonly kind: LinkKind;
  readonly capabilities: LinkCapabilities;
  /** Current host-side baud rate (for socket:// the nominal rate given at open). */
  readonly baud: number;
  write(data: Uint8Array): Promise<void>;
  /** Subscribe to incoming bytes; returns an unsubscribe function. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the link closes (err set when it dropped unexpectedly, e.g. cable pulled). */
  onClose(listener: (err?: Error) => void): () => void;
  /** Sets both lines in one call where the OS allows (TIOCMSET-like). No-op without control lines. */
  setSignals(signals: ControlSignals): Promise<void>;
  setBaud(baud: number): Promise<void>;
  /** Drops bytes received but not yet delivered (and any buffered in the OS where possible). */
  flushInput(): Promise<void>;
  close(): Promise<void>;
  readonly isOpen: boolean;
}

export interface OpenLinkOptions {
  baud: number;
}
