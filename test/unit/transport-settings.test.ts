import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSettings, rememberBaud, rememberedBaud, updateSettings } from '../../main/settings.js';

let home: string;
const saved = process.env.FLASHBACK_HOME;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-settings-'));
  process.env.FLASHBACK_HOME = home;
});
afterEach(() => {
  if (saved === undefined) delete process.env.FLASHBACK_HOME;
  else process.env.FLASHBACK_HOME = saved;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('settings.json', () => {
  it('remembers the baud per adapter (VID:PID:serial) across reads of the file', async () => {
    expect(await rememberedBaud('1a86:7523:')).toBeUndefined();
    await rememberBaud('1a86:7523:', 460800);
    await rememberBaud('10C4:EA60:0001', 921600);
    expect(await rememberedBaud('1a86:7523:')).toBe(460800);
    expect(await rememberedBaud('10c4:ea60:0001')).toBe(921600);
    const onDisk = JSON.parse(fs.readFileSync(path.join(home, 'settings.json'), 'utf8'));
    expect(onDisk.bauds['10c4:ea60:0001'].baud).toBe(921600);
    // A later step-down overwrites the earlier rate.
    await rememberBaud('1a86:7523:', 230400);
    expect(await rememberedBaud('1a86:7523:')).toBe(230400);
  });

  it('keeps other keys and leaves no temp files', async () => {
    await updateSettings((s) => {
      s.theme = 'dark';
    });
    await rememberBaud('0403:6001:a1b2', 921600);
    const s = await readSettings();
    expect(s.theme).toBe('dark');
    expect(fs.readdirSync(home)).toEqual(['settings.json']);
  });

  it('serialises concurrent updates so none is lost', async () => {
    await Promise.all([1, 2, 3, 4, 5].map((i) => rememberBaud(`0403:6001:s${i}`, 115200 * i)));
    const s = await readSettings();
    expect(Object.keys(s.bauds).sort()).toEqual([
      '0403:6001:s1',
      '0403:6001:s2',
      '0403:6001:s3',
      '0403:6001:s4',
      '0403:6001:s5',
    ]);
  });

  it('treats a corrupt file as empty and repairs it on the next write', async () => {
    fs.writeFileSync(path.join(home, 'settings.json'), '{ not json');
    expect(await rememberedBaud('1a86:7523:')).toBeUndefined();
    await rememberBaud('1a86:7523:', 460800);
    expect(await rememberedBaud('1a86:7523:')).toBe(460800);
  });

  it('refuses a nonsense baud', async () => {
    await expect(rememberBaud('1a86:7523:', 0)).rejects.toThrow(/Bad baud/);
  });
});
