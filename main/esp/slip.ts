/**
 * SLIP framing (RFC 1055 as the ESP loader uses it; ESP8266-NOTES 1.1).
 * Frames are `C0 … C0`; inside, DB → DB DD and C0 → DB DC. Shared by the client and the virtual board:
 * it is the wire format, not either side's protocol logic.
 */
export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

export function slipEncode(payload: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of payload) if (b === SLIP_END || b === SLIP_ESC) extra++;
  const out = new Uint8Array(payload.length + extra + 2);
  let j = 0;
  out[j++] = SLIP_END;
  for (const b of payload) {
    if (b === SLIP_ESC) {
      out[j++] = SLIP_ESC;
      out[j++] = SLIP_ESC_ESC;
    } else if (b === SLIP_END) {
      out[j++] = SLIP_ESC;
      out[j++] = SLIP_ESC_END;
    } else {
      out[j++] = b;
    }
  }
  out[j++] = SLIP_END;
  return out;
}

/**
 * Streaming decoder. Bytes outside a frame (boot banners, app output, line noise) are skipped, not
 * fatal: unlike esptool we resynchronise on the next C0. An empty frame (C0 C0) is treated as the end
 * of one frame and the start of the next, so back-to-back frames sharing a delimiter decode too.
 * A bad escape (DB followed by anything but DC/DD) poisons the frame, which is then dropped.
 */
export class SlipDecoder {
  private buf: number[] = [];
  private inFrame = false;
  private escaped = false;
  private bad = false;
  /** Count of bytes skipped outside frames (diagnostics: "the chip answered garbage"). */
  garbageBytes = 0;
  /** Last few garbage bytes, for error messages (printable text often is a boot log). */
  private garbageTail: number[] = [];

  constructor(private readonly onFrame: (frame: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    for (const b of chunk) this.pushByte(b);
  }

  private pushByte(b: number): void {
    if (!this.inFrame) {
      if (b === SLIP_END) {
        this.inFrame = true;
        this.buf = [];
        this.escaped = false;
        this.bad = false;
      } else {
        this.garbageBytes++;
        this.garbageTail.push(b);
        if (this.garbageTail.length > 256) this.garbageTail.shift();
      }
      return;
    }
    if (b === SLIP_END) {
      if (this.buf.length === 0) return; // C0 C0: stay "in frame", it was the opening delimiter
      if (!this.bad && !this.escaped) this.onFrame(Uint8Array.from(this.buf));
      this.inFrame = false;
      this.buf = [];
      return;
    }
    if (this.escaped) {
      this.escaped = false;
      if (b === SLIP_ESC_END) this.buf.push(SLIP_END);
      else if (b === SLIP_ESC_ESC) this.buf.push(SLIP_ESC);
      else this.bad = true;
      return;
    }
    if (b === SLIP_ESC) this.escaped = true;
    else this.buf.push(b);
  }

  /** Drops a half-received frame (used after flushInput). */
  reset(): void {
    this.inFrame = false;
    this.buf = [];
    this.escaped = false;
    this.bad = false;
  }

  /** Recent bytes seen outside frames, as text with non-printables escaped. */
  garbageText(): string {
    return Array.from(this.garbageTail, (c) =>
      c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 10 ? '\\n' : c === 13 ? '\\r' : '.',
    ).join('');
  }
}
