import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../main/cli/args.js';
import { formatProgress } from '../../main/cli/progress-bar.js';

describe('CLI arguments and progress', () => {
  it('reads offsets and sizes as users write them', () => {
    expect(parseNumber('0x3fc000', '--offset')).toBe(0x3fc000);
    expect(parseNumber('4096', '--size')).toBe(4096);
    expect(parseNumber('4MB', '--size')).toBe(4 << 20);
    expect(parseNumber('64k', '--size')).toBe(64 << 10);
    expect(() => parseNumber('0x3fc00g', '--offset')).toThrow(/not a number/);
  });
  it('shows percentage, rate and ETA', () => {
    const line = formatProgress('backup', {
      phase: 'read',
      done: 1 << 20,
      total: 4 << 20,
      bytesPerSec: 90 * 1024,
    });
    expect(line).toMatch(/backup read \[#{6}-{18}\]\s+25% 90\.0 KiB\/s ETA 35s/);
  });
});
