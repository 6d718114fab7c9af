/**
 * Sizes in messages are human on small chips too (issue 10 item 6: "the 0 MB flash" on a 512 KB chip):
 * the restore journal's board line and the workbench's compare sides go through one formatter.
 */
import { describe, expect, it } from 'vitest';
import { describeBoard } from '../../main/flash/journal.js';
import type { CompareReport } from '../../main/image/compare.js';
import { compareView } from '../../main/workbench/map.js';

const KB = 1024;

describe('human sizes on a 512 KB chip', () => {
  it('the journal names the board with "512 KB", not "0 MB"', () => {
    const line = describeBoard({
      mac: '18:fe:34:00:00:01',
      chip: 'ESP8266EX',
      jedecId: 0x1340ef,
      flashSize: 512 * KB,
    });
    expect(line).toContain('512 KB');
    expect(line).not.toMatch(/\b0 MB/);
  });

  it('the compare view shows the flash and header sizes as "512 KB" and "1 MB"', () => {
    const header = { flashMode: 'dio', flashSize: 1024 * KB, flashFreq: '40m' };
    const side = {
      label: 'x',
      flashSize: 512 * KB,
      family: 'arduino',
      header,
    } as unknown as CompareReport['a'];
    const report = {
      a: side,
      b: side,
      sectorSize: 4096,
      sectors: [],
      regions: [],
      counts: {},
      findings: [],
      summary: 'Identical',
      compared: { offset: 0, size: 512 * KB, total: 512 * KB },
    } as unknown as CompareReport;
    const v = compareView('a.bin', 'b.bin', report, () => false);
    expect(v.a.fields['Flash size']).toBe('512 KB');
    expect(v.a.fields['Header flash size']).toBe('1 MB');
  });
});
