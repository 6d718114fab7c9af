/**
 * How the MQTT check and the monitor reach a board: open the port (main/transport) and hard-reset it
 * into its firmware (main/esp/reset.ts). Kept apart so tests and the workbench can pass their own.
 */
import { hardReset } from '../esp/reset.js';
import type { Link, OpenLinkOptions } from '../transport/link.js';
import { openLink } from '../transport/index.js';

export type OpenLink = (spec: string, opts: OpenLinkOptions) => Promise<Link>;

export interface BoardAccess {
  openLink: OpenLink;
  /** Resets into run mode (EN pulse, GPIO0 high). No-op on links without control lines. */
  reset: (link: Link) => Promise<void>;
}

export const defaultBoardAccess: BoardAccess = {
  openLink,
  reset: (link) => (link.capabilities.controlLines ? hardReset(link) : Promise.resolve()),
};
