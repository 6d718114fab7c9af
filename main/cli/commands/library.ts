/** `flashback library list|show|rm|rename|export`: the stored backups (DESIGN.md "Image library"). */
import path from 'node:path';
import { FlashbackError } from '../../errors.js';
import { readImageFile } from '../../flash/files.js';
import { importDump } from '../../library/import.js';
import { formatSize } from '../../image/flash-params.js';
import { Library } from '../../library/library.js';
import type { LibraryItem, LibraryMeta } from '../../library/types.js';
import type { CliCommand, CliContext } from '../command.js';

const USAGE =
  'flashback library list | show ID | rm ID | rename ID LABEL | export ID FILE [--scrub] | import FILE [--label L] | repair ID  [--library DIR] [--json]';

function line(m: LibraryMeta): string {
  const bits = [m.id.slice(0, 12), m.created.slice(0, 19).replace('T', ' '), formatSize(m.size).padStart(6)];
  bits.push(m.label ?? '-', m.mac ?? '', m.layout?.family ?? '', m.containsCredentials ? '[WiFi creds]' : '');
  return bits.filter((b) => b !== '').join('  ');
}

/** A damaged entry: listed, never hidden, with what is wrong and the command that fixes it. */
function badLine(i: LibraryItem): string {
  const what = i.status === 'metadata-missing' ? 'METADATA MISSING' : 'CORRUPT';
  const label = i.entry?.label ? `"${i.entry.label}"  ` : '';
  return `${i.id.slice(0, 12)}  ${label}${what}: ${i.problem ?? ''} — next: ${i.next ?? ''}`;
}

function args(ctx: CliContext, n: number): string[] {
  const rest = ctx.positionals.slice(1);
  if (rest.length !== n)
    throw new FlashbackError(
      'BAD_ARGUMENT',
      `library ${ctx.positionals[0]} takes ${n} argument(s)`,
      `Usage: ${USAGE}`,
    );
  return rest;
}

export const libraryCommand: CliCommand = {
  name: 'library',
  summary: 'List, show, rename, remove, export, import (an old read_flash dump) or repair stored backups',
  usage: USAGE,
  options: { library: { type: 'string' }, scrub: { type: 'boolean' }, label: { type: 'string' } },
  allowPositionals: true,
  async run(ctx) {
    const lib = new Library(typeof ctx.values.library === 'string' ? ctx.values.library : undefined);
    const sub = ctx.positionals[0] ?? 'list';
    switch (sub) {
      case 'list': {
        const items = await lib.check();
        if (items.length === 0) ctx.out(`No images in ${lib.dir}`);
        for (const i of items) ctx.out(i.entry && i.status === 'ok' ? line(i.entry) : badLine(i));
        const images = items.map((i) => ({
          ...(i.entry ?? { id: i.id, file: i.file }),
          status: i.status,
          problem: i.problem,
          next: i.next,
        }));
        return { library: lib.dir, images };
      }
      case 'show': {
        const [id] = args(ctx, 1);
        const { meta } = await lib.get(id!); // verifies the hash: show reports corruption too
        ctx.out(JSON.stringify(meta, null, 2));
        return meta;
      }
      case 'rm': {
        const [id] = args(ctx, 1);
        const removed = await lib.remove(id!);
        ctx.out(`Removed ${removed}`);
        return { removed };
      }
      case 'rename': {
        const [id, label] = args(ctx, 2);
        const meta = await lib.rename(id!, label!);
        ctx.out(`${meta.id.slice(0, 12)} is now "${meta.label}"`);
        return meta;
      }
      case 'export': {
        const [id, dest] = args(ctx, 2);
        const r = await lib.export(id!, dest!, { scrub: ctx.values.scrub === true });
        const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;
        ctx.out(
          `Wrote ${r.file} (${r.size} bytes)${ctx.values.scrub ? `, blanked ${r.scrubbed.length} WiFi sector(s)${r.scrubbed.length ? ` at ${r.scrubbed.map(hex).join(', ')}` : ''}` : ''}`,
        );
        // What the scrub could not remove: application copies of passwords, config records (masked).
        const { findings } = r.report;
        if (findings.length === 0) ctx.out('No credential-like data found in the written image.');
        else {
          ctx.out(
            `Not removed: ${findings.length} place(s) that look like credentials — check before sharing:`,
          );
          for (const f of findings) ctx.out(`  - ${f.hint}${f.masked ? ` [${f.masked}]` : ''}`);
        }
        return r;
      }
      case 'import': {
        const [file] = args(ctx, 1);
        const label = typeof ctx.values.label === 'string' ? ctx.values.label : undefined;
        const bytes = await readImageFile(file!);
        const r = await importDump(lib, bytes, { name: path.basename(file!), ...(label ? { label } : {}) });
        ctx.out(
          `${r.alreadyPresent ? 'Already imported:' : 'Imported'} ${file} as ${r.entry.id.slice(0, 12)} "${r.entry.label ?? ''}" (${formatSize(r.entry.size)})`,
        );
        for (const n of r.notes) ctx.out(`  ${n}`);
        return { ...r.entry, notes: r.notes };
      }
      case 'repair': {
        const [id] = args(ctx, 1);
        const r = await lib.repair(id!);
        ctx.out(
          r.repaired
            ? `Rebuilt the metadata of ${r.entry.id.slice(0, 12)} "${r.entry.label ?? ''}" (the image is intact)`
            : `${r.entry.id.slice(0, 12)} is intact; nothing to repair`,
        );
        return r;
      }
      default:
        throw new FlashbackError('BAD_ARGUMENT', `unknown library action "${sub}"`, `Usage: ${USAGE}`);
    }
  },
};
