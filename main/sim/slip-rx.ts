/**
 * The chip side of SLIP, one receiver per firmware, each as strict (or as odd) as that firmware is.
 * The three differ exactly where a host's framing slips (notes 1.1; the ROM's `recv_packet` in the
 * annotated boot-ROM disassembly; the legacy stub's `SLIP_recv_byte`; the v2 stub's `slip_recv_byte`):
 *
 * - ROM: hunts for a C0, ignores empty frames (so `C0 C0 <frame> C0` works), and after DB stores the
 *   next byte whatever it is (DC → C0, DD → DB, anything else as itself, even C0). It decodes into one
 *   persistent 0x2000-byte buffer and reports only the count: the loader reads the header's length
 *   field, so bytes past a short frame are whatever an earlier frame left there.
 * - Legacy stub: C0 toggles "in frame"; a C0 C0 pair is a finished empty frame, which hands the stub its
 *   other (stale) buffer to execute again, and the frame after it is then read out of phase. An
 *   invalid escape drops bytes until DC/DD or C0. Two buffers alternate; the command is read from the
 *   header's length, not from what arrived.
 * - v2 stub: an empty frame (C0 C0) leaves the receiver waiting for a new opening C0, so a host that
 *   sends `C0 <frame> C0` after one goes out of phase (each closing C0 is taken as an opening one). An
 *   invalid escape drops the frame silently. Frames carry their real length.
 */

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** Chip → host framing (the same in ROM and stubs): C0, escaped payload, C0. */
export function slipFrame(payload: Uint8Array): Uint8Array {
  const out: number[] = [SLIP_END];
  for (const b of payload) {
    if (b === SLIP_END) out.push(SLIP_ESC, SLIP_ESC_END);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, SLIP_ESC_ESC);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Uint8Array.from(out);
}

/** ROM receive buffer: 0x3FFFA000, 0x2000 bytes (UartDwnLdProc's arguments). */
export const ROM_RX_BUFFER = 0x2000;

export class RomSlipReceiver {
  /** Persistent: a frame overwrites only its own length. */
  readonly buffer = new Uint8Array(ROM_RX_BUFFER);
  private hunting = true;
  private escaping = false;
  private count = 0;

  constructor(private readonly onFrame: (count: number) => void) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.byte(b);
  }

  private byte(b: number): void {
    if (this.hunting) {
      if (b === SLIP_END) {
        this.hunting = false;
        this.count = 0;
        this.escaping = false;
      }
      return;
    }
    if (this.escaping) {
      this.escaping = false;
      this.store(b === SLIP_ESC_END ? SLIP_END : b === SLIP_ESC_ESC ? SLIP_ESC : b);
      return;
    }
    if (b === SLIP_END) {
      if (this.count === 0) return; // empty frame: keep waiting
      this.hunting = true;
      this.onFrame(this.count);
      return;
    }
    if (b === SLIP_ESC) this.escaping = true;
    else this.store(b);
  }

  private store(b: number): void {
    if (this.count < this.buffer.length) this.buffer[this.count++] = b;
  }
}

/** Legacy stub: MAX_WRITE_BLOCK + 64 bytes per buffer, two buffers alternating. */
export const LEGACY_RX_BUFFER = 0x4000 + 64;

type LegacyState = 'none' | 'frame' | 'escaping';

/** One SLIP_recv_byte state machine (also used alone for READ_FLASH ACKs, where the length counts). */
export class LegacySlipDecoder {
  state: LegacyState = 'none';

  /** Returns a byte, 'none' (nothing to store) or 'end' (finished frame, possibly empty). */
  byte(b: number): number | 'none' | 'end' {
    if (b === SLIP_END) {
      if (this.state === 'none') {
        this.state = 'frame';
        return 'none';
      }
      this.state = 'none';
      return 'end';
    }
    if (this.state === 'none') return 'none';
    if (this.state === 'frame') {
      if (b === SLIP_ESC) {
        this.state = 'escaping';
        return 'none';
      }
      return b;
    }
    if (b === SLIP_ESC_END) {
      this.state = 'frame';
      return SLIP_END;
    }
    if (b === SLIP_ESC_ESC) {
      this.state = 'frame';
      return SLIP_ESC;
    }
    return 'none'; // framing error: stays escaping
  }
}

export class LegacySlipReceiver {
  private readonly buffers = [new Uint8Array(LEGACY_RX_BUFFER), new Uint8Array(LEGACY_RX_BUFFER)];
  private reading = 0;
  private read = 0;
  private readonly decoder = new LegacySlipDecoder();

  /** `onCommand` gets the buffer to execute (its header says how much of it is the command). */
  constructor(private readonly onCommand: (buffer: Uint8Array, received: number) => void) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.byte(b);
  }

  byte(b: number): void {
    let r = this.decoder.byte(b);
    if (typeof r === 'number') {
      this.buffers[this.reading]![this.read++] = r;
      if (this.read === LEGACY_RX_BUFFER) r = 'end';
    }
    if (r !== 'end') return;
    const done = this.buffers[this.reading]!;
    const received = this.read;
    this.reading ^= 1;
    this.read = 0;
    this.onCommand(done, received);
  }
}

/** v2 stub frame buffer: header + 0x4000 data + slack (notes 1.10). */
export const V2_RX_BUFFER = 8 + 0x4000 + 0xff;

export class V2SlipReceiver {
  private state: 'none' | 'frame' | 'escaping' = 'none';
  private buf = new Uint8Array(V2_RX_BUFFER);
  private len = 0;

  constructor(private readonly onFrame: (frame: Uint8Array) => void) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.byte(b);
  }

  private byte(b: number): void {
    switch (this.state) {
      case 'none':
        if (b === SLIP_END) {
          this.len = 0;
          this.state = 'frame';
        }
        return;
      case 'frame':
        if (b === SLIP_END) {
          const n = this.len;
          this.len = 0;
          this.state = 'none';
          if (n > 0) this.onFrame(this.buf.slice(0, n));
        } else if (b === SLIP_ESC) this.state = 'escaping';
        else this.put(b);
        return;
      case 'escaping':
        this.state = 'frame';
        if (b === SLIP_ESC_END) this.put(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.put(SLIP_ESC);
        else this.drop();
        return;
    }
  }

  private put(b: number): void {
    if (this.len < this.buf.length) this.buf[this.len++] = b;
    else this.drop();
  }

  /** Framing error or overrun: the frame is discarded without a reply. */
  private drop(): void {
    this.len = 0;
    this.state = 'none';
  }
}
