/**
 * Reset strategies through DTR/RTS on a NodeMCU-style two-transistor circuit (notes 3.1, 3.2):
 * RTS asserted pulls EN low; DTR asserted pulls GPIO0 low (only while RTS is not asserted too).
 */
import type { Link } from '../transport/link.js';

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Into the serial bootloader: hold EN low, then release it with GPIO0 low, then let GPIO0 go.
 * Both lines are set in one call each step (like esptool's UnixTightReset), so no intermediate state
 * leaks. `holdMs` alternates 50/550 ms between attempts for slow EN capacitors.
 */
export async function bootloaderReset(link: Link, holdMs = 50): Promise<void> {
  await link.setSignals({ dtr: false, rts: false });
  await link.setSignals({ dtr: true, rts: true });
  await link.setSignals({ dtr: false, rts: true }); // EN low
  await sleep(100);
  await link.setSignals({ dtr: true, rts: false }); // GPIO0 low, EN high: chip samples the straps
  await sleep(holdMs);
  await link.setSignals({ dtr: false, rts: false });
}

/** Into the firmware: pulse EN with GPIO0 high (esptool's HardReset, notes 3.2). */
export async function hardReset(link: Link): Promise<void> {
  await link.setSignals({ dtr: false, rts: true });
  await sleep(100);
  await link.setSignals({ dtr: false, rts: false });
}

/** The manual bootloader entry, step by step (notes 3.2 "Manual mode"). */
export const MANUAL_RESET_STEPS = [
  'Press and hold FLASH (BOOT) — on an ESP-01 without buttons, connect GPIO0 to GND.',
  'While holding it, press and release RST (EN) — or unplug the board and plug it back in.',
  'Release FLASH (or disconnect GPIO0 from GND).',
];

export const MANUAL_RESET_INSTRUCTIONS =
  'Put the board in bootloader mode by hand: hold FLASH/BOOT (GPIO0 to GND), tap RST (or power-cycle), ' +
  'release FLASH/BOOT. On an ESP-01 without buttons, tie GPIO0 to GND while powering up.';
