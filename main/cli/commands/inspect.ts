/** `flashback inspect FILE|ID [--json]`: header, layout regions, RF init data, WiFi credentials. */
import path from 'node:path';
import { FlashbackError } from '../../errors.js';
import { formatSize } from '../../image/flash-params.js';
import { inspectImage, type HeaderSummary } from '../../image/inspect.js';
import { resolveImage } from '../../library/resolve.js';
import type { CliCommand } from '../command.js';

const hex = (n: number, w = 6) => `0x${n.toString(16).padStart(w, '0')}`;

function headerLine(name: string, h: HeaderSummary): string {
  const size = h.flashSize === null ? '?' : formatSize(h.flashSize);
  return (
    `${name}: ${h.format.toUpperCase()} image, ${h.segments.length} segments, entry ${hex(h.entry, 8)}, ` +
    `${h.flashMode ?? 'mode?'} ${size} @${h.flashFreq ?? '?'}, ${h.checksumNote}`
  );
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Explain an image or backup: header, regions, RF data, WiFi credentials',
  usage: 'flashback inspect FILE|LIBRARY_ID [--library DIR] [--json]',
  options: { library: { type: 'string' } },
  allowPositionals: true,
  async run(ctx) {
    const spec = ctx.positionals[0];
    if (!spec || ctx.positionals.length > 1) {
      throw new FlashbackError(
        'BAD_ARGUMENT',
        'inspect takes one image',
        'Usage: flashback inspect FILE|LIBRARY_ID',
      );
    }
    const lib = typeof ctx.values.library === 'string' ? ctx.values.library : undefined;
    const img = await resolveImage(spec, { library: lib });
    const r = await inspectImage(img.bytes, img.libraryId ? '' : path.basename(img.source));
    ctx.out(`${img.source} (${r.size} bytes, ${formatSize(r.size)})`);
    ctx.out(`File: ${r.identity.description}`);
    ctx.out(r.header ? headerLine('Image at 0x0', r.header) : `No image at 0x0: ${r.headerError}`);
    if (r.app) ctx.out(headerLine('Sketch at 0x1000', r.app));
    ctx.out(`Family: ${r.family}`);
    for (const reg of r.regions) {
      ctx.out(
        `  ${hex(reg.start)}  ${formatSize(reg.size).padStart(6)}  ${reg.name.padEnd(16)} ${reg.state.padEnd(13)} ${reg.description}`,
      );
    }
    if (r.rfInitData) ctx.out(`RF init data (${hex(r.rfInitData.offset)}): ${r.rfInitData.explanation}`);
    if (r.rfCal) ctx.out(`RF calibration (${hex(r.rfCal.offset)}): ${r.rfCal.explanation}`);
    if (r.sysParams) ctx.out(`System params: ${r.sysParams.explanation}`);
    ctx.out(
      r.wifiCredentials.present
        ? `WiFi credentials stored: SSID "${r.wifiCredentials.ssid}" (password not shown; export with --scrub to share)`
        : 'WiFi credentials: none found',
    );
    for (const n of r.notes) ctx.out(`Note: ${n}`);
    return { file: img.source, libraryId: img.libraryId, ...r };
  },
};
