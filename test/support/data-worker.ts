/**
 * A second Flashback process on the same data folder, for the data-lock tests (run with
 * `node --import tsx`). Modes:
 *   hold LOCKFILE            take the lock, print "held", keep it until killed
 *   hammer HOME NAME N       N rounds of: remember a baud under NAME-i, add image i, remove the image
 *                            the other worker adds (shared ids), rename a shared image; prints "done"
 */
import { createHash } from 'node:crypto';
import { acquireLock } from '../../main/data-lock.js';
import { Library } from '../../main/library/library.js';
import { rememberBaud } from '../../main/settings.js';

/** A small distinct image per index (content-addressed: same index, same id in both workers). */
function hammerImage(i: number): Uint8Array {
  const b = new Uint8Array(64 * 1024).fill(0xff);
  new DataView(b.buffer).setUint32(0, i);
  b.fill(i & 0xff, 16, 4096);
  return b;
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'hold') {
    await acquireLock(args[0]!, 'holding for a test');
    process.stdout.write('held\n');
    setInterval(() => undefined, 1 << 30);
    return;
  }
  if (mode === 'hammer') {
    const [home, name, n] = args as [string, string, string];
    process.env.FLASHBACK_HOME = home;
    const lib = new Library();
    const other = name === 'a' ? 'b' : 'a';
    for (let i = 0; i < Number(n); i++) {
      await rememberBaud(`${name}-${i}`, 115200 + i);
      // Shared ids: worker a adds even images, b removes them, and the reverse for odd ones.
      const mine = 2 * i + (name === 'a' ? 0 : 1);
      const theirs = 2 * i + (other === 'a' ? 0 : 1);
      await lib.add(hammerImage(mine), { label: `${name} ${i}` });
      const theirId = await lib.resolveId(sha(hammerImage(theirs))).catch(() => null);
      if (theirId) await lib.remove(theirId).catch(() => undefined);
      await lib.add(hammerImage(1000), { label: 'shared' });
      await lib.rename(sha(hammerImage(1000)), `${name} ${i}`);
    }
    process.stdout.write('done\n');
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

await main();
