/**
 * Fault injection for the virtual UART: drop or corrupt the Nth byte or every Nth byte, cut the link
 * after N bytes, slow the flash's erases. Byte counts are 1-based and count the bytes passing in the
 * fault's direction(s) since the board was created, so a test can aim at a known byte.
 */
export type FaultDirection = 'to-board' | 'to-host' | 'both';

export interface FaultOptions {
  dropNth?: number;
  dropEvery?: number;
  corruptNth?: number;
  corruptEvery?: number;
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

/**
 * Parses the CLI form: `drop:N`, `drop-every:N`, `corrupt:N`, `corrupt-every:N`, `disconnect:N`,
 * `slow-erase:F`, `max-baud:N`, each optionally suffixed `@to-host` / `@to-board`. Several may be given.
 */
export function parseFaults(specs: string[]): FaultOptions {
  const f: FaultOptions = {};
  for (const spec of specs) {
    const m = /^([a-z-]+):([0-9.]+)(?:@(to-host|to-board|both))?$/.exec(spec.trim());
    if (!m)
      throw new Error(
        `bad fault "${spec}" (want e.g. drop:1000, corrupt-every:500@to-host, disconnect:20000)`,
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
