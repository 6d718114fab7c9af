import { describe, expect, it } from 'vitest';
import {
  BRIDGES,
  applicableNotes,
  baudLadder,
  bridgeFor,
  defaultBaudFor,
  ftdiLatencyTimerPath,
  kernelAtLeast,
  normHexId,
} from '../../main/transport/bridges.js';

describe('bridge table', () => {
  it('names the common ESP8266 USB bridges from VID:PID', () => {
    expect(bridgeFor('1a86', '7523')?.name).toBe('CH340');
    expect(bridgeFor('1a86', '5523')?.name).toBe('CH341');
    expect(bridgeFor('1a86', '55d4')?.name).toBe('CH9102');
    expect(bridgeFor('10c4', 'ea60')?.name).toBe('CP210x');
    expect(bridgeFor('10c4', 'ea70')?.name).toBe('CP2105');
    expect(bridgeFor('0403', '6001')?.name).toBe('FT232R');
    expect(bridgeFor('0403', '6015')?.name).toBe('FT231X');
    expect(bridgeFor('0403', '6010')?.name).toBe('FT2232');
    expect(bridgeFor('067b', '2303')?.name).toBe('PL2303');
  });

  it('accepts 0x-prefixed, upper-case and numeric ids', () => {
    expect(bridgeFor('0x1A86', '0x7523')?.name).toBe('CH340');
    expect(bridgeFor(0x10c4, 0xea60)?.name).toBe('CP210x');
    expect(normHexId('403')).toBe('0403');
    expect(normHexId('xyz')).toBeUndefined();
    expect(normHexId(undefined)).toBeUndefined();
  });

  it('matches vendor wildcards only when no exact entry exists', () => {
    expect(bridgeFor('303a', '1001')?.name).toBe('Espressif USB');
    expect(bridgeFor('303a', '0002')?.name).toBe('Espressif USB');
    expect(bridgeFor('1a86', 'ffff')).toBeUndefined();
    expect(bridgeFor('dead', 'beef')).toBeUndefined();
    expect(bridgeFor(undefined, '7523')).toBeUndefined();
  });

  it('has sane rates for every entry', () => {
    for (const b of BRIDGES) {
      expect(b.defaultBaud).toBeLessThanOrEqual(b.maxBaud);
      expect(b.defaultBaud).toBeGreaterThanOrEqual(115200);
      expect(b.vendorId).toMatch(/^[0-9a-f]{4}$/);
    }
  });
});

describe('defaultBaudFor', () => {
  it('uses the bridge default, the macOS CH340 cap, and a safe rate for unknown adapters', () => {
    expect(defaultBaudFor('FT232R', 'linux')).toBe(921600);
    expect(defaultBaudFor('CH340', 'linux')).toBe(460800);
    expect(defaultBaudFor('CH340', 'darwin')).toBe(230400);
    expect(defaultBaudFor('CH341', 'darwin')).toBe(230400);
    expect(defaultBaudFor('CP210x', 'darwin')).toBe(460800);
    expect(defaultBaudFor(bridgeFor('10c4', 'ea60'), 'win32')).toBe(460800);
    expect(defaultBaudFor('unknown', 'linux')).toBe(230400);
    expect(defaultBaudFor(undefined, 'linux')).toBe(230400);
  });
});

describe('baudLadder', () => {
  it('steps down the standard rates from the start', () => {
    expect(baudLadder(921600)).toEqual([921600, 460800, 230400, 115200]);
    expect(baudLadder(460800)).toEqual([460800, 230400, 115200]);
    expect(baudLadder(115200)).toEqual([115200]);
  });
  it('puts a non-standard start first', () => {
    expect(baudLadder(1500000)).toEqual([1500000, 921600, 460800, 230400, 115200]);
    expect(baudLadder(500000)).toEqual([500000, 460800, 230400, 115200]);
    expect(baudLadder(74880)).toEqual([74880]);
  });
});

describe('known issues', () => {
  const ch340 = bridgeFor('1a86', '7523')!;
  it('flags the CH340 Linux regression only on kernels from 5.13.10', () => {
    const on = (rel: string) => applicableNotes(ch340, 'linux', rel).some((n) => n.includes('esptool#653'));
    expect(on('5.13.10-generic')).toBe(true);
    expect(on('6.8.0-45-generic')).toBe(true);
    expect(on('5.13.9')).toBe(false);
    expect(on('5.4.0-150-generic')).toBe(false);
    expect(applicableNotes(ch340, 'win32').length).toBe(0);
    expect(applicableNotes(ch340, 'darwin').some((n) => n.includes('230400'))).toBe(true);
  });
  it('compares kernel versions numerically', () => {
    expect(kernelAtLeast('5.14', [5, 13, 10])).toBe(true);
    expect(kernelAtLeast('5.13.2', [5, 13, 10])).toBe(false);
    expect(kernelAtLeast('garbage', [5, 13, 10])).toBe(false);
  });
  it('tells where the FTDI latency timer lives', () => {
    const ft = bridgeFor('0403', '6001')!;
    expect(applicableNotes(ft, 'linux', '6.1.0').join(' ')).toMatch(/latency_timer/);
    expect(ftdiLatencyTimerPath('/dev/ttyUSB3')).toBe('/sys/bus/usb-serial/devices/ttyUSB3/latency_timer');
    expect(ftdiLatencyTimerPath('COM3')).toBeUndefined();
  });
});

describe('startBaudFor (what operations start at and `flashback ports` prints)', () => {
  it('is the adapter default for a known bridge, the fastest standard rate otherwise', async () => {
    const { startBaudFor } = await import('../../main/transport/bridges.js');
    expect(startBaudFor('CH340', 'linux')).toBe(460800);
    expect(startBaudFor('CH340', 'darwin')).toBe(230400);
    expect(startBaudFor('virtual', 'linux')).toBe(921600);
    expect(startBaudFor('unknown', 'linux')).toBe(921600);
  });
});
