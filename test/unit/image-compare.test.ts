import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareSectorMaps, sectorState } from '../../main/image/compare.js';
import { bytesSource, compareSources } from '../../main/image/compare-sources.js';
import { patchHeader } from '../../main/image/header-patch.js';
import { BLANK_SECTOR_MD5, sectorDigests } from '../../main/image/sectors.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';

const good = buildDemoImage('good');
const bad = buildDemoImage('bad');

describe('sector digests', () => {
  it('hashes each 4 KiB sector with MD5 and knows the blank sector', () => {
    const d = sectorDigests(good);
    expect(d.length).toBe(1024);
    expect(d[1]).toBe(createHash('md5').update(good.subarray(0x1000, 0x2000)).digest('hex'));
    expect(BLANK_SECTOR_MD5).toBe(createHash('md5').update(Buffer.alloc(4096, 0xff)).digest('hex'));
    expect(d[0x100]).toBe(BLANK_SECTOR_MD5);
  });

  it('classifies sector pairs', () => {
    expect(sectorState('x', 'x')).toBe('same');
    expect(sectorState(BLANK_SECTOR_MD5, BLANK_SECTOR_MD5)).toBe('blank');
    expect(sectorState(BLANK_SECTOR_MD5, 'x')).toBe('a-blank');
    expect(sectorState('x', BLANK_SECTOR_MD5)).toBe('b-blank');
    expect(sectorState('x', 'y')).toBe('diff');
  });
});

describe('compare the demo boards', () => {
  it('points at the RF calibration cut short as the only suspicious difference, and says the sketch is identical', async () => {
    const r = await compareSources(bytesSource('good', good), bytesSource('bad', bad));
    expect(r.sectorSize).toBe(4096);
    expect(r.sectors.length).toBe(1024);
    const changed = r.sectors.map((s, i) => (s === 'same' || s === 'blank' ? -1 : i)).filter((i) => i >= 0);
    expect(changed).toEqual([0x3fc, 0x3fd, 0x3ff]);
    const suspicious = r.findings.filter((f) => f.severity === 'suspicious');
    expect(suspicious).toHaveLength(1);
    expect(suspicious[0]).toMatchObject({ region: 'rf-cal', sectors: [0x3fc] });
    expect(suspicious[0]?.message).toMatch(
      /^bad: RF calibration at 0x3FC000 looks cut short \(\d+ bytes programmed, good has 1024\)/,
    );
    expect(suspicious[0]?.why).toMatch(/recalibrates/);
    expect(JSON.stringify(r.findings)).not.toMatch(/corrupt|0x05/);
    expect(
      r.findings
        .filter((f) => f.severity === 'expected')
        .map((f) => f.region)
        .sort(),
    ).toEqual(['sdk-config', 'sdk-flag']);
    expect(r.findings.find((f) => f.region === 'sketch')?.message).toMatch(/identical/);
    expect(r.regions.find((x) => x.name === 'sketch')?.diffSectors).toBe(0);
    expect(r.regions.find((x) => x.name === 'rf-cal')).toMatchObject({ diffSectors: 1, diffBytes: 4096 });
    expect(r.summary).toMatch(/1 suspicious \(rf-cal\)/);
  });

  it('finds two identical flashes identical', async () => {
    const r = await compareSources(bytesSource('a', good), bytesSource('b', good.slice()));
    expect(r.summary).toMatch(/identical/);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('calls a flasher-patched flash mode expected, and a different sketch suspicious', async () => {
    const patched = good.slice();
    patched.set(patchHeader(good.subarray(0, 0x1000), { flashMode: 'dio' }).bytes, 0);
    let r = await compareSources(bytesSource('good', good), bytesSource('dio', patched));
    expect(r.findings.find((f) => f.region === 'eboot')).toMatchObject({
      severity: 'expected',
      message: expect.stringMatching(/bytes 2–3.*qio.*dio/),
    });
    const other = good.slice();
    other[0x5000] = (other[0x5000] ?? 0) ^ 0xff;
    r = await compareSources(bytesSource('good', good), bytesSource('other', other));
    expect(r.findings[0]).toMatchObject({ severity: 'suspicious', region: 'sketch', sectors: [5] });
  });

  it('works from MD5 lists alone (no reads), e.g. a live board’s map', () => {
    const r = compareSectorMaps(
      { label: 'A', md5: sectorDigests(good), layout: null },
      { label: 'B', md5: sectorDigests(bad), layout: null },
    );
    expect(r.counts.diff).toBe(3);
    expect(r.regions).toEqual([expect.objectContaining({ name: 'unknown', diffSectors: 3 })]);
  });

  it('reports erased sectors on one side', async () => {
    const wiped = good.slice();
    wiped.fill(0xff, 0x3fc000, 0x400000); // Arduino "erase SDK settings"
    const r = await compareSources(bytesSource('good', good), bytesSource('wiped', wiped));
    expect(r.sectors[0x3fc]).toBe('b-blank');
    expect(r.findings.find((f) => f.region === 'rf-cal')).toMatchObject({
      severity: 'expected',
      message: expect.stringMatching(/erased on wiped/),
    });
  });

  it('warns when the two flashes have different sizes', async () => {
    const small = buildDemoImage('good', 1024 * 1024);
    const r = await compareSources(bytesSource('4MB', good), bytesSource('1MB', small));
    expect(r.sectors.length).toBe(256);
    expect(r.findings[0]).toMatchObject({
      severity: 'suspicious',
      region: 'flash',
      message: expect.stringMatching(/sizes differ/),
    });
  });
});
