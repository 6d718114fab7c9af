/** Every CLI command, in the order `flashback --help` lists them. Add one import + one entry per command. */
import type { CliCommand } from '../command.js';

export const commands: CliCommand[] = [];
