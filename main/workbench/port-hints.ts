/**
 * Port errors with a hint the user can act on. Inside the app the port owner prevents monitor-vs-flasher
 * clashes, so a busy port here is held by another program (USERS.md pattern 10).
 */
import { FlashbackError, isFlashbackError } from '../errors.js';

export function busyHint(e: unknown, port: string): unknown {
  if (!isFlashbackError(e)) return e;
  if (e.code === 'PORT_BUSY' && !e.message.includes('Flashback job')) {
    return new FlashbackError(
      'PORT_BUSY',
      `${port} is held by another program`,
      'Close the program using it — usually a serial monitor (Arduino IDE, PlatformIO, screen, minicom, PuTTY) ' +
        'or another flasher/IDE upload — then press Retry.',
      { ...(e.details ?? {}), port, cause: e.message },
    );
  }
  if (e.code === 'PORT_PERMISSION' && process.platform === 'linux') {
    return new FlashbackError(
      'PORT_PERMISSION',
      e.message,
      'Add yourself to the "dialout" group (sudo usermod -aG dialout $USER), log out and in, then press Retry.',
      e.details,
    );
  }
  return e;
}
