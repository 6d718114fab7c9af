/**
 * Serial devices through node-serialport — the ONLY module that imports `serialport` (STYLE.md #3).
 *
 * Quirks handled here:
 * - `port.set()` fills lines you omit with its defaults (DTR/RTS asserted), so we track both lines and
 *   always send the pair, in one call (TIOCMSET-like, ESP8266-NOTES 3.2 UnixTightReset).
 * - ptys and some bridges have no modem lines (ENOTTY/EINVAL/ENOIOCTLCMD): the first failure turns
 *   `capabilities.controlLines` off and setSignals becomes a no-op; the esp layer then falls back to
 *   no-reset and says so.
 * - an unplugged cable shows up as a close with an error (serialport's DisconnectedError); a close we did
 *   not ask for is always reported with an Error.
 * - on Linux and macOS the binding's poller loses a wake-up (see keepPollerWakeups): without the fix a
 *   write that fills the tty buffer can wait forever although the other end reads on.
 */
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { FlashbackError } from '../errors.js';
import type { ControlSignals, Link, LinkCapabilities } from './link.js';
import { assertLinkOpen, LinkEvents } from './events.js';
import { ioError, isNoControlLines, mapOpenError } from './serial-errors.js';

export type SerialPortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];

function cb(fn: (done: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/** The parts of @serialport/bindings-cpp's unix Poller (an EventEmitter over one uv_poll_t) used here. */
interface UnixPoller {
  poll(flag?: number): void;
  listenerCount(event: string): number;
}
const UV_READABLE = 1;
const UV_WRITABLE = 2;

/**
 * bindings-cpp (13.0.x) waits for 'writable' and 'readable' on one uv_poll_t, but each wait restarts it
 * with only its own event, dropping the other side's: when the reader re-arms after a write got EAGAIN,
 * the write's wake-up is lost. The board sends nothing until that frame is complete, so the write
 * callback never comes and the job ends as PORT_STALLED on a healthy port (under load, 1 restore in 15
 * over a pty). Each re-arm here also keeps the events the other side is still waiting on.
 */
function keepPollerWakeups(port: SerialPort): void {
  const poller = (port as unknown as { port?: { poller?: Partial<UnixPoller> } }).port?.poller;
  if (typeof poller?.poll !== 'function' || typeof poller.listenerCount !== 'function') return;
  const p = poller as UnixPoller;
  const poll = p.poll.bind(p);
  p.poll = (flag = 0) =>
    poll(
      flag |
        (p.listenerCount('readable') > 0 ? UV_READABLE : 0) |
        (p.listenerCount('writable') > 0 ? UV_WRITABLE : 0),
    );
}

class SerialLink implements Link {
  readonly kind = 'serial' as const;
  readonly capabilities: LinkCapabilities = { controlLines: true, baudChange: true };
  private readonly events = new LinkEvents();
  // Opening a tty on Linux asserts both lines (NOTES 3.1: that does not reset a NodeMCU-style board).
  private signals = { dtr: true, rts: true };
  private closing = false;

  constructor(
    readonly spec: string,
    private readonly port: SerialPort,
  ) {
    port.on('data', (chunk: Buffer) => {
      this.events.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    port.on('close', (err?: Error) => this.onPortClose(err));
    // 'error' without a listener would crash the process; failures reach callers through the promises.
    port.on('error', () => {});
  }

  get baud(): number {
    return this.port.baudRate;
  }

  get isOpen(): boolean {
    return this.port.isOpen && !this.events.isClosed;
  }

  private onPortClose(err?: Error): void {
    if (this.closing) return this.events.emitClose();
    // serialport may emit a bare 'close' right before the one carrying DisconnectedError: wait a tick
    // so the listener gets the specific error.
    setTimeout(() => {
      const cause = err?.message ?? 'the device went away';
      this.events.emitClose(
        new FlashbackError(
          'PORT_CLOSED',
          `Serial port ${this.spec} disconnected (${cause})`,
          'Check the USB cable (was it pulled?) and that the board still has power, then retry.',
          { path: this.spec },
        ),
      );
    }, 5);
  }

  private ensureOpen(what: string): void {
    assertLinkOpen(this.isOpen, this.spec, what);
  }

  async write(data: Uint8Array): Promise<void> {
    this.ensureOpen('write');
    try {
      await cb((done) => this.port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), done));
    } catch (e) {
      throw ioError(this.spec, 'write', e);
    }
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.events.onData(listener);
  }

  onClose(listener: (err?: Error) => void): () => void {
    return this.events.onClose(listener);
  }

  async setSignals(s: ControlSignals): Promise<void> {
    if (!this.capabilities.controlLines) return;
    this.ensureOpen('set DTR/RTS');
    const next = { dtr: s.dtr ?? this.signals.dtr, rts: s.rts ?? this.signals.rts };
    try {
      await cb((done) => this.port.set(next, done));
      this.signals = next;
    } catch (e) {
      if (!isNoControlLines(e)) throw ioError(this.spec, 'DTR/RTS change', e);
      this.capabilities.controlLines = false;
    }
  }

  async setBaud(baud: number): Promise<void> {
    this.ensureOpen('change baud');
    if (baud === this.port.baudRate) return;
    try {
      // Let queued bytes leave at the old rate before the UART is re-clocked.
      await cb((done) => this.port.drain(done));
      await cb((done) => this.port.update({ baudRate: baud }, done));
    } catch (e) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `${this.spec} refused ${baud} baud (${e instanceof Error ? e.message : String(e)})`,
        'Pick a lower rate, e.g. --baud 460800 or 115200; some adapters/drivers cap the rate.',
        { refusedBaud: baud },
      );
    }
  }

  async flushInput(): Promise<void> {
    this.ensureOpen('flush');
    // Data already handed out has gone to listeners; flush drops what the OS still holds (TCIOFLUSH).
    await cb((done) => this.port.flush(done)).catch((e: unknown) => {
      throw ioError(this.spec, 'flush', e);
    });
  }

  async close(): Promise<void> {
    if (this.events.isClosed) return;
    this.closing = true;
    // A port with a stalled write may never confirm the close: the link counts as closed after 1 s.
    if (this.port.isOpen)
      await Promise.race([
        cb((done) => this.port.close(done)).catch(() => {}),
        new Promise((r) => setTimeout(r, 1000).unref()),
      ]);
    this.events.emitClose();
  }
}

/**
 * A regular file or a folder given as --port (an image path in the wrong place) is said as such, not
 * answered with USB-cable advice. Paths that cannot be examined (COM3) go on to the open.
 */
async function refuseNonDevice(path: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (!st || !(st.isFile() || st.isDirectory())) return;
  throw new FlashbackError(
    'BAD_PORT_SPEC',
    `${path} is ${st.isFile() ? 'a regular file' : 'a directory'}, not a serial port`,
    "Give the board's serial port as --port (see `flashback ports`); an image file goes after --image.",
    { path },
  );
}

/** Opens a serial device at `baud`. Throws PORT_NOT_FOUND, PORT_BUSY or PORT_PERMISSION with a hint. */
export async function openSerialLink(path: string, baud: number): Promise<Link> {
  await refuseNonDevice(path);
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  try {
    await cb((done) => port.open(done));
  } catch (e) {
    throw mapOpenError(path, e);
  }
  keepPollerWakeups(port);
  return new SerialLink(path, port);
}

/** serialport's own listing (udev on Linux, IOKit on macOS, SetupAPI on Windows); may throw. */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  return SerialPort.list();
}
