/**
 * main/sim's boards as main/transport's `virtual:` ports, registered cheaply: listing reads the data
 * folder only, and the simulator itself (board, ROM, stubs, firmware, schemas) loads when a board is
 * first opened, so `flashback --version` and `flashback ports` do not pay for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataPaths } from '../datadir.js';
import { registerVirtualPorts, type VirtualPortInfo } from '../transport/virtual-ports.js';

export const DEMO_BOARDS = {
  good: { mac: '18:fe:34:a1:b2:01' },
  bad: { mac: '18:fe:34:a1:b2:02' },
} as const;
export type DemoName = keyof typeof DEMO_BOARDS;

export const isDemo = (name: string): name is DemoName => Object.hasOwn(DEMO_BOARDS, name);

/** The demo boards and every saved board, sorted. */
export function listVirtualBoards(): string[] {
  const names = new Set<string>(Object.keys(DEMO_BOARDS));
  try {
    for (const f of fs.readdirSync(dataPaths.virtual())) {
      if (f.endsWith('.bin') && fs.existsSync(path.join(dataPaths.virtual(), f.replace(/\.bin$/, '.json'))))
        names.add(f.slice(0, -4));
    }
  } catch {
    // no virtual/ folder yet
  }
  return [...names].sort();
}

function describe(name: string): VirtualPortInfo {
  return {
    name,
    label: isDemo(name)
      ? `virtual demo board "${name}" (in-process, no hardware)`
      : `virtual board "${name}" (saved, in-process)`,
  };
}

let closeAll: (() => void) | undefined;

/** registry.ts hands over its closer when it loads, whichever module loaded it. */
export function onRegistryLoaded(close: () => void): void {
  closeAll = close;
}

/**
 * Closes every board this process opened (their firmware keeps timers and sockets, as real boards run
 * on), so a CLI process can exit; loads nothing when no board was opened.
 */
export function closeOpenVirtualBoards(): void {
  closeAll?.();
}

/**
 * Makes `virtual:NAME` ports open these boards (main/transport/virtual-ports.ts). Called by the
 * composition roots: the CLI entry and the workbench's real collaborators.
 */
export function registerVirtualBoards(): void {
  registerVirtualPorts({
    open: async (name, opts) =>
      (await import('./virtual-link.js')).openVirtualLink(name, { baud: opts.baud }),
    list: () => listVirtualBoards().map(describe),
  });
}
