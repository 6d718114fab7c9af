import { describe, expect, it } from 'vitest';
import { annotate } from '../../main/mqtt/annotate.js';
import { lanAddresses, isLoopbackHost } from '../../main/mqtt/lan.js';
import { parseLine } from '../../main/mqtt/log-parser.js';
import { readSerialLog, BOOT_LOG_BAUD } from '../../main/mqtt/serial-log.js';
import { createNetwork, DEMO_BROKER } from '../../main/sim/network.js';
import type { Link } from '../../main/transport/link.js';
import { resample } from '../../main/sim/uart.js';

/** A link whose "board" is a script of (delay, baud, text) steps; bytes at another baud arrive scrambled. */
function scriptedLink(
  baudChange: boolean,
  steps: Array<[number, number, string]>,
  startBaud: number,
): Link & { bauds: number[] } {
  const listeners = new Set<(c: Uint8Array) => void>();
  let rate = startBaud;
  const bauds: number[] = [];
  let t = 0;
  for (const [delay, baud, text] of steps) {
    t += delay;
    setTimeout(() => {
      const bytes = Buffer.from(text, 'latin1');
      // Wrong rate: what a real UART receiver makes of it (main/sim/uart.ts resample).
      const out = resample(bytes, baud, rate);
      listeners.forEach((l) => l(out));
    }, t);
  }
  return {
    spec: 'script',
    kind: 'virtual',
    capabilities: { controlLines: false, baudChange },
    isOpen: true,
    bauds,
    get baud() {
      return rate;
    },
    write: async () => undefined,
    onData: (l) => (listeners.add(l), () => listeners.delete(l)),
    onClose: () => () => undefined,
    setSignals: async () => undefined,
    setBaud: async (b) => {
      rate = b;
      bauds.push(b);
    },
    flushInput: async () => undefined,
    close: async () => undefined,
  };
}

const boot: Array<[number, number, string]> = [
  [
    10,
    BOOT_LOG_BAUD,
    '\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\nload 0x4010f000, len 1376, room 16 \r\ntail 0\r\nchksum 0x2c\r\ncsum 0x2c\r\n',
  ],
  [80, 115200, '\r\nConnecting to Lab\r\nWiFi connected\r\n'],
];

describe('serial log reader', () => {
  it('reads the ROM banner at 74880, then switches to the monitor baud after csum', async () => {
    const link = scriptedLink(true, boot, BOOT_LOG_BAUD);
    const lines: Array<[string, number]> = [];
    const log = readSerialLog(link, { monitorBaud: 115200, onLine: (l, b) => lines.push([l, b]) });
    await new Promise((r) => setTimeout(r, 300));
    await log.stop();
    expect(link.bauds).toEqual([115200]);
    expect(log.switches).toBe(1);
    expect(lines.find(([l]) => l.includes('rst cause'))?.[1]).toBe(BOOT_LOG_BAUD);
    expect(
      lines.filter(([l]) => l === 'WiFi connected' || l === 'Connecting to Lab').map(([, b]) => b),
    ).toEqual([115200, 115200]);
  });

  it('a link that cannot change baud stays at the monitor rate (banner arrives as garbage)', async () => {
    const link = scriptedLink(false, boot, 115200);
    const lines: string[] = [];
    const log = readSerialLog(link, { monitorBaud: 115200, onLine: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 700));
    await log.stop();
    expect(link.bauds).toEqual([]);
    expect(lines).toContain('WiFi connected');
    expect(lines.some((l) => l.includes('rst cause'))).toBe(false);
  });
});

describe('annotations', () => {
  it('explains rc codes, banners, boot failures and crashes inline', () => {
    expect(
      annotate(parseLine('Attempting MQTT connection...failed, rc=-2 try again in 5 seconds')[1]!),
    ).toMatch(/^rc=-2 MQTT_CONNECT_FAILED: .*TCP/);
    expect(annotate(parseLine(' ets Jan  8 2013,rst cause:4, boot mode:(3,6)')[0]!)).toMatch(
      /hardware watchdog.*SPI flash/,
    );
    expect(annotate(parseLine('csum err')[0]!)).toMatch(/Fix: .*flash mode/);
    expect(annotate(parseLine('Soft WDT reset')[0]!)).toMatch(/yield/);
    expect(annotate(parseLine('just text')[0]!)).toBeNull();
  });
});

describe('virtual network and LAN helpers', () => {
  it('routes names to targets; unmapped is unreachable; a stale disposer does not remove a newer route', () => {
    const n = createNetwork();
    expect(n.resolve(DEMO_BROKER.host, DEMO_BROKER.port)).toBeNull();
    const undo1 = n.route('Broker.Flashback.Test', 1883, { host: '127.0.0.1', port: 4000 });
    expect(n.resolve(DEMO_BROKER.host, 1883)).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(n.resolve(DEMO_BROKER.host, 1884)).toBeNull();
    const undo2 = n.route(DEMO_BROKER.host, 1883, { host: '127.0.0.1', port: 5000 });
    undo1();
    expect(n.resolve(DEMO_BROKER.host, 1883)).toEqual({ host: '127.0.0.1', port: 5000 });
    undo2();
    expect(n.routes()).toEqual([]);
  });

  it('lists LAN IPv4 addresses, bridges last, and spots loopback hosts', () => {
    const list = lanAddresses({
      docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null }],
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }],
      wlan0: [{ address: '192.168.1.20', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null }],
    });
    expect(list.map((a) => a.address)).toEqual(['192.168.1.20', '172.17.0.1']);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('192.168.1.2')).toBe(false);
  });
});
