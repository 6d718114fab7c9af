/**
 * Peak memory (max RSS) of Flashback working on a 16 MB flash, in a fresh process: an in-process
 * 16 MB virtual board, a backup of the part the v2 stub can reach (4 MB; the whole 16 MB is refused up
 * front with OUT_OF_REACH), the image stored in the library, and two 16 MB images inspected and compared.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'flashback-mem-'));
process.env.FLASHBACK_HOME = home;
const { openVirtualBoard, closeAllVirtualBoards } = await import('../../main/sim/index.js');
// Outside vitest nothing else registers the virtual: ports.
(await import('../../main/sim/virtual-link.js')).registerVirtualBoards();
const { buildDemoImage } = await import('../../main/sim/demo-image.js');
const { backupBoard, quickCompare } = await import('../../main/flash/index.js');
const { Library } = await import('../../main/library/index.js');
const { detectLayout } = await import('../../main/image/layout.js');

const baselineMb = process.memoryUsage().rss / 1048576;
const MB16 = 16 * 1024 * 1024;
const big = new Uint8Array(MB16).fill(0xff);
big.set(buildDemoImage('good', 4 * 1024 * 1024).subarray(0, 0x100000), 0);
big.set(crypto.randomBytes(0x100000), 0x200000);
openVirtualBoard('mem16', { pace: false, create: { flash: big, flashSize: MB16 } });

const backup = await backupBoard({ port: 'virtual:mem16', size: 4 * 1024 * 1024 });
const whole = await backupBoard({ port: 'virtual:mem16', library: null }).catch(
  (e: { code?: string }) => e.code ?? 'failed',
);
await new Library().add(big, { label: '16 MB image' });
const f1 = path.join(home, 'a.bin');
const f2 = path.join(home, 'b.bin');
fs.writeFileSync(f1, big);
big[0x300000] = (big[0x300000] ?? 0) ^ 1;
fs.writeFileSync(f2, big);
await detectLayout(async (o, l) => big.subarray(o, o + l), MB16);
const cmp = await quickCompare(f1, f2);
closeAllVirtualBoards();
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `16 MB flash: peak RSS ${maxRssMb.toFixed(0)} MB (target < 200 MB; ${baselineMb.toFixed(0)} MB of it is Node + the TypeScript loader before any work) — 4 MB reachable backup ${backup.bytesRead} B read, ` +
    `whole-16 MB backup → ${typeof whole === 'string' ? whole : 'accepted'}, 16 MB compare found ${cmp.sectors.filter((s) => s !== 'same' && s !== 'blank').length} differing sector(s).`,
);
fs.rmSync(home, { recursive: true, force: true });
