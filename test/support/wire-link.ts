/** A Link over a VirtualBoard's BoardWire (the same wire the `virtual:` transport uses), for tests. */
import type { BoardWire } from '../../main/sim/wire.js';
import type { Link } from '../../main/transport/link.js';

export function wireLink(
  spec: string,
  wire: BoardWire,
  baud: number,
  capabilities = { controlLines: true, baudChange: true },
): Link {
  const data = new Set<(c: Uint8Array) => void>();
  const closers = new Set<(e?: Error) => void>();
  let open = true;
  let rate = baud;
  wire.setHostBaud(baud);
  const off = wire.onBoardData((c) => data.forEach((l) => l(c)));
  return {
    spec,
    kind: 'virtual',
    capabilities,
    get baud() {
      return rate;
    },
    get isOpen() {
      return open;
    },
    write: async (d) => wire.hostWrite(d),
    onData: (l) => (data.add(l), () => data.delete(l)),
    onClose: (l) => (closers.add(l), () => closers.delete(l)),
    setSignals: async (s) => {
      if (capabilities.controlLines) wire.setSignals(s);
    },
    setBaud: async (b) => {
      if (!capabilities.baudChange) return;
      rate = b;
      wire.setHostBaud(b);
    },
    flushInput: async () => undefined,
    close: async () => {
      if (!open) return;
      open = false;
      off();
      wire.detach();
      closers.forEach((l) => l());
    },
  };
}
