/**
 * Every record in the data folder is validated when read (issue 11): settings entries, restore journals
 * and library sidecars that are damaged are never used as if they were right.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlashbackError } from '../../main/errors.js';
import { errorOf } from '../support/errors.js';
import {
  damagedJournals,
  journalForBoard,
  listJournals,
  saveJournal,
  type RestoreJournal,
} from '../../main/flash/journal.js';
import { Library } from '../../main/library/library.js';
import { readSettings, rememberBaud, rememberedBaud, stubLeftAt } from '../../main/settings.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import { closeVirtualBoard, factoryReset, openVirtualBoard } from '../../main/sim/registry.js';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-records-'));
  process.env.FLASHBACK_HOME = home;
});
afterEach(() => {
  delete process.env.FLASHBACK_HOME;
  fs.rmSync(home, { recursive: true, force: true });
});

describe('settings.json', () => {
  const file = () => path.join(home, 'settings.json');

  it('never uses an invalid entry, and keeps the valid ones', async () => {
    fs.writeFileSync(
      file(),
      JSON.stringify({
        bauds: {
          'a:b:1': { baud: 460800, at: 'x' },
          'a:b:2': { baud: 'fast' },
          'a:b:3': { baud: -9, at: 'x' },
        },
        stubs: { '/dev/ttyUSB0': { baud: 1.5, at: 'x' } },
        theme: 'dark',
      }),
    );
    expect(await rememberedBaud('A:B:1')).toBe(460800);
    expect(await rememberedBaud('a:b:2')).toBeUndefined();
    expect(await rememberedBaud('a:b:3')).toBeUndefined();
    expect(await stubLeftAt('/dev/ttyUSB0')).toBeUndefined();
    await rememberBaud('a:b:4', 921600);
    const saved = JSON.parse(fs.readFileSync(file(), 'utf8')) as Record<string, unknown>;
    expect(saved.theme).toBe('dark'); // a key this version does not know is kept
    expect(Object.keys(saved.bauds as object).sort()).toEqual(['a:b:1', 'a:b:4']);
  });

  it('a torn file reads as empty and is kept aside, not overwritten, on the next save', async () => {
    fs.writeFileSync(file(), '{"bauds": {"a:b:1": {"baud": 4608');
    expect(await readSettings()).toEqual({ bauds: {} });
    await rememberBaud('a:b:9', 115200);
    expect(await rememberedBaud('a:b:9')).toBe(115200);
    const aside = fs.readdirSync(home).filter((n) => n.startsWith('settings.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(home, aside[0]!), 'utf8')).toContain('4608');
  });
});

describe('restore journal', () => {
  const journal: RestoreJournal = {
    version: 2,
    port: '/dev/ttyUSB0',
    board: { mac: '18:fe:34:a1:b2:02', chip: 'ESP8266EX', jedecId: 0x1640ef, flashSize: 4 << 20 },
    startedAt: '2026-01-01T00:00:00.000Z',
    image: { source: 'library:abc', sha256: 'a'.repeat(64), libraryId: 'a'.repeat(64), size: 4 << 20 },
    flashMode: 'keep',
    preserve: [],
    backupId: 'b'.repeat(64),
    planned: [1, 2, 3],
    written: [1],
  };

  it('reads back a valid journal', async () => {
    const file = await saveJournal(journal);
    expect(path.dirname(file)).toBe(path.join(home, 'journal'));
    expect(await journalForBoard(journal.board.mac)).toEqual(journal);
    expect(fs.readdirSync(path.join(home, 'journal'))).toEqual([path.basename(file)]); // lock released
  });

  it('a damaged journal is a JOURNAL error saying the board may be half written, not "none"', async () => {
    const file = await saveJournal(journal);
    for (const bad of [
      '{"version": 2, "port": "/dev/tt',
      JSON.stringify({ ...journal, written: ['0x1000'] }),
      JSON.stringify({ ...journal, board: { ...journal.board, flashSize: 0 } }),
    ]) {
      fs.writeFileSync(file, bad);
      const e = await errorOf(journalForBoard(journal.board.mac));
      expect(e.code).toBe('JOURNAL');
      expect(e.message).toContain(file);
      expect(e.hint).toMatch(/half written.*--image/);
      expect(await listJournals()).toEqual([]);
      expect((await damagedJournals()).map((d) => d.file)).toEqual([file]);
    }
  });
});

describe('library sidecar', () => {
  it('a sidecar naming another image, or with a field of the wrong type, is corrupt', async () => {
    const lib = new Library(path.join(home, 'library'));
    const e = await lib.add(buildDemoImage('good', 1 << 20), { label: 'x' });
    const side = e.file.replace(/\.bin$/, '.json');
    const meta = JSON.parse(fs.readFileSync(side, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(side, JSON.stringify({ ...meta, sha256: 'c'.repeat(64), id: 'c'.repeat(64) }));
    let err = await errorOf(lib.get(e.id));
    expect(err.code).toBe('LIBRARY_CORRUPT');
    expect(err.message).toMatch(/describes another image/);
    expect(err.hint).toContain(`flashback library repair ${e.id.slice(0, 12)}`); // the image is intact
    fs.writeFileSync(side, JSON.stringify({ ...meta, size: '1MB' }));
    err = await errorOf(lib.show(e.id));
    expect(err.message).toMatch(/invalid \(size/);
    expect(await lib.list()).toEqual([]);
  });
});

describe('virtual board state', () => {
  it('a damaged saved board is reported with how to reset it, never booted with made-up facts', () => {
    const dir = path.join(home, 'virtual');
    fs.mkdirSync(dir, { recursive: true });
    const meta = {
      mac: '18:fe:34:a1:b2:01',
      profile: 'good',
      flashSize: 1 << 20,
      jedecId: [0xef, 0x40, 0x14],
      chip: 'ESP8266EX',
      crystalMHz: 26,
    };
    fs.writeFileSync(path.join(dir, 'good.bin'), new Uint8Array(1 << 20).fill(0xff));
    for (const [bad, why] of [
      ['{"mac": "18:fe', /not JSON/],
      [JSON.stringify({ ...meta, chip: 'ESP32' }), /invalid \(chip/],
      [JSON.stringify({ ...meta, flashSize: 4 << 20 }), /1048576 bytes, expected 4194304/],
    ] as const) {
      fs.writeFileSync(path.join(dir, 'good.json'), bad);
      let err: unknown = null;
      try {
        openVirtualBoard('good', { pace: false });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlashbackError);
      expect((err as FlashbackError).message).toMatch(why);
      expect((err as FlashbackError).hint).toContain('flashback sim --factory-reset');
    }
    fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify(meta));
    expect(openVirtualBoard('good', { pace: false }).board.flash.size).toBe(1 << 20);
    closeVirtualBoard('good');
    factoryReset();
  });
});
