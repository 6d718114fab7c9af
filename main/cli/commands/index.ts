/** Every CLI command, in the order `flashback --help` lists them. Add one import + one entry per command. */
import type { CliCommand } from '../command.js';
import { backupCommand } from './backup.js';
import { detectCommand } from './detect.js';
import { eraseCommand } from './erase.js';
import { restoreCommand } from './restore.js';
import { verifyCommand } from './verify.js';
import { writeCommand } from './write.js';

export const commands: CliCommand[] = [
  detectCommand,
  backupCommand,
  restoreCommand,
  writeCommand,
  verifyCommand,
  eraseCommand,
];
