/**
 * The real-capture corpus (test/fixtures/serial-logs, index.json): serial logs people posted in public
 * issue threads, each with the diagnosis an expert gave there. Every capture is replayed through the real
 * parser and diagnosis; the ones whose evidence the ROM prints at 74880 are also replayed over a virtual
 * UART at the rates a real board uses, read once by the dual-rate reader (must see the ROM cause) and
 * once at 115200 only (must not: no test passes by reading at the wrong rate).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FLASH_REPAIR } from '../../main/mqtt/causes.js';
import { readSerialLog, BOOT_LOG_BAUD } from '../../main/mqtt/serial-log.js';
import { resample } from '../../main/sim/uart.js';
import type { Link } from '../../main/transport/link.js';
import {
  captureEvents,
  captureLines,
  diagnoseCapture,
  loadCorpus,
  readsAsExpert,
  type Capture,
} from '../support/corpus.js';

const corpus = loadCorpus();
const FLASH_CAUSES = new Set(['rf-init-missing', 'system-param', 'csum-err', 'no-image']);

/** What the ROM and the SDK print before the app sets its UART: sent at 74880 on a real board. */
const romLine = (l: string) =>
  /ets Jan|rst cause|^\s*$|^load 0x|^tail \d|^chksum|^csum|^ho \d|^v[0-9a-f]{8}$|^~ld$|^wdt reset|rf_cal|system param error|^ets_main|^[0-9a-f]{2}( [0-9a-f]{2})+\s*$|^#0 ets_task|^2nd boot|^\s+SPI|^jump to run|^OS SDK ver/.test(
    l.trim(),
  );

/** A link that plays a capture: each line at its own rate, arriving as a real receiver at `rate` reads it. */
function playback(lines: string[], bauds: number[], baudChange: boolean): Link & { done: Promise<void> } {
  const listeners = new Set<(c: Uint8Array) => void>();
  let rate = baudChange ? BOOT_LOG_BAUD : 115200;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  void (async () => {
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < lines.length; i++) {
      const bytes = Buffer.from(`${lines[i]}\r\n`, 'latin1');
      const out = resample(bytes, bauds[i]!, rate);
      listeners.forEach((l) => l(out));
      // A rate change between ROM and app output takes the chip ~50 ms (PLL, app start).
      const gap = bauds[i + 1] !== undefined && bauds[i + 1] !== bauds[i] ? 60 : 2;
      await new Promise((r) => setTimeout(r, gap));
    }
    await new Promise((r) => setTimeout(r, 200));
    resolve();
  })();
  return {
    spec: 'capture',
    kind: 'virtual',
    capabilities: { controlLines: false, baudChange },
    isOpen: true,
    done,
    get baud() {
      return rate;
    },
    write: async () => undefined,
    onData: (l) => (listeners.add(l), () => listeners.delete(l)),
    onClose: () => () => undefined,
    setSignals: async () => undefined,
    setBaud: async (b) => {
      rate = b;
    },
    flushInput: async () => undefined,
    close: async () => undefined,
  };
}

async function replay(c: Capture, dualRate: boolean) {
  const lines = captureLines(c).filter((l) => l.trim());
  const bauds = lines.map((l) => (romLine(l) ? BOOT_LOG_BAUD : 115200));
  const link = playback(lines, bauds, dualRate);
  const read: string[] = [];
  const readBauds: number[] = [];
  const log = readSerialLog(link, {
    monitorBaud: 115200,
    startAt: romLine(lines[0]!) ? 'rom' : 'app',
    onLine: (raw, baud) => {
      read.push(raw);
      readBauds.push(baud);
    },
  });
  // The replay runs on fake timers, performance.now() included: the reader's quiet-gap rules see the
  // capture's own timing, not how long a loaded machine took to schedule each line.
  let finished = false;
  void link.done.then(() => (finished = true));
  while (!finished) await vi.advanceTimersByTimeAsync(1);
  await log.stop();
  return diagnoseCapture(captureEvents(read, readBauds), read.length);
}

describe('real captures read as the expert did', () => {
  const results: Array<[Capture, boolean, string]> = [];

  it.each(corpus.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const lines = captureLines(c);
    const d = diagnoseCapture(captureEvents(lines), lines.length);
    const ok = readsAsExpert(c, d);
    results.push([c, ok, d.summary]);
    // Never a flash repair first where the expert says broker, WiFi, rc=-4 or a crash.
    if (!FLASH_CAUSES.has(c.expert.cause))
      expect(d.diagnosis.filter((x) => FLASH_REPAIR.has(x.code) && x.confidence !== 'low')).toEqual([]);
    expect({ id: c.id, verdict: d.verdict, ok }).toEqual({ id: c.id, verdict: c.expert.verdict, ok: true });
  });

  it('has at least 30 captures with sources, and reports the score', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    for (const c of corpus) expect(c.source).toMatch(/^https:\/\//);
    const good = results.filter(([, ok]) => ok).length;
    console.log(`corpus: ${good}/${corpus.length} captures read as the expert did`);
    for (const [c, ok, summary] of results) if (!ok) console.log(`  miss ${c.id}: ${summary}`);
  });
});

describe('captures replayed over a UART at real rates', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const romEvidence = corpus.filter((c) =>
    ['rf-init-missing', 'system-param', 'csum-err', 'hw-wdt', 'download-mode'].includes(c.expert.cause),
  );

  it.each(romEvidence.map((c) => [c.id, c] as const))(
    '%s: the dual-rate reader finds the ROM cause; a 115200-only reader cannot',
    async (_id, c) => {
      const dual = await replay(c, true);
      expect(c.expert.accept ?? [c.expert.cause]).toContain(dual.diagnosis[0]!.code);
      const single = await replay(c, false);
      expect(single.diagnosis.some((x) => x.code === c.expert.cause)).toBe(false);
    },
  );
});
