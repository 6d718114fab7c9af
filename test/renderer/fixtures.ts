/** Shared data for renderer component tests: demo ports, two boards, a plan, a compare result. */
import type {
  BoardInfo,
  CompareView,
  LibraryEntry,
  MqttReport,
  PortInfo,
  RestorePlanView,
} from '../../main/workbench/api.js';

export const demoPorts: PortInfo[] = [
  { path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'Demo board "good"' },
  { path: 'virtual:bad', bridge: 'virtual', virtual: true, label: 'Demo board "bad"' },
];

export const board = (port: string, mac: string): BoardInfo => ({
  port,
  bridge: 'virtual',
  chip: 'ESP8266EX',
  mac,
  crystalMHz: 26,
  chipId: 0xabcdef,
  flash: { manufacturer: 'Winbond', device: 0x4016, jedecId: 0x1640ef, size: 4 << 20 },
});

export const entry: LibraryEntry = {
  id: 'a'.repeat(64),
  label: 'good board',
  board: { chip: 'ESP8266EX', mac: '5c:cf:7f:00:00:01', flashSize: 4 << 20, port: 'virtual:good' },
  created: '2026-01-02T03:04:05.000Z',
  size: 4 << 20,
  sha256: 'a'.repeat(64),
  md5: 'b'.repeat(32),
  credentials: true,
  ssid: 'HomeNet',
};

export const plan: RestorePlanView = {
  planId: 'plan-1',
  port: 'virtual:bad',
  image: { source: 'library:aaaaaaaaaaaa', size: 4 << 20, sha256: 'a'.repeat(64), libraryId: 'a'.repeat(64) },
  target: board('virtual:bad', '5c:cf:7f:00:00:02'),
  flashMode: { image: 'dio', chosen: 'keep', patched: false },
  backupFirst: true,
  full: false,
  preserve: [],
  writeSectors: [1020],
  skipSectors: 1023,
  regions: [
    { name: 'sketch', start: 0x1000, size: 0xff000, writeSectors: 0 },
    { name: 'RF init data', start: 0x3fc000, size: 0x1000, writeSectors: 1 },
  ],
  warnings: ['The target inherits the donor WiFi settings.'],
};

export function compareResult(): CompareView {
  const sectors: CompareView['sectors'] = Array.from({ length: 1024 }, (_, i) => (i < 64 ? 'same' : 'blank'));
  sectors[1020] = 'b-blank';
  return {
    a: {
      spec: 'virtual:good',
      kind: 'board',
      fields: { 'Firmware family': 'arduino', 'Flash size': '4 MB', 'RF init data': 'valid' },
    },
    b: {
      spec: 'virtual:bad',
      kind: 'board',
      fields: { 'Firmware family': 'arduino', 'Flash size': '4 MB', 'RF init data': 'blank' },
    },
    sectorSize: 4096,
    sectors,
    regions: [
      { name: 'sketch', start: 0x1000, size: 0xff000, diffSectors: 0 },
      { name: 'RF init data', start: 0x3fc000, size: 0x1000, diffSectors: 1 },
    ],
    summary: 'Only the RF init data sector differs: blank on B.',
  };
}

export const failReport: MqttReport = {
  verdict: 'fail',
  broker: 'mqtt://127.0.0.1:1883',
  board: { connected: false, rcCodes: [-2, -2] },
  hostProbe: { ok: true, connack: 0, ms: 3 },
  brokerView: { clientIds: [], messages: 0, lastMessage: null },
  diagnosis: [
    {
      cause: 'Board side: RF init data blank',
      evidence: 'host connects, board rc=-2',
      fix: 'Restore the RF init data sector',
    },
  ],
};
