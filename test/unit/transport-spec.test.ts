import { describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { isNoControlLines, mapOpenError } from '../../main/transport/serial-errors.js';
import { formatPortSpec, parsePortSpec } from '../../main/transport/spec.js';

function codeOf(fn: () => unknown): { code: string; message: string; hint: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlashbackError);
    const f = e as FlashbackError;
    return { code: f.code, message: f.message, hint: f.hint };
  }
  throw new Error('expected a throw');
}

describe('parsePortSpec', () => {
  it('parses device paths, COM ports, socket:// and virtual:', () => {
    expect(parsePortSpec('/dev/ttyUSB0')).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
    expect(parsePortSpec('/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0')).toEqual({
      kind: 'serial',
      path: '/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0',
    });
    expect(parsePortSpec('COM3')).toEqual({ kind: 'serial', path: 'COM3' });
    expect(parsePortSpec('com12')).toEqual({ kind: 'serial', path: 'COM12' });
    expect(parsePortSpec('\\\\.\\COM10')).toEqual({ kind: 'serial', path: 'COM10' });
    expect(parsePortSpec('socket://127.0.0.1:4000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4000 });
    expect(parsePortSpec('socket://esp-link.local:23')).toEqual({
      kind: 'tcp',
      host: 'esp-link.local',
      port: 23,
    });
    expect(parsePortSpec('socket://[::1]:5555')).toEqual({ kind: 'tcp', host: '::1', port: 5555 });
    expect(parsePortSpec('virtual:good')).toEqual({ kind: 'virtual', name: 'good' });
    expect(parsePortSpec('rfc2217://192.168.1.5:2217')).toEqual({
      kind: 'rfc2217',
      host: '192.168.1.5',
      port: 2217,
    });
    expect(parsePortSpec('RFC2217://[fe80::1]:4000/')).toEqual({
      kind: 'rfc2217',
      host: 'fe80::1',
      port: 4000,
    });
  });

  it('round-trips through formatPortSpec', () => {
    for (const s of [
      '/dev/ttyUSB0',
      'COM3',
      'socket://127.0.0.1:4000',
      'socket://[::1]:5555',
      'rfc2217://esp-bridge.lan:2217',
      'rfc2217://[::1]:4000',
      'virtual:bad',
    ]) {
      expect(formatPortSpec(parsePortSpec(s))).toBe(s);
    }
  });

  it('rejects malformed specs with BAD_PORT_SPEC and an example', () => {
    const cases = [
      '',
      'socket://127.0.0.1',
      'socket://:4000',
      'socket://127.0.0.1:0',
      'socket://127.0.0.1:70000',
      'socket://127.0.0.1:abc',
      'rfc2217://127.0.0.1',
      'rfc2217://127.0.0.1:0',
      'tcp://127.0.0.1:4000',
      'virtual:',
      'virtual:../etc',
      'ttyUSB0',
      'hello',
    ];
    for (const c of cases) {
      const e = codeOf(() => parsePortSpec(c));
      expect(e.code, c).toBe('BAD_PORT_SPEC');
      expect(e.hint).toMatch(/socket:\/\/127\.0\.0\.1:4000/);
    }
    expect(codeOf(() => parsePortSpec('ttyUSB0')).message).toMatch(/\/dev\/ttyUSB0/);
    expect(codeOf(() => parsePortSpec('tcp://x:1')).message).toMatch(/unknown scheme "tcp"/);
    expect(codeOf(() => parsePortSpec('rfc2217://x')).message).toMatch(/expected rfc2217:\/\/HOST:PORT/);
    expect(codeOf(() => parsePortSpec('hello')).hint).toMatch(/rfc2217:\/\//);
  });
});

describe('serial error mapping', () => {
  it('maps serialport open errors to codes with actionable hints', () => {
    const missing = mapOpenError(
      '/dev/ttyUSB9',
      new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'),
      'linux',
    );
    expect(missing.code).toBe('PORT_NOT_FOUND');
    expect(missing.hint).toMatch(/flashback ports/);

    const locked = mapOpenError(
      '/dev/ttyUSB0',
      new Error('Error Resource temporarily unavailable Cannot lock port'),
      'linux',
    );
    expect(locked.code).toBe('PORT_BUSY');
    expect(locked.hint).toMatch(/Arduino IDE/);
    expect(locked.hint).toMatch(/PlatformIO/);
    expect(locked.hint).toMatch(/screen/);

    const winBusy = mapOpenError('COM3', new Error('Opening COM3: Access denied'), 'win32');
    expect(winBusy.code).toBe('PORT_BUSY');
    const winMissing = mapOpenError('COM9', new Error('Opening COM9: File not found'), 'win32');
    expect(winMissing.code).toBe('PORT_NOT_FOUND');

    const perm = mapOpenError(
      '/dev/ttyUSB0',
      new Error('Error: Permission denied, cannot open /dev/ttyUSB0'),
      'linux',
    );
    expect(perm.code).toBe('PORT_PERMISSION');
    expect(perm.hint).toMatch(/dialout/);
    expect(perm.hint).toMatch(/log out/);

    const busy = mapOpenError(
      '/dev/cu.usbserial',
      Object.assign(new Error('Resource busy'), { code: 'EBUSY' }),
      'darwin',
    );
    expect(busy.code).toBe('PORT_BUSY');
  });

  it('recognises "no modem lines" errors from ptys and drivers', () => {
    expect(isNoControlLines(new Error('Error: Inappropriate ioctl for device, cannot set'))).toBe(true);
    expect(isNoControlLines(new Error('Error: Invalid argument, cannot set'))).toBe(true);
    expect(isNoControlLines(new Error('Unknown error 515, cannot set'))).toBe(true);
    expect(isNoControlLines(new Error('Error: Input/output error, cannot set'))).toBe(false);
  });
});
