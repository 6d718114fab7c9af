/**
 * Getting the chip's attention: reset strategy + SYNC with retries (notes 1.5, 3.2). Classifies a failure
 * from what the port did receive, so the user learns whether the board is silent, running its firmware,
 * or talking at another baud.
 */
import { FlashbackError, throwIfAborted } from '../errors.js';
import type { Link } from '../transport/link.js';
import { decodeResponse, encodeRequest, Op, SYNC_PAYLOAD, TIMEOUTS } from './commands.js';
import type { Connection } from './connection.js';
import type { UserPrompt } from '../progress.js';
import { bootloaderReset, MANUAL_RESET_STEPS, sleep } from './reset.js';
import type { BeforeReset } from './types.js';

export interface SyncResult {
  /** All replies carried value 0: a flasher stub is already running (notes 1.5). */
  stubRunning: boolean;
  attempts: number;
}

const SYNC_TRIES_PER_ATTEMPT = 5;

/** What came back to SYNC that was not an answer: our own requests (a loopback, not a chip). */
interface Heard {
  echoes: number;
}

function isEchoedSync(frame: Uint8Array): boolean {
  return frame.length >= 8 && frame[0] === 0x00 && frame[1] === Op.SYNC;
}

async function trySync(conn: Connection, heard: Heard): Promise<number[] | null> {
  await conn.flushInput();
  await conn.writeFrame(encodeRequest(Op.SYNC, SYNC_PAYLOAD));
  const values: number[] = [];
  const deadline = performance.now() + TIMEOUTS.syncMs + 100;
  // First reply within SYNC_TIMEOUT (plus a little for slow links); the ROM then sends 7 more.
  while (values.length === 0) {
    const left = deadline - performance.now();
    if (left <= 0) return null;
    let frame: Uint8Array;
    try {
      frame = await conn.readFrame(left, 'SYNC');
    } catch (e) {
      if (e instanceof FlashbackError && e.code === 'TIMEOUT') return null;
      throw e;
    }
    if (isEchoedSync(frame)) heard.echoes++;
    const r = decodeResponse(frame);
    if (r && r.op === Op.SYNC && r.status === 0) values.push(r.value);
  }
  for (let i = 0; i < 7; i++) {
    try {
      const r = decodeResponse(await conn.readFrame(100, 'SYNC'));
      if (r && r.op === Op.SYNC) values.push(r.value);
    } catch {
      break;
    }
  }
  return values;
}

export async function syncWithChip(
  link: Link,
  conn: Connection,
  opts: {
    before: BeforeReset;
    attempts?: number;
    signal?: AbortSignal;
    log?: (l: string) => void;
    onPrompt?: (p: UserPrompt | null) => void;
  },
): Promise<SyncResult> {
  let before = opts.before;
  if (before === 'default-reset' && !link.capabilities.controlLines) {
    opts.log?.(
      `${link.spec} has no DTR/RTS control lines, so Flashback cannot reset the board: it must already be in the bootloader.`,
    );
    before = 'no-reset';
  }
  const heard: Heard = { echoes: 0 };
  if (before === 'manual') return manualSync(link, conn, opts, heard);
  const attempts = opts.attempts ?? (before === 'default-reset' ? 7 : 2);
  for (let attempt = 0; attempt < attempts; attempt++) {
    throwIfAborted(opts.signal, 'Connecting');
    if (before === 'default-reset') await bootloaderReset(link, attempt % 2 === 0 ? 50 : 550);
    for (let i = 0; i < SYNC_TRIES_PER_ATTEMPT; i++) {
      const values = await trySync(conn, heard);
      if (values) return { stubRunning: values.every((v) => v === 0), attempts: attempt + 1 };
      await sleep(50, opts.signal);
    }
  }
  throw notInBootloader(link, conn, before, heard);
}

/** How long `--before manual` listens for the board after asking the user to reset it. */
export const MANUAL_WAIT_MS = 30_000;

/**
 * `--before manual`: tells the user what to press, now, with a deadline (a prompt the CLI prints and the
 * workbench shows with a countdown), then keeps sending SYNC until the board answers or time runs out.
 */
async function manualSync(
  link: Link,
  conn: Connection,
  opts: { signal?: AbortSignal; log?: (l: string) => void; onPrompt?: (p: UserPrompt | null) => void },
  heard: Heard,
): Promise<SyncResult> {
  const until = Date.now() + MANUAL_WAIT_MS;
  const prompt: UserPrompt = {
    kind: 'manual-reset',
    title: `Put the board on ${link.spec} into its bootloader now`,
    steps: MANUAL_RESET_STEPS,
    until,
  };
  if (opts.onPrompt) opts.onPrompt(prompt);
  else opts.log?.(`${prompt.title}: ${prompt.steps.join(' ')}`);
  try {
    for (let attempt = 1; Date.now() < until; attempt++) {
      throwIfAborted(opts.signal, 'Connecting');
      const values = await trySync(conn, heard);
      if (values) return { stubRunning: values.every((v) => v === 0), attempts: attempt };
      await sleep(50, opts.signal);
    }
  } finally {
    opts.onPrompt?.(null);
  }
  throw notInBootloader(link, conn, 'manual', heard);
}

/** What to check when nothing answers depends on what the port is: a USB cable, a TCP bridge, a simulation. */
function silentHint(link: Link): string {
  const boot = 'then hold FLASH/BOOT, tap RST, release FLASH and Retry.';
  switch (link.kind) {
    case 'tcp':
    case 'rfc2217':
      return `Check that the bridge at ${link.spec} is wired to the board's UART (TX/RX crossed) at ${link.kind === 'tcp' ? 'the rate the bridge is set to' : 'a working rate'}; ${boot}`;
    case 'virtual':
      return 'The virtual board did not answer: restart it (flashback sim) or use virtual:good.';
    case 'serial':
      return `Check the port is the board (flashback ports), the cable carries data, and GPIO15 is low; ${boot}`;
  }
}

/** The last line of readable text among what the port received (a firmware's or another device's output). */
function printedLine(text: string): string | null {
  // Text read at the wrong rate is mostly '.' (unprintable) and symbols; a real line is mostly words.
  const readable = (l: string) =>
    l.length >= 6 &&
    (l.match(/[A-Za-z]/g)?.length ?? 0) >= 3 &&
    (l.match(/[\w =:,]/g)?.length ?? 0) >= 0.8 * l.length;
  const last = text
    .split(/\\[nr]/)
    .map((l) => l.trim())
    .filter(readable)
    .at(-1);
  return last ? last.slice(0, 60) : null;
}

function notInBootloader(link: Link, conn: Connection, before: BeforeReset, heard: Heard): FlashbackError {
  const g = conn.garbage();
  const base = `No answer from the ESP8266 bootloader on ${link.spec}`;
  if (heard.echoes > 0) {
    return new FlashbackError(
      'NOT_IN_BOOTLOADER',
      `${base}: the port sends back what Flashback sends (${heard.echoes} SYNC requests came back unchanged) — something echoes, not an ESP8266`,
      "TX and RX are looped back: check the adapter's TX goes to the board's RX and RX to TX, that no loopback jumper is fitted, and that this is the board's port (flashback ports).",
      { echoes: heard.echoes },
    );
  }
  if (/boot mode:\(3/.test(g.text)) {
    return new FlashbackError(
      'NOT_IN_BOOTLOADER',
      `${base}: the board booted its firmware (boot mode 3: GPIO0 was high at reset)`,
      'Hold FLASH/BOOT, tap RST, release FLASH, then Retry (or use --before manual).',
      { garbage: g.text },
    );
  }
  if (g.count > 0) {
    const line = printedLine(g.text);
    return new FlashbackError(
      'NOT_IN_BOOTLOADER',
      `${base}: the port receives data (${g.count} bytes${line ? `, readable at ${link.baud} baud: "${line}"` : ''}) but not bootloader replies — ${line ? 'a firmware (or another device) is talking on it' : 'the firmware is running or the baud is wrong'}`,
      before === 'default-reset' && link.kind === 'serial'
        ? 'Hold FLASH/BOOT, tap RST, release FLASH, then Retry. If it repeats, try --baud 115200 or another cable.'
        : 'Hold FLASH/BOOT, tap RST, release FLASH, then Retry.',
      { garbage: g.text },
    );
  }
  return new FlashbackError(
    'NOT_IN_BOOTLOADER',
    `${base}: the board did not answer at all`,
    silentHint(link),
    { silent: true },
  );
}
