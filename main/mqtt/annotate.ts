/**
 * One-line annotations the serial monitor prints beside a parsed line (rc meanings inline, ROM banner
 * decoded, boot failures with their fix). Pure; shared by `flashback monitor` and the UI's monitor.
 */
import type { LogEvent } from './events.js';
import { rcInfo } from './rc-codes.js';

export function annotate(e: LogEvent): string | null {
  switch (e.kind) {
    case 'rom-banner':
      return `reset: ${e.rstMeaning}; boot mode (${e.bootMode.join(',')}): ${e.bootMeaning}`;
    case 'boot-failure':
      return `${e.meaning}. Fix: ${e.fix}`;
    case 'mqtt-failed':
      return `rc=${e.rc} ${rcInfo(e.rc).name}: ${rcInfo(e.rc).meaning}`;
    case 'mqtt-connected':
      return 'MQTT connected';
    case 'crash':
      return e.crash === 'exception'
        ? `crash: exception ${e.exception}${e.epc1 ? ` at epc1=${e.epc1} excvaddr=${e.excvaddr}` : ''} (decode with the ESP Exception Decoder)`
        : e.crash === 'soft-wdt'
          ? 'crash: software watchdog (loop() blocked without yield)'
          : e.crash === 'wdt'
            ? 'crash: hardware watchdog (interrupts off too long, or power)'
            : 'crash: panic/abort';
    case 'garbage':
      return `${e.bytes} byte(s) at another baud rate, not shown as text`;
    default:
      return null;
  }
}
