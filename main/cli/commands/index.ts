/**
 * Every CLI command, in the order `flashback --help` lists them: its name, and how to load it. A command
 * loads only when it runs, so `flashback ports` does not pay for the flash, image, MQTT and workbench
 * code (and their packages) that the other commands pull in. Add one entry per command.
 */
import type { CliCommand } from '../command.js';

export const commandLoaders: ReadonlyArray<readonly [string, () => Promise<CliCommand>]> = [
  ['ports', async () => (await import('./ports.js')).portsCommand],
  ['detect', async () => (await import('./detect.js')).detectCommand],
  ['backup', async () => (await import('./backup.js')).backupCommand],
  ['restore', async () => (await import('./restore.js')).restoreCommand],
  ['write', async () => (await import('./write.js')).writeCommand],
  ['repair', async () => (await import('./repair.js')).repairCommand],
  ['verify', async () => (await import('./verify.js')).verifyCommand],
  ['erase', async () => (await import('./erase.js')).eraseCommand],
  ['compare', async () => (await import('./compare.js')).compareCommand],
  ['inspect', async () => (await import('./inspect.js')).inspectCommand],
  ['library', async () => (await import('./library.js')).libraryCommand],
  ['monitor', async () => (await import('./monitor.js')).monitorCommand],
  ['mqtt-check', async () => (await import('./mqtt-check.js')).mqttCheckCommand],
  ['sim', async () => (await import('./sim.js')).simCommand],
  ['serve', async () => (await import('./serve.js')).serveCommand],
];

/** The command called `name`, loaded; undefined when there is none. */
export async function loadCommand(name: string): Promise<CliCommand | undefined> {
  return commandLoaders.find(([n]) => n === name)?.[1]();
}

/** Every command, loaded (for `flashback --help`). */
export function loadAllCommands(): Promise<CliCommand[]> {
  return Promise.all(commandLoaders.map(([, load]) => load()));
}
