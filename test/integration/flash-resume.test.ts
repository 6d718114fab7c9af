/**
 * Identity wherever a write resumes: the journal is keyed by the board (MAC, with JEDEC id and size), so
 * `restore --resume` refuses another board on the same port (saying what it found, writing nothing),
 * finds the journal when the same board comes back on another port name, and keeps the undo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';

const home = useTempHome();
const { executeRestore, listJournals } = await import('../../main/flash/index.js');
const { VirtualBoard, startSimServer } = await import('../../main/sim/index.js');
const { demo, md5, MB4 } = await import('../support/boards.js');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A board behind a TCP port (socket://), so another board can later answer on the same port name. */
async function serve(board: InstanceType<typeof VirtualBoard>, port = 0) {
  const server = await startSimServer(board, { port });
  cleanups.push(() => server.close());
  return server;
}

function makeBoard(mac: string, flash: Uint8Array, faults = {}) {
  const b = new VirtualBoard({
    flash: Uint8Array.from(flash),
    mac,
    bootMode: 'download',
    pace: false,
    faults,
  });
  cleanups.push(() => b.close());
  return b;
}

const target = { before: 'no-reset' as const, after: 'no-reset' as const };

async function interruptedRestoreOnA(img: string) {
  // Board A is cut off mid-write (the cable pulled): a journal with its identity is left behind.
  const a = makeBoard('18:fe:34:aa:00:01', new Uint8Array(MB4).fill(0xff), { disconnectAfter: 150_000 });
  const sa = await serve(a);
  const err = await executeRestore({ ...target, port: sa.url, image: img }).catch((e: unknown) => e);
  expect(err).toMatchObject({ details: expect.objectContaining({ halfWritten: true }) });
  expect((err as { hint: string }).hint).toMatch(
    /half written.*Resume: `flashback restore --port .* --resume`.*Undo:/s,
  );
  await sa.close();
  const [j] = await listJournals();
  expect(j?.board).toMatchObject({ mac: '18:fe:34:aa:00:01', jedecId: 0x1640ef, flashSize: MB4 });
  return { a, port: sa.port, journal: j! };
}

describe('restore --resume knows which board it was writing', () => {
  it('refuses another board on the same port, says what it found, writes nothing', async () => {
    const img = path.join(home, 'good-a.bin');
    fs.writeFileSync(img, demo.good);
    const { port } = await interruptedRestoreOnA(img);
    const b = makeBoard('18:fe:34:bb:00:02', demo.bad);
    const sb = await serve(b, port); // same port name, another board
    const err = await executeRestore({ ...target, port: sb.url, resume: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'JOURNAL' });
    expect((err as Error).message).toMatch(/18:fe:34:aa:00:01.*18:fe:34:bb:00:02/);
    expect(md5(b.flash.snapshot())).toBe(md5(demo.bad));
  });

  it('finds the journal when the same board comes back on another port name, and keeps the undo', async () => {
    const img = path.join(home, 'good-b.bin');
    fs.writeFileSync(img, demo.good);
    const { a, journal } = await interruptedRestoreOnA(img);
    expect(journal.backupId).toMatch(/^[0-9a-f]{64}$/);
    // Same board (same flash, same MAC), reconnected without the fault, on a new port.
    const again = makeBoard('18:fe:34:aa:00:01', a.flash.snapshot());
    const s2 = await serve(again);
    const r = await executeRestore({ ...target, port: s2.url, resume: true });
    expect(r.verified).toBe(true);
    expect(r.backupId).toBe(journal.backupId);
    expect(md5(again.flash.snapshot())).toBe(md5(demo.good));
    expect(await listJournals()).toHaveLength(0);
  });
});
