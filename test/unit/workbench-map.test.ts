import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../main/image/compare.js';
import { compareView, planRegions } from '../../main/workbench/map.js';
import { annotateLine } from '../../main/workbench/real-deps.js';
import { LineSplitter } from '../../main/workbench/lines.js';

describe('workbench mapping', () => {
  it('rolls the sectors to write up by region, keeping stragglers visible', () => {
    const regions = [
      { name: 'sketch', start: 0x1000, size: 0xff000 },
      { name: 'rf-init', start: 0x3fc000, size: 0x1000 },
    ];
    const out = planRegions([1, 2, 1020, 0], regions, 4 << 20);
    expect(out).toEqual([
      { name: 'sketch', start: 0x1000, size: 0xff000, writeSectors: 2 },
      { name: 'rf-init', start: 0x3fc000, size: 0x1000, writeSectors: 1 },
      { name: 'outside named regions', start: 0, size: 0, writeSectors: 1 },
    ]);
    expect(planRegions([3], null, 0x10000)).toEqual([
      { name: 'image', start: 0, size: 0x10000, writeSectors: 1 },
    ]);
  });

  it('turns a compare report into two columns of fields and keeps the suspicious finding in the summary', () => {
    const side = {
      label: 'x',
      flashSize: 4 << 20,
      family: 'arduino',
      header: { flashMode: 'dio', flashSize: 4 << 20, flashFreq: '40m' },
    } as CompareReport['a'];
    const report = {
      a: side,
      b: { ...side, header: { ...side.header!, flashMode: 'qio' } },
      sectorSize: 4096,
      sectors: ['same', 'diff'],
      regions: [
        {
          name: 'rf-init',
          start: 4096,
          size: 4096,
          kind: 'rf-init',
          expectedToDiffer: false,
          diffSectors: 1,
          diffBytes: 4096,
          blankSectors: { a: 0, b: 0 },
        },
      ],
      counts: { same: 1, diff: 1, blank: 0, 'a-blank': 0, 'b-blank': 0 },
      findings: [
        {
          severity: 'suspicious',
          region: 'rf-init',
          sectors: [1],
          message: 'RF init data is corrupt',
          why: '',
        },
      ],
      summary: '1 of 2 sectors differ',
    } as unknown as CompareReport;
    const v = compareView('virtual:good', 'aaaa.bin', report, (s) => s.startsWith('virtual:'), {
      a: { Chip: 'ESP8266EX', MAC: '18:fe:34:a1:b2:01' },
      b: { Chip: 'ESP8266EX', MAC: '18:fe:34:a1:b2:02' },
    });
    expect(v.a.fields.MAC).toBe('18:fe:34:a1:b2:01');
    expect(v.b.fields.MAC).toBe('18:fe:34:a1:b2:02');
    expect(Object.keys(v.a.fields).slice(0, 2)).toEqual(['Chip', 'MAC']);
    expect(v.a.kind).toBe('board');
    expect(v.b.kind).toBe('image');
    expect(v.a.fields['Header flash mode']).toBe('dio');
    expect(v.b.fields['Header flash mode']).toBe('qio');
    expect(v.summary).toBe('1 of 2 sectors differ — RF init data is corrupt');
    expect(v.regions).toEqual([{ name: 'rf-init', start: 4096, size: 4096, diffSectors: 1 }]);
    // Plain JSON: survives the bridge unchanged.
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('annotates PubSubClient rc codes in monitor lines', () => {
    const a = annotateLine('Attempting MQTT connection...failed, rc=-2 try again in 5 seconds');
    expect(a?.rc).toBe(-2);
    expect(a?.meaning).toMatch(/MQTT_CONNECT_FAILED/);
    expect(annotateLine('WiFi connected')).toBeNull();
  });

  it('splits serial bytes into lines across chunk boundaries and multibyte characters', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 16);
    const bytes = new TextEncoder().encode('héllo\r\nwor');
    s.push(bytes.subarray(0, 2));
    s.push(bytes.subarray(2));
    s.push(new TextEncoder().encode('ld\nxxxxxxxxxxxxxxxxxxxx'));
    expect(lines).toEqual(['héllo', 'world', 'xxxxxxxxxxxxxxxx']);
    s.flush();
    expect(lines.at(-1)).toBe('xxxx');
  });
});
