/** The CLI's command table: each entry loads the command it names, and --help lists them in its order. */
import { describe, expect, it } from 'vitest';
import { commandLoaders, loadAllCommands, loadCommand } from '../../main/cli/commands/index.js';

describe('commandLoaders', () => {
  it('loads, under each name, the command of that name', async () => {
    const all = await loadAllCommands();
    expect(all.map((c) => c.name)).toEqual(commandLoaders.map(([n]) => n));
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    expect((await loadCommand('ports'))?.name).toBe('ports');
    expect(await loadCommand('nope')).toBeUndefined();
  });
});
