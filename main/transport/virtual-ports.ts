/**
 * `virtual:NAME` ports are served by whatever the composition root registers (the CLI and the workbench
 * register main/sim's virtual boards). main/transport itself knows nothing of the simulator: without a
 * registration a virtual: port is simply not found.
 */
import { FlashbackError } from '../errors.js';
import type { Link, OpenLinkOptions } from './link.js';

/** A virtual port as `flashback ports` lists it. */
export interface VirtualPortInfo {
  /** Without the `virtual:` prefix. */
  name: string;
  /** One line for people: what this board is. */
  label: string;
}

export interface VirtualPorts {
  /** Opens the virtual board NAME (without the `virtual:` prefix); unknown names throw PORT_NOT_FOUND. */
  open(name: string, opts: OpenLinkOptions): Promise<Link>;
  /** The boards `flashback ports` lists. */
  list(): VirtualPortInfo[];
}

let registered: VirtualPorts | null = null;

/** Called once by a composition root; `null` unregisters (tests). */
export function registerVirtualPorts(ports: VirtualPorts | null): void {
  registered = ports;
}

export function listVirtualPorts(): VirtualPortInfo[] {
  return registered?.list() ?? [];
}

export function openVirtualPort(name: string, opts: OpenLinkOptions): Promise<Link> {
  if (!registered)
    return Promise.reject(
      new FlashbackError(
        'PORT_NOT_FOUND',
        `Virtual board "virtual:${name}" is not available here`,
        'Virtual boards exist only in the flashback CLI and workbench; use a serial device or socket:// port.',
      ),
    );
  return registered.open(name, opts);
}
