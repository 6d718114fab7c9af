/** `flashback serve`: the workbench in a browser (no Electron needed), on loopback with a token. */
import { FlashbackError } from '../../errors.js';
import type { CliCommand } from '../command.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the workbench UI in your browser (prints the URL with its token)',
  usage: 'flashback serve [--host 127.0.0.1] [--port N] [--library DIR]',
  options: { host: { type: 'string' }, port: { type: 'string' }, library: { type: 'string' } },
  async run(ctx) {
    const host = (ctx.values.host as string | undefined) ?? '127.0.0.1';
    const port = ctx.values.port === undefined ? 0 : Number(ctx.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        `Bad --port ${String(ctx.values.port)}`,
        'Give a port number 0–65535 (0 picks a free one).',
      );
    }
    // Loaded on use: `flashback --help` should not pull in the whole workbench.
    const { startWorkbench } = await import('../../host/index.js');
    const wb = await startWorkbench({
      host,
      port,
      ...(ctx.values.library ? { library: ctx.values.library as string } : {}),
    });
    if (!wb.built) ctx.err('The UI is not built yet: run `npm run build` (npm start does it for you).');
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      ctx.err(
        `Warning: listening on ${host}; anyone who can reach it and has the token can flash your boards.`,
      );
    }
    // Last line of defence: a stray rejection from a layer below (a port closing late, a broker going
    // away) is reported, never allowed to end the host and a restore running in it.
    const stray = (e: unknown) =>
      ctx.err(`Flashback: internal error, still serving: ${e instanceof Error ? e.message : String(e)}`);
    process.on('unhandledRejection', stray);
    // The one line scripts and tests look for.
    process.stdout.write(`Flashback workbench: ${wb.url}\n`);
    ctx.err('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await wb.close();
    process.off('unhandledRejection', stray);
    return { url: wb.url, stopped: true };
  },
};
