/** Every CLI command, in the order `flashback --help` lists them. Add one import + one entry per command. */
import type { CliCommand } from '../command.js';
import { backupCommand } from './backup.js';
import { compareCommand } from './compare.js';
import { detectCommand } from './detect.js';
import { eraseCommand } from './erase.js';
import { inspectCommand } from './inspect.js';
import { libraryCommand } from './library.js';
import { monitorCommand } from './monitor.js';
import { mqttCheckCommand } from './mqtt-check.js';
import { portsCommand } from './ports.js';
import { repairCommand } from './repair.js';
import { restoreCommand } from './restore.js';
import { simCommand } from './sim.js';
import { verifyCommand } from './verify.js';
import { writeCommand } from './write.js';
import { serveCommand } from './serve.js';

export const commands: CliCommand[] = [
  portsCommand,
  detectCommand,
  backupCommand,
  restoreCommand,
  writeCommand,
  repairCommand,
  verifyCommand,
  eraseCommand,
  compareCommand,
  inspectCommand,
  libraryCommand,
  monitorCommand,
  mqttCheckCommand,
  simCommand,
  serveCommand,
];
