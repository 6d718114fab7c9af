/**
 * Fault injection for the virtual UART: drop or corrupt the Nth byte or every Nth byte, corrupt one byte
 * of whole SLIP frames (anywhere in the frame, command headers and their offset/size fields included, as
 * a noisy line does: the protocol checksums data, not headers), aim at one field of the Nth command of a
 * kind, cut the link after N bytes, slow the flash's erases. Byte and frame counts are 1-based and count
 * what passes in the fault's direction(s) since the board was created, so a test can aim at a known one.
 */
import { Op } from './packets.js';

export type FaultDirection = 'to-board' | 'to-host' | 'both';

/** Corrupts one byte of the data (after the 8-byte request header) of the `nth` request with opcode `op`. */
export interface HeaderFault {
  op: number;
  /** Byte index inside the request's data: 0–3 is the first u32 (the offset of READ_FLASH/FLASH_BEGIN…). */
  byte: number;
  /** Which request of that opcode (1-based); default 1. */
  nth?: number;
  /** XOR mask applied to the byte; default 0x10 (offset moves by 16 << (8·byte)). */
  xor?: number;
  /** Count only requests whose first u32 (the offset) is this: aims at the command for one address. */
  offset?: number;
  /** Damage every such request, not only the nth (a line that always garbles the same command). */
  every?: boolean;
}

export interface FaultOptions {
  dropNth?: number;
  dropEvery?: number;
  corruptNth?: number;
  corruptEvery?: number;
  /** One byte of every Nth SLIP frame is corrupted, framing kept (the frame arrives, damaged). */
  corruptFrameEvery?: number;
  /** One byte of the Nth SLIP frame is corrupted. */
  corruptFrameNth?: number;
  /** Host → board only: one field of one command (a flipped READ_FLASH or FLASH_BEGIN offset). */
  corruptHeader?: HeaderFault;
  /** Direction the drop/corrupt faults apply to (default 'both'). */
  direction?: FaultDirection;
  /** After this many bytes (both directions together) the link dies and onDisconnect fires. */
  disconnectAfter?: number;
  /** Multiplies flash erase times. */
  slowErase?: number;
  /** The link (cable, adapter) garbles every byte above this baud rate, like a marginal CH340 at 921600. */
  maxBaud?: number;
}

/** Deterministic byte corruption: flips a bit pattern that depends on the position. */
export function corruptByte(b: number, position: number): number {
  return (b ^ (0x5a ^ (position & 0xff)) ^ 0x01) & 0xff;
}

/** Applies drop/corrupt faults to one chunk; `counter` is the running byte count (returned updated). */
export function applyByteFaults(
  chunk: Uint8Array,
  faults: FaultOptions,
  counter: number,
): { out: Uint8Array; counter: number } {
  const { dropNth, dropEvery, corruptNth, corruptEvery } = faults;
  if (!dropNth && !dropEvery && !corruptNth && !corruptEvery)
    return { out: chunk, counter: counter + chunk.length };
  const out: number[] = [];
  for (const b of chunk) {
    counter++;
    if (counter === dropNth || (dropEvery && counter % dropEvery === 0)) continue;
    if (counter === corruptNth || (corruptEvery && counter % corruptEvery === 0))
      out.push(corruptByte(b, counter));
    else out.push(b);
  }
  return { out: Uint8Array.from(out), counter };
}

const END = 0xc0;
const ESC = 0xdb;

function slipDecodeBody(body: number[]): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b !== ESC) {
      out.push(b);
      continue;
    }
    const n = body[++i];
    if (n === 0xdc) out.push(END);
    else if (n === 0xdd) out.push(ESC);
    else return null; // already broken on the wire: leave it as it is
  }
  return out;
}

function slipEncodeBody(payload: number[]): number[] {
  const out: number[] = [];
  for (const b of payload) {
    if (b === END) out.push(ESC, 0xdc);
    else if (b === ESC) out.push(ESC, 0xdd);
    else out.push(b);
  }
  return out;
}

/** Spreads the corrupted position over the whole frame, deterministically per frame number. */
function framePosition(frameNo: number, length: number): number {
  return (Math.imul(frameNo, 0x9e3779b1) >>> 0) % length;
}

/**
 * Frame-level faults for one direction: bytes outside frames pass at once; a frame is held until its
 * closing delimiter, then damaged (one decoded byte changed, re-escaped so the frame still arrives as a
 * frame) when its number or opcode is aimed at.
 */
class FrameFaults {
  private inFrame = false;
  private body: number[] = [];
  private frames = 0;
  private readonly opCounts = new Map<number, number>();

  constructor(
    private readonly faults: FaultOptions,
    private readonly requests: boolean,
  ) {}

  get active(): boolean {
    const f = this.faults;
    return Boolean(f.corruptFrameEvery || f.corruptFrameNth || (this.requests && f.corruptHeader));
  }

  push(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of chunk) {
      if (!this.inFrame) {
        out.push(b);
        if (b === END) {
          this.inFrame = true;
          this.body = [];
        }
        continue;
      }
      if (b !== END) {
        this.body.push(b);
        continue;
      }
      if (this.body.length === 0) {
        out.push(b); // C0 C0: the previous delimiter opened nothing
        continue;
      }
      out.push(...this.finish(this.body), END);
      this.inFrame = false;
      this.body = [];
    }
    return Uint8Array.from(out);
  }

  private finish(body: number[]): number[] {
    this.frames++;
    const payload = slipDecodeBody(body);
    if (!payload || payload.length === 0) return body;
    const f = this.faults;
    let touched = false;
    const h = f.corruptHeader;
    // A request, not a READ_FLASH ack (4 bytes, e.g. 00 10 00 00 for 0x1000): its length field fits.
    const isRequest =
      payload.length >= 8 && payload[0] === 0x00 && payload[2]! + (payload[3]! << 8) === payload.length - 8;
    const first =
      payload.length >= 12
        ? (payload[8]! | (payload[9]! << 8) | (payload[10]! << 16) | (payload[11]! << 24)) >>> 0
        : -1;
    if (
      this.requests &&
      h &&
      isRequest &&
      payload[1] === h.op &&
      (h.offset === undefined || h.offset === first)
    ) {
      const n = (this.opCounts.get(h.op) ?? 0) + 1;
      this.opCounts.set(h.op, n);
      const at = 8 + h.byte;
      if ((h.every || n === (h.nth ?? 1)) && at < payload.length) {
        payload[at] = (payload[at]! ^ (h.xor ?? 0x10)) & 0xff;
        touched = true;
      }
    }
    if (
      this.frames === f.corruptFrameNth ||
      (f.corruptFrameEvery && this.frames % f.corruptFrameEvery === 0)
    ) {
      const at = framePosition(this.frames, payload.length);
      payload[at] = corruptByte(payload[at]!, this.frames);
      touched = true;
    }
    return touched ? slipEncodeBody(payload) : body;
  }
}

/** All drop/corrupt faults of one board, both directions, with their running counts. */
export class FaultInjector {
  private toBoardBytes = 0;
  private toHostBytes = 0;
  private readonly toBoardFrames: FrameFaults;
  private readonly toHostFrames: FrameFaults;

  constructor(private readonly faults: FaultOptions = {}) {
    this.toBoardFrames = new FrameFaults(faults, true);
    this.toHostFrames = new FrameFaults(faults, false);
  }

  private applies(dir: 'to-board' | 'to-host'): boolean {
    const d = this.faults.direction ?? 'both';
    return d === 'both' || d === dir;
  }

  /** Host → board bytes as the board receives them. */
  toBoard(chunk: Uint8Array): Uint8Array {
    // A header fault is aimed at requests, whatever direction the random faults take.
    let out = chunk;
    if (this.faults.corruptHeader || (this.applies('to-board') && this.toBoardFrames.active))
      out = this.toBoardFrames.push(out);
    if (!this.applies('to-board')) return out;
    ({ out, counter: this.toBoardBytes } = applyByteFaults(out, this.faults, this.toBoardBytes));
    return out;
  }

  /** Board → host bytes as the host receives them. */
  toHost(chunk: Uint8Array): Uint8Array {
    if (!this.applies('to-host')) return chunk;
    let out = chunk;
    if (this.toHostFrames.active) out = this.toHostFrames.push(out);
    ({ out, counter: this.toHostBytes } = applyByteFaults(out, this.faults, this.toHostBytes));
    return out;
  }
}

/** The opcodes a header fault can name: the board's own command table. */
const OP_CODES: Readonly<Record<string, number>> = Op;

/** `header:OP:BYTE[:NTH[:XOR]]`, e.g. `header:READ_FLASH:1:3` (byte 1 of the 3rd READ_FLASH's data). */
function parseHeaderFault(spec: string): HeaderFault {
  const m = /^header:([A-Z][A-Z0-9_]*|0x[0-9a-f]+):(\d+)(?::(\d+))?(?::(0x[0-9a-f]+|\d+))?$/i.exec(
    spec.trim(),
  );
  const op = m ? (OP_CODES[m[1]!.toUpperCase()] ?? (m[1]!.startsWith('0x') ? Number(m[1]) : NaN)) : NaN;
  if (!m || Number.isNaN(op)) {
    throw new Error(
      `bad fault "${spec}" (want header:OP:BYTE[:NTH[:XOR]], e.g. header:READ_FLASH:1:3; OP is ${Object.keys(OP_CODES).join(', ')} or 0xNN)`,
    );
  }
  return {
    op,
    byte: Number(m[2]),
    ...(m[3] ? { nth: Number(m[3]) } : {}),
    ...(m[4] ? { xor: Number(m[4]) } : {}),
  };
}

/**
 * Parses the CLI form: `drop:N`, `drop-every:N`, `corrupt:N`, `corrupt-every:N`, `corrupt-frame:N`,
 * `corrupt-frame-every:N`, `disconnect:N`, `slow-erase:F`, `max-baud:N`, each optionally suffixed
 * `@to-host` / `@to-board`; and `header:OP:BYTE[:NTH[:XOR]]` (host → board). Several may be given.
 */
export function parseFaults(specs: string[]): FaultOptions {
  const f: FaultOptions = {};
  for (const spec of specs) {
    if (spec.trim().startsWith('header:')) {
      f.corruptHeader = parseHeaderFault(spec);
      continue;
    }
    const m = /^([a-z-]+):([0-9.]+)(?:@(to-host|to-board|both))?$/.exec(spec.trim());
    if (!m)
      throw new Error(
        `bad fault "${spec}" (want e.g. drop:1000, corrupt-every:500@to-host, corrupt-frame-every:100@to-board, header:READ_FLASH:1:3, disconnect:20000)`,
      );
    const [, kind, numText, dir] = m;
    const n = Number(numText);
    if (dir) f.direction = dir as FaultDirection;
    switch (kind) {
      case 'drop':
        f.dropNth = n;
        break;
      case 'drop-every':
        f.dropEvery = n;
        break;
      case 'corrupt':
        f.corruptNth = n;
        break;
      case 'corrupt-every':
        f.corruptEvery = n;
        break;
      case 'corrupt-frame':
        f.corruptFrameNth = n;
        break;
      case 'corrupt-frame-every':
        f.corruptFrameEvery = n;
        break;
      case 'disconnect':
        f.disconnectAfter = n;
        break;
      case 'slow-erase':
        f.slowErase = n;
        break;
      case 'max-baud':
        f.maxBaud = n;
        break;
      default:
        throw new Error(`unknown fault kind "${kind}"`);
    }
  }
  return f;
}
