/**
 * `npm run bench`: backup / restore / quick-compare throughput on the paced virtual board.
 * Reports wall time, the board's modeled time (wire + flash + per-exchange latency, deterministic),
 * payload bytes/s and the share of the line rate (payload ÷ (baud/10)). Not a timed test: it prints.
 *
 *   node bin/tsnode.mjs test/bench/run.ts [--quick] [--slow]
 * --slow also runs the dense 4 MB read at 115200 paced (≈ 6 minutes); by default 115200 figures for
 * the dense cases come from the modeled time of an unpaced run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'flashback-bench-'));
process.env.FLASHBACK_HOME = home;

const { openVirtualBoard, closeVirtualBoard } = await import('../../main/sim/index.js');
(await import('../../main/sim/virtual-link.js')).registerVirtualBoards();
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { backupBoard, executeRestore, quickCompare, withBoard } = await import('../../main/flash/index.js');

const MB4 = 4 * 1024 * 1024;
const slow = process.argv.includes('--slow');
const quick = process.argv.includes('--quick');

interface Row {
  case: string;
  baud: number;
  paced: boolean;
  wallS: number;
  modeledS: number;
  payload: number;
  note?: string;
}
const rows: Row[] = [];
let memoryReport = '';

function denseImage(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) out.set(crypto.randomBytes(Math.min(65536, size - i)), i);
  return out;
}

let n = 0;
function board(flash: Uint8Array, pace: boolean, flashSize = flash.length) {
  const name = `bench-${n++}`;
  return {
    name,
    shared: openVirtualBoard(name, {
      pace,
      create: { flash, flashSize, mac: `18:fe:34:00:10:${n.toString(16).padStart(2, '0')}` },
    }),
  };
}

async function measure(
  label: string,
  baud: number,
  pace: boolean,
  boards: Array<{ shared: { board: { modeledMs: number } } }>,
  payload: number,
  fn: () => Promise<unknown>,
  note?: string,
) {
  const m0 = boards.map((b) => b.shared.board.modeledMs);
  const t0 = performance.now();
  await fn();
  const wallS = (performance.now() - t0) / 1000;
  const modeledS = boards.reduce((s, b, i) => s + (b.shared.board.modeledMs - m0[i]!), 0) / 1000;
  rows.push({ case: label, baud, paced: pace, wallS, modeledS, payload, ...(note ? { note } : {}) });
  for (let i = 0; i < n; i++) closeVirtualBoard(`bench-${i}`);
  process.stderr.write(
    `  ${label} @${baud}${pace ? ' paced' : ''}: wall ${wallS.toFixed(1)} s, modeled ${modeledS.toFixed(1)} s\n`,
  );
}

const typical = buildDemoImage('good', MB4);
const bad = buildDemoImage('bad', MB4);
const dense = denseImage(MB4);
const target = (name: string, baud: number) => ({
  port: `virtual:${name}`,
  baud,
  before: 'default-reset' as const,
  after: 'no-reset' as const,
});

for (const baud of quick ? [921600] : [921600, 115200]) {
  const paceDense = baud === 921600 || slow;
  // Backups: bytes of flash covered per second (payload = the whole 4 MB image delivered).
  {
    const b = board(typical, true);
    await measure('backup typical NodeMCU image', baud, true, [b], MB4, () =>
      backupBoard({ ...target(b.name, baud), library: null }),
    );
  }
  {
    const b = board(dense, paceDense);
    await measure('backup dense (random) 4 MB', baud, paceDense, [b], MB4, () =>
      backupBoard({ ...target(b.name, baud), library: null }),
    );
  }
  // Restores of the typical image: diff onto the bad demo board, and onto an erased board.
  const imgFile = path.join(home, 'typical.bin');
  fs.writeFileSync(imgFile, typical);
  {
    const b = board(bad, true);
    await measure('restore typical onto bad (diff, no backup)', baud, true, [b], MB4, () =>
      executeRestore({ ...target(b.name, baud), image: imgFile, backup: false }),
    );
  }
  {
    const b = board(bad, true);
    await measure('restore typical onto bad (--full, no backup)', baud, true, [b], MB4, () =>
      executeRestore({ ...target(b.name, baud), image: imgFile, backup: false, full: true }),
    );
  }
  {
    const b = board(bad, true);
    await measure('restore typical onto bad (diff + auto-backup)', baud, true, [b], MB4, () =>
      executeRestore({ ...target(b.name, baud), image: imgFile }),
    );
  }
  {
    const b = board(dense, paceDense);
    await measure('restore typical onto a different (dense) board', baud, paceDense, [b], MB4, () =>
      executeRestore({ ...target(b.name, baud), image: imgFile, backup: false }),
    );
  }
  {
    const b = board(new Uint8Array(MB4).fill(0xff), true);
    await measure('restore typical onto an erased board', baud, true, [b], MB4, () =>
      executeRestore({ ...target(b.name, baud), image: imgFile, backup: false }),
    );
  }
  {
    // The esptool way: erase everything, then program every page (compressed over the wire).
    const b = board(bad, paceDense);
    await measure('esptool-style full write of typical', baud, paceDense, [b], MB4, () =>
      withBoard(target(b.name, baud), {}, async ({ session }) => {
        await session.eraseRegion(0, MB4);
        await session.writeFlash(0, typical);
      }),
    );
  }
  {
    const a = board(typical, true);
    const c = board(bad, true);
    await measure('quick compare two 4 MB boards', baud, true, [a, c], 2 * MB4, () =>
      quickCompare(`virtual:${a.name}`, `virtual:${c.name}`, { baud }),
    );
  }
}

// Plan at the floor (modeled, unpaced) and the fault matrix.
const { floorBench, printFloor } = await import('./floor.js');
const floorRows = await floorBench();
const { faultMatrixBench, printMatrix } = await import('./fault-matrix.js');
const matrix = quick ? null : await faultMatrixBench();

// Peak memory with a 16 MB flash, measured in a fresh process (see memory.ts).
{
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(
    process.execPath,
    [
      path.resolve(import.meta.dirname, '../../bin/tsnode.mjs'),
      path.resolve(import.meta.dirname, 'memory.ts'),
    ],
    { encoding: 'utf8' },
  );
  process.stderr.write(r.stderr);
  memoryReport = r.stdout.trim();
}

for (let i = 0; i < n; i++) closeVirtualBoard(`bench-${i}`);

// CLI start-up (compiled CLI in fresh processes, see startup.ts).
const { measureStartup } = await import('./startup.js');
const startupReport = await measureStartup(7);

console.log('\nFlashback benchmark (virtual ESP8266, 2 ms USB latency per exchange)\n');
console.log(
  '| case | baud | paced | wall s | modeled s | payload B/s (modeled) | share of line rate | note |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const rate = r.payload / r.modeledS;
  const share = rate / (r.baud / 10);
  if (!Number.isFinite(rate)) {
    console.log(`| ${r.case} | – | – | ${r.wallS.toFixed(1)} | – | – | – | ${r.note ?? ''} |`);
    continue;
  }
  console.log(
    `| ${r.case} | ${r.baud} | ${r.paced ? 'yes' : 'no'} | ${r.wallS.toFixed(1)} | ${r.modeledS.toFixed(1)} | ${Math.round(rate)} | ${(share * 100).toFixed(1)} % | ${r.note ?? ''} |`,
  );
}
printFloor(floorRows);
if (matrix) printMatrix(matrix);
console.log(`\n${memoryReport}`);
console.log(`\nCLI start-up\n\n${startupReport}`);
fs.rmSync(home, { recursive: true, force: true });
process.exit(0);
