/**
 * `rfc2217://HOST:PORT`: a remote serial port over telnet with the COM-PORT-OPTION of RFC 2217 (ser2net's
 * `telnet(rfc2217)` accepter, esptool's esp_rfc2217_server, pyserial's rfc2217 server). Unlike raw
 * socket://, the far side's UART rate and its DTR/RTS follow this link, so the auto-reset circuit and the
 * baud change work on a remote adapter.
 *
 * Layered on the raw TCP link (connect, errors, close). Wire facts:
 * - telnet (RFC 854/855): IAC=0xFF starts a command; a data byte 0xFF travels doubled (IAC IAC), both
 *   ways. Options are agreed with WILL/WONT/DO/DONT; BINARY (RFC 856) both ways so no CR/NUL rewriting
 *   touches SLIP frames, SUPPRESS-GO-AHEAD (RFC 858), and we WILL COM-PORT-OPTION (44).
 * - RFC 2217 subnegotiation: IAC SB 44 <command> <value, IAC-escaped> IAC SE; the server answers each
 *   with command + 100 and the value it applied. SET-BAUDRATE (1) carries 4 bytes big-endian;
 *   SET-CONTROL (5) sets one line per command (8/9 DTR on/off, 11/12 RTS on/off); PURGE-DATA (12) 1
 *   drops the server's receive buffer.
 * - A server whose port has no modem lines (ser2net on a pty) never answers SET-CONTROL: after one
 *   unanswered command `capabilities.controlLines` turns off, as the serial link does on a pty, and the
 *   esp layer falls back to no-reset and says so.
 */
import { FlashbackError } from '../errors.js';
import { assertLinkOpen, LinkEvents } from './events.js';
import type { ControlSignals, Link, LinkCapabilities } from './link.js';
import { openTcpLink } from './tcp-link.js';

export const IAC = 0xff;
const DONT = 0xfe;
const DO = 0xfd;
const WONT = 0xfc;
const WILL = 0xfb;
const SB = 0xfa;
const SE = 0xf0;

const OPT_BINARY = 0;
const OPT_SGA = 3;
export const OPT_COM_PORT = 44;

/** RFC 2217 client commands; the server's answer is the same number + 100. */
export const CPO = {
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  PURGE_DATA: 12,
} as const;
const SERVER_REPLY = 100;
const CONTROL = { NO_FLOW: 1, DTR_ON: 8, DTR_OFF: 9, RTS_ON: 11, RTS_OFF: 12 } as const;
const PARITY_NONE = 1;
const STOP_BITS_1 = 1;
const PURGE_RX = 1;

const NEGOTIATE_MS = 3000;
const BAUD_ACK_MS = 3000;
const CONTROL_ACK_MS = 1000;
const PURGE_ACK_MS = 1000;

const NOT_RFC2217_HINT =
  'Is this an RFC 2217 server (ser2net `telnet(rfc2217)`, esp_rfc2217_server)? For a raw TCP bridge use socket://HOST:PORT.';

/** Doubles every 0xFF so the server reads it as data, not as a telnet command. */
export function escapeIac(data: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of data) if (b === IAC) n++;
  if (n === 0) return data;
  const out = new Uint8Array(data.length + n);
  let j = 0;
  for (const b of data) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

/** One RFC 2217 subnegotiation, value escaped. */
export function comPortCommand(command: number, value: Uint8Array): Uint8Array {
  const v = escapeIac(value);
  return Uint8Array.of(IAC, SB, OPT_COM_PORT, command, ...v, IAC, SE);
}

export type TelnetEvent =
  { kind: 'negotiate'; verb: number; option: number } | { kind: 'sub'; option: number; payload: Uint8Array };

/**
 * Splits a telnet byte stream into data and commands; keeps its state across chunks, so an IAC pair
 * or a subnegotiation split over two TCP segments decodes the same.
 */
export class TelnetDecoder {
  private state: 'data' | 'iac' | 'verb' | 'sb' | 'sb-iac' = 'data';
  private verb = 0;
  private sub: number[] = [];

  push(chunk: Uint8Array): { data: Uint8Array; events: TelnetEvent[] } {
    const data: number[] = [];
    const events: TelnetEvent[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === IAC) {
            data.push(IAC);
            this.state = 'data';
          } else if (b >= WILL && b <= DONT) {
            this.verb = b;
            this.state = 'verb';
          } else if (b === SB) {
            this.sub = [];
            this.state = 'sb';
          } else this.state = 'data'; // NOP, GA, AYT…: nothing to do on a data link
          break;
        case 'verb':
          events.push({ kind: 'negotiate', verb: this.verb, option: b });
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          else this.sub.push(b);
          break;
        case 'sb-iac':
          if (b === IAC) {
            this.sub.push(IAC);
            this.state = 'sb';
          } else {
            // SE ends it; anything else is a broken server, and we end the subnegotiation all the same.
            if (this.sub.length > 0) {
              const [option, ...payload] = this.sub;
              events.push({ kind: 'sub', option: option!, payload: Uint8Array.from(payload) });
            }
            this.sub = [];
            this.state = 'data';
          }
          break;
      }
    }
    return { data: Uint8Array.from(data), events };
  }
}

type OptState = 'no' | 'want' | 'yes';

class Rfc2217Link implements Link {
  readonly kind = 'rfc2217' as const;
  readonly capabilities: LinkCapabilities = { controlLines: true, baudChange: true };
  private readonly events = new LinkEvents();
  private readonly decoder = new TelnetDecoder();
  /** What we do (WILL) and what the server does (DO), per option (RFC 1143's states, simplified). */
  private readonly us = new Map<number, OptState>();
  private readonly them = new Map<number, OptState>();
  private readonly waiters = new Map<number, Array<(value: Uint8Array | null) => void>>();
  private comPortListeners: Array<(accepted: boolean) => void> = [];

  constructor(
    readonly spec: string,
    private readonly tcp: Link,
    private baudValue: number,
  ) {
    tcp.onData((chunk) => this.receive(chunk));
    tcp.onClose((err) => {
      for (const list of this.waiters.values()) for (const w of list.splice(0)) w(null);
      for (const l of this.comPortListeners.splice(0)) l(false);
      this.events.emitClose(err);
    });
  }

  get baud(): number {
    return this.baudValue;
  }

  get isOpen(): boolean {
    return !this.events.isClosed && this.tcp.isOpen;
  }

  /** Offers BINARY, SGA and COM-PORT-OPTION; resolves when the server accepts COM-PORT-OPTION. */
  async negotiate(): Promise<void> {
    for (const opt of [OPT_BINARY, OPT_SGA, OPT_COM_PORT]) this.us.set(opt, 'want');
    for (const opt of [OPT_BINARY, OPT_SGA]) this.them.set(opt, 'want');
    const accepted = new Promise<boolean | 'timeout'>((resolve) => {
      const t = setTimeout(() => resolve('timeout'), NEGOTIATE_MS);
      this.comPortListeners.push((ok) => {
        clearTimeout(t);
        resolve(ok);
      });
    });
    await this.tcp.write(
      Uint8Array.of(
        ...[IAC, WILL, OPT_BINARY, IAC, DO, OPT_BINARY],
        ...[IAC, WILL, OPT_SGA, IAC, DO, OPT_SGA],
        ...[IAC, WILL, OPT_COM_PORT],
      ),
    );
    const ok = await accepted;
    if (ok === true) return;
    const why =
      ok === 'timeout'
        ? `no telnet answer to COM-PORT-OPTION within ${NEGOTIATE_MS / 1000} s`
        : 'the server refused COM-PORT-OPTION (RFC 2217)';
    throw new FlashbackError(
      'BAD_PORT_SPEC',
      `${this.spec} is not an RFC 2217 port: ${why}`,
      NOT_RFC2217_HINT,
    );
  }

  /** 8N1, no flow control, then the baud rate (waits for the server to confirm it). */
  async configure(): Promise<void> {
    await this.tcp.write(
      Uint8Array.of(
        ...comPortCommand(CPO.SET_DATASIZE, Uint8Array.of(8)),
        ...comPortCommand(CPO.SET_PARITY, Uint8Array.of(PARITY_NONE)),
        ...comPortCommand(CPO.SET_STOPSIZE, Uint8Array.of(STOP_BITS_1)),
        ...comPortCommand(CPO.SET_CONTROL, Uint8Array.of(CONTROL.NO_FLOW)),
      ),
    );
    await this.setBaud(this.baudValue);
  }

  private receive(chunk: Uint8Array): void {
    const { data, events } = this.decoder.push(chunk);
    for (const e of events) {
      if (e.kind === 'negotiate') this.onNegotiate(e.verb, e.option);
      else if (e.option === OPT_COM_PORT && e.payload.length > 0) this.onServerReply(e.payload);
    }
    if (data.length > 0) this.events.emitData(data);
  }

  private onNegotiate(verb: number, option: number): void {
    const ours = verb === DO || verb === DONT;
    const table = ours ? this.us : this.them;
    const allowed = ours
      ? option === OPT_BINARY || option === OPT_SGA || option === OPT_COM_PORT
      : option === OPT_BINARY || option === OPT_SGA;
    const yes = verb === DO || verb === WILL;
    const state = table.get(option) ?? 'no';
    const reply = (v: number) => void this.tcp.write(Uint8Array.of(IAC, v, option)).catch(() => undefined);
    if (yes) {
      if (!allowed) {
        if (state === 'no') reply(ours ? WONT : DONT);
      } else if (state !== 'yes') {
        // An answer to our own request needs no reply; an offer from the server does.
        if (state === 'no') reply(ours ? WILL : DO);
        table.set(option, 'yes');
      }
    } else if (state !== 'no') {
      if (state === 'yes') reply(ours ? WONT : DONT);
      table.set(option, 'no');
    }
    if (ours && option === OPT_COM_PORT) {
      for (const l of this.comPortListeners.splice(0)) l(this.us.get(OPT_COM_PORT) === 'yes');
    }
  }

  private onServerReply(payload: Uint8Array): void {
    const command = payload[0]! - SERVER_REPLY;
    const w = this.waiters.get(command)?.shift();
    w?.(payload.subarray(1));
  }

  /** Sends subnegotiations in one write and waits for the server's answer to each (null on timeout). */
  private async request(
    cmds: Array<[number, Uint8Array]>,
    timeoutMs: number,
  ): Promise<Array<Uint8Array | null>> {
    const answers = cmds.map(
      ([command]) =>
        new Promise<Uint8Array | null>((resolve) => {
          const list = this.waiters.get(command) ?? [];
          this.waiters.set(command, list);
          const t = setTimeout(() => {
            const i = list.indexOf(done);
            if (i >= 0) list.splice(i, 1);
            resolve(null);
          }, timeoutMs);
          const done = (v: Uint8Array | null) => {
            clearTimeout(t);
            resolve(v);
          };
          list.push(done);
        }),
    );
    await this.tcp.write(Uint8Array.of(...cmds.flatMap(([c, v]) => [...comPortCommand(c, v)])));
    return Promise.all(answers);
  }

  async write(data: Uint8Array): Promise<void> {
    assertLinkOpen(this.isOpen, this.spec, 'write');
    await this.tcp.write(escapeIac(data));
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.events.onData(listener);
  }

  onClose(listener: (err?: Error) => void): () => void {
    return this.events.onClose(listener);
  }

  /**
   * DTR then RTS, one SET-CONTROL each, in one TCP write so the server applies them back to back (the
   * board's EN capacitor absorbs the sub-millisecond step between them, as with esptool over RFC 2217).
   */
  async setSignals(s: ControlSignals): Promise<void> {
    assertLinkOpen(this.isOpen, this.spec, 'set DTR/RTS');
    if (!this.capabilities.controlLines) return;
    const cmds: Array<[number, Uint8Array]> = [];
    if (s.dtr !== undefined)
      cmds.push([CPO.SET_CONTROL, Uint8Array.of(s.dtr ? CONTROL.DTR_ON : CONTROL.DTR_OFF)]);
    if (s.rts !== undefined)
      cmds.push([CPO.SET_CONTROL, Uint8Array.of(s.rts ? CONTROL.RTS_ON : CONTROL.RTS_OFF)]);
    if (cmds.length === 0) return;
    const answers = await this.request(cmds, CONTROL_ACK_MS);
    if (answers.some((a) => a === null)) this.capabilities.controlLines = false;
  }

  /** Throws BAUD_FAILED when the server does not confirm the rate or applies another one. */
  async setBaud(baud: number): Promise<void> {
    assertLinkOpen(this.isOpen, this.spec, 'change baud');
    const value = new Uint8Array(4);
    new DataView(value.buffer).setUint32(0, baud, false);
    const [answer] = await this.request([[CPO.SET_BAUDRATE, value]], BAUD_ACK_MS);
    if (!answer || answer.length < 4) {
      throw new FlashbackError(
        'BAUD_FAILED',
        `${this.spec} did not confirm ${baud} baud within ${BAUD_ACK_MS / 1000} s`,
        `Use a lower --baud, or check the RFC 2217 server. ${NOT_RFC2217_HINT}`,
        { baud },
      );
    }
    const applied = new DataView(answer.buffer, answer.byteOffset, 4).getUint32(0, false);
    if (applied !== baud) {
      throw new FlashbackError(
        'BAUD_FAILED',
        `${this.spec} set ${applied} baud instead of ${baud}`,
        'Use a lower --baud that the remote adapter supports.',
        { baud, applied },
      );
    }
    this.baudValue = baud;
  }

  /** Asks the server to drop what its port received but has not sent yet (PURGE-DATA 1). */
  async flushInput(): Promise<void> {
    assertLinkOpen(this.isOpen, this.spec, 'flush');
    await this.request([[CPO.PURGE_DATA, Uint8Array.of(PURGE_RX)]], PURGE_ACK_MS);
  }

  async close(): Promise<void> {
    await this.tcp.close();
  }
}

export interface Rfc2217LinkOptions {
  baud: number;
  /** Connect timeout in ms (default 5000). */
  timeoutMs?: number;
}

/**
 * Connects, agrees telnet options and sets 8N1 at `baud`. Throws PORT_NOT_FOUND or TIMEOUT (connect),
 * BAD_PORT_SPEC (the server does not speak RFC 2217) or BAUD_FAILED; the socket is closed on failure.
 */
export async function openRfc2217Link(
  spec: string,
  host: string,
  port: number,
  opts: Rfc2217LinkOptions,
): Promise<Link> {
  const tcp = await openTcpLink(spec, host, port, opts);
  const link = new Rfc2217Link(spec, tcp, opts.baud);
  try {
    await link.negotiate();
    await link.configure();
    return link;
  } catch (e) {
    await tcp.close().catch(() => undefined);
    throw e;
  }
}
