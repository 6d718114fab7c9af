/**
 * The board side of a virtual link: what a VirtualBoard exposes to whatever plays the USB bridge
 * (the in-process `virtual:` transport, or the TCP server of `flashback sim`).
 *
 * Bytes written by the host arrive through `hostWrite`; bytes the board sends arrive at `onBoardData`
 * listeners already paced to the line rate (when pacing is on). If the host baud differs from the
 * board UART's baud the board sees (and the host receives) garbled bytes, as a real UART would.
 */
export interface BoardWire {
  hostWrite(data: Uint8Array): void;
  onBoardData(listener: (chunk: Uint8Array) => void): () => void;
  /** Fires when an injected fault cuts the link (disconnect after N bytes). */
  onDisconnect(listener: (err: Error) => void): () => void;
  /** DTR/RTS as seen through a NodeMCU two-transistor circuit (see ESP8266-NOTES 3.1). */
  setSignals(signals: { dtr?: boolean; rts?: boolean }): void;
  setHostBaud(baud: number): void;
  /** The host closed the port; the board keeps running. */
  detach(): void;
}
