/**
 * How the MQTT check and the monitor reach a board: open the port (main/transport) and hard-reset it
 * into its firmware (main/esp/reset.ts). Kept apart so tests and the workbench can pass their own.
 */
import { FlashbackError } from '../errors.js';
import { hardReset } from '../esp/reset.js';
import type { Link, OpenLinkOptions } from '../transport/link.js';
import { openVirtualLink } from '../transport/virtual-link.js';

export type OpenLink = (spec: string, opts: OpenLinkOptions) => Promise<Link>;

export interface BoardAccess {
  openLink: OpenLink;
  /** Resets into run mode (EN pulse, GPIO0 high). No-op on links without control lines. */
  reset: (link: Link) => Promise<void>;
}

// The transport registry (main/transport/index.ts, every port kind) is resolved at run time so this
// module does not pin its shape; virtual boards work without it.
const TRANSPORT = '../transport/index.js';

async function openAny(spec: string, opts: OpenLinkOptions): Promise<Link> {
  let mod: { openLink?: OpenLink } | null = null;
  try {
    mod = (await import(TRANSPORT)) as { openLink?: OpenLink };
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  if (mod?.openLink) return mod.openLink(spec, opts);
  if (spec.startsWith('virtual:')) return openVirtualLink(spec.slice('virtual:'.length), opts);
  throw new FlashbackError('PORT_NOT_FOUND', `No transport for ${spec} in this build`, 'Use a virtual:NAME port, or update Flashback.');
}

export const defaultBoardAccess: BoardAccess = {
  openLink: openAny,
  reset: (link) => (link.capabilities.controlLines ? hardReset(link) : Promise.resolve()),
};
