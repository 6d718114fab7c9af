/** The real-capture corpus (test/fixtures/serial-logs): loading and replaying captures through the parser. */
import fs from 'node:fs';
import path from 'node:path';
import { diagnose, type Diagnosis } from '../../main/mqtt/diagnosis.js';
import type { TimedEvent } from '../../main/mqtt/events.js';
import type { Evidence } from '../../main/mqtt/evidence.js';
import { LogParser } from '../../main/mqtt/log-parser.js';

export const CORPUS_DIR = path.join(__dirname, '..', 'fixtures', 'serial-logs');

export interface Capture {
  id: string;
  file: string;
  source: string;
  expert: { verdict: Diagnosis['verdict']; cause: string; accept?: string[] };
  note: string;
}

export function loadCorpus(): Capture[] {
  return (JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'index.json'), 'utf8')) as { captures: Capture[] })
    .captures;
}

export function captureLines(c: Capture): string[] {
  return fs.readFileSync(path.join(CORPUS_DIR, c.file), 'utf8').split(/\r?\n/);
}

/** Timestamps in the capture (Tasmota/ESPHome/IDE/ESPEasy prefixes) in ms, else one line per 100 ms. */
export function lineTimes(lines: string[]): number[] {
  const times = lines.map((l) => {
    let m: RegExpExecArray | null;
    if (
      (m = /^(?:\[)?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(l)) ||
      (m = /\s(\d{2}):(\d{2}):(\d{2})\s/.exec(l))
    )
      return ((+m[1]! * 60 + +m[2]!) * 60 + +m[3]!) * 1000 + (m[4] ? +m[4].padEnd(3, '0').slice(0, 3) : 0);
    if ((m = /^\s*(\d+) : /.exec(l))) return +m[1]!;
    return null;
  });
  const out: number[] = [];
  let base: number | null = null;
  let last = 0;
  for (let i = 0; i < lines.length; i++) {
    const t = times[i];
    if (t !== null && t !== undefined) {
      base ??= t - i * 100;
      last = Math.max(last, t - base);
    } else last += 100;
    out.push(last);
  }
  return out;
}

/** The capture as a check's serial timeline (read at the right rates). */
export function captureEvents(lines: string[], bauds?: number[]): TimedEvent[] {
  const p = new LogParser();
  const t = lineTimes(lines);
  return lines.flatMap((line, i) =>
    p.push(line).events.map((e) =>
      Object.assign(e, {
        t: t[i]!,
        source: 'serial' as const,
        line: line.trim(),
        ...(bauds ? { baud: bauds[i] } : {}),
      }),
    ),
  );
}

/** Diagnoses a capture as the check would with no broker access: the capture is taken as the whole window. */
export function diagnoseCapture(events: TimedEvent[], lines: number): Diagnosis {
  const end = events.length ? Math.max(...events.map((e) => e.t)) : 0;
  const ev: Evidence = {
    events,
    hostProbe: null,
    brokerWatch: 'none',
    serialLines: lines,
    // People post a capture once the failure has persisted: one retry interval past the last line.
    windowMs: end + 15_000,
  };
  return diagnose(ev);
}

export function readsAsExpert(c: Capture, d: Diagnosis): boolean {
  const top = d.diagnosis.find((x) => x.code !== 'note')?.code ?? (d.verdict === 'pass' ? 'pass' : 'none');
  const want = c.expert.accept ?? [c.expert.cause];
  if (d.verdict !== c.expert.verdict) return false;
  if (c.expert.verdict === 'pass') return c.expert.cause === 'pass' || top === 'recovered';
  if (c.expert.verdict === 'inconclusive') return true;
  return want.includes(top);
}
