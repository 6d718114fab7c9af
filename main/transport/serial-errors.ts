/**
 * Maps the errors node-serialport's bindings raise (they are plain Errors whose message carries the
 * OS's words, often without `code`) to FlashbackErrors with a hint the user can act on (USERS.md #10).
 */
import { FlashbackError } from '../errors.js';

const BUSY_HINT =
  'Another program holds the port: close the Arduino IDE serial monitor, a PlatformIO monitor, ' +
  'screen/minicom/picocom, or another flashback, then retry.';

function text(e: unknown): string {
  if (e instanceof Error) return `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`;
  return String(e);
}

/** Error opening `path` → PORT_NOT_FOUND | PORT_BUSY | PORT_PERMISSION (falls back to PORT_NOT_FOUND). */
export function mapOpenError(
  path: string,
  e: unknown,
  platform: NodeJS.Platform = process.platform,
): FlashbackError {
  const t = text(e);
  const detail = e instanceof Error ? e.message : String(e);
  const details = { path, cause: detail };
  // Windows says "Access denied" when another program has the COM port open; it has no Unix permissions.
  if (
    /cannot lock port|EBUSY|resource busy|device or resource busy|temporarily unavailable|EAGAIN/i.test(t) ||
    (platform === 'win32' && /access (is )?denied/i.test(t))
  ) {
    return new FlashbackError('PORT_BUSY', `Port ${path} is busy (${detail})`, BUSY_HINT, details);
  }
  if (/EACCES|permission denied|EPERM|operation not permitted/i.test(t)) {
    const hint =
      platform === 'linux'
        ? `Add yourself to the dialout group (\`sudo usermod -aG dialout $USER\`), then log out and back in.`
        : 'Check that your user may open the port (and that no other program holds it).';
    return new FlashbackError('PORT_PERMISSION', `No permission to open ${path} (${detail})`, hint, details);
  }
  const hint =
    'List ports with `flashback ports`; check the USB cable (some are charge-only) and the USB-serial ' +
    'driver (CH340, CP210x, FTDI).';
  if (/ENOENT|no such file|file not found|cannot find|ENODEV|no such device/i.test(t)) {
    return new FlashbackError('PORT_NOT_FOUND', `Port ${path} does not exist`, hint, details);
  }
  return new FlashbackError('PORT_NOT_FOUND', `Could not open ${path}: ${detail}`, hint, details);
}

/**
 * True when setting DTR/RTS failed because the device has no modem lines (ptys, some bridges):
 * ENOTTY ("Inappropriate ioctl"), EINVAL, or Linux's ENOIOCTLCMD (515, "Unknown error 515").
 */
export function isNoControlLines(e: unknown): boolean {
  const t = text(e);
  return /ENOTTY|inappropriate ioctl|EINVAL|invalid argument|ENOIOCTLCMD|error 515|not supported/i.test(t);
}

/** A failed write/set/update on an open port. */
export function ioError(path: string, what: string, e: unknown): FlashbackError {
  const detail = e instanceof Error ? e.message : String(e);
  return new FlashbackError(
    'PORT_CLOSED',
    `Serial ${what} on ${path} failed: ${detail}`,
    'Check the USB cable and that the board is still connected, then retry.',
    { path },
  );
}
