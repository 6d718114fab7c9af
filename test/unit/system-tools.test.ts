import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findTool } from '../support/system-tools.js';

describe('system tools the tests need', () => {
  it('names the Debian package when a tool is missing', () => {
    const t = findTool('socat', '/nonexistent', 'socat');
    expect(t).toEqual({
      path: '',
      missing: true,
      reason: 'socat is not installed (Debian package: socat; apt-get install socat)',
    });
    expect(findTool('mosquitto', '', 'all').reason).toMatch(/Debian package: mosquitto/);
  });

  it('finds a tool on PATH and returns a runnable absolute path', () => {
    const t = findTool('python3', process.env.PATH ?? '', '');
    // python3 ships with Debian's base system; where it is absent this shows the missing branch instead.
    if (t.missing) return expect(t.reason).toMatch(/python3/);
    expect(t.path.startsWith('/')).toBe(true);
    expect(spawnSync(t.path, ['-c', 'print(6*7)'], { encoding: 'utf8' }).stdout.trim()).toBe('42');
  });
});
