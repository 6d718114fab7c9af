/** Detect: chip, MAC, crystal, flash id and size, USB bridge — then back into the firmware. */
import type { OpOptions } from '../progress.js';
import { withBoard } from './board-session.js';
import { flashSizes } from './flash-sizes.js';
import type { BoardTarget, DetectResult } from './types.js';

export async function detectBoard(target: BoardTarget, opts: OpOptions = {}): Promise<DetectResult> {
  // Detection needs no fast baud or flash access beyond RDID.
  return withBoard({ ...target, baud: 115200 }, opts, async ({ session, identity }) => ({
    ...session.info,
    port: target.port,
    bridge: identity.bridge,
    sizes: await flashSizes(session),
  }));
}
