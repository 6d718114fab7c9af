/** `flashback` CLI entry: parses argv, runs one command, prints JSON or a one-line error + hint. */
import { parseArgs } from 'node:util';
import { FlashbackError, toErrorData } from '../errors.js';
import { packageVersion } from '../package-info.js';
import { BOARD_OPTIONS_HELP, boardOptions, type CliCommand, type CliContext } from './command.js';
import { EXIT, exitCodeFor, exitCodeHelp } from './exit-codes.js';
import { progressBar } from './progress-bar.js';
import { promptPrinter } from './prompt.js';
import { printable } from './printable.js';
import { loadAllCommands, loadCommand } from './commands/index.js';
import { closeOpenVirtualBoards, registerVirtualBoards } from '../sim/ports.js';

/**
 * `flashback backup … | head -1`: the reader went away. Stop quietly (exit 0, as a pipeline expects)
 * instead of dying with an EPIPE stack trace.
 */
let pipeGuarded = false;
function quietOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}

function usage(commands: CliCommand[]): string {
  const lines = ['Usage: flashback <command> [options]', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Run `flashback <command> --help` for its options.', '', exitCodeHelp());
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const [name, ...rest] = argv;
  if (name === '--version') {
    process.stdout.write(`flashback ${packageVersion()}\n`);
    return 0;
  }
  // The CLI is a composition root: it decides that virtual: ports are main/sim's boards (the simulator
  // itself loads when a board is opened).
  registerVirtualBoards();
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage(await loadAllCommands()) + '\n');
    return name ? EXIT.pass : EXIT.usage;
  }
  // Only this command's code loads: the others pull in serialport, MQTT, the workbench and the rest.
  const cmd = await loadCommand(name);
  if (!cmd) {
    process.stderr.write(`flashback: unknown command "${name}"\n${usage(await loadAllCommands())}\n`);
    return EXIT.usage;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...cmd.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`flashback ${name}: ${(e as Error).message}\nUsage: ${cmd.usage}\n`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    // The board commands spread boardOptions; mqtt-check's own --before means something else.
    const board = cmd.options.before === boardOptions.before ? `${BOARD_OPTIONS_HELP}\n\n` : '';
    process.stdout.write(`Usage: ${cmd.usage}\n\n${board}${exitCodeHelp()}\n`);
    return EXIT.pass;
  }
  const json = parsed.values.json === true;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      process.stderr.write('\nLeaving now (the board is left as it is; see above for its state).\n');
      process.exit(EXIT.interrupted);
    }
    process.stderr.write('\nCancelling… (Ctrl-C again to leave now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const ctx: CliContext = {
    values: parsed.values,
    positionals: parsed.positionals,
    json,
    out: (line) => (json ? process.stderr : process.stdout).write(printable(line) + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    op: (label) => ({
      onProgress: progressBar(label),
      signal: controller.signal,
      log: (line) => process.stderr.write(line + '\n'),
      onPrompt: promptPrinter(),
    }),
    signal: controller.signal,
  };
  try {
    const result = await cmd.run(ctx);
    if (json && result !== undefined) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return ctx.exitCode ?? 0;
  } catch (e) {
    const data = toErrorData(e);
    if (json) process.stdout.write(JSON.stringify({ error: data }, null, 2) + '\n');
    process.stderr.write(`flashback ${name}: ${data.message}${data.hint ? ` — ${data.hint}` : ''}\n`);
    if (!(e instanceof FlashbackError) && process.env.FLASHBACK_DEBUG) console.error(e);
    // Every command's errors map through the one table (exit-codes.ts); Ctrl-C is 130 whatever it says.
    return exitCodeFor(e, controller.signal.aborted);
  } finally {
    process.off('SIGINT', onSigint);
    // In-process virtual boards keep running their firmware (timers, MQTT sockets) after the port
    // closes, as real boards do; the CLI process is done with them.
    closeOpenVirtualBoards();
  }
}
