/**
 * `flashback sim`: serves a virtual ESP8266 on TCP so external tools (esptool `--port socket://…`)
 * can talk to it. The board starts in the ROM loader (socket:// carries no DTR/RTS to reset it).
 * Without --flash/--flash-size/--mac it is the persisted demo board named by --profile, so what
 * esptool writes there is what `--port virtual:<profile>` sees later; otherwise a standalone board.
 */
import fs from 'node:fs';
import { FlashbackError } from '../../errors.js';
import { VirtualBoard } from '../../sim/board.js';
import { buildDemoImage } from '../../sim/demo-image.js';
import { demoFirmware } from '../../sim/demo-firmware.js';
import { parseFaults } from '../../sim/faults.js';
import { defaultNetwork } from '../../sim/network.js';
import { factoryReset, openVirtualBoard } from '../../sim/registry.js';
import { startSimServer } from '../../sim/tcp-server.js';
import { humanSize } from '../../units.js';
import type { BoardWire } from '../../sim/wire.js';
import type { CliCommand } from '../command.js';

function bad(message: string, hint: string): FlashbackError {
  return new FlashbackError('BAD_ARGUMENT', message, hint);
}

/** "4MB", "512KB", "1M", "0x400000" → bytes. */
export function parseSize(text: string): number {
  const m = /^(0x[0-9a-f]+|\d+)\s*(k|kb|m|mb)?$/i.exec(text.trim());
  if (!m) throw bad(`Bad size "${text}"`, 'Use e.g. 4MB, 1MB, 512KB or 0x400000.');
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  return unit.startsWith('m') ? n << 20 : unit.startsWith('k') ? n << 10 : n;
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^tcp:\/\/([^:/]+):(\d+)$/.exec(text);
  if (!m) throw bad(`Bad --listen "${text}"`, 'Use tcp://127.0.0.1:0 (0 picks a free port).');
  return { host: m[1]!, port: Number(m[2]) };
}

/** ", JEDEC id says 4 MB" when the JEDEC id claims another size than the array has. */
function labelNote(board: VirtualBoard): string {
  const claimed = 1 << (board.flash.jedecId[2] & 0x1f);
  return claimed === board.flash.size ? '' : `, JEDEC id says ${humanSize(claimed)}`;
}

export const simCommand: CliCommand = {
  name: 'sim',
  summary: 'Serve a virtual ESP8266 on TCP (for esptool --port socket://…)',
  usage:
    'flashback sim [--listen tcp://127.0.0.1:0] [--profile good|bad] [--flash FILE] [--flash-size 4MB] ' +
    '[--jedec-size 4MB] [--crystal 26|40] [--mac AA:BB:..] [--save FILE] [--no-pace] [--factory-reset] [--latency-ms N] [--line-baud N] [--fault drop:N|corrupt-every:N|corrupt-frame-every:N[@to-board|@to-host]|header:OP:BYTE[:NTH]|disconnect:N|slow-erase:F …]',
  options: {
    listen: { type: 'string' },
    profile: { type: 'string' },
    flash: { type: 'string' },
    'flash-size': { type: 'string' },
    /** What the JEDEC id claims (a relabelled chip): its capacity code; addresses still wrap at --flash-size. */
    'jedec-size': { type: 'string' },
    crystal: { type: 'string' },
    mac: { type: 'string' },
    save: { type: 'string' },
    'no-pace': { type: 'boolean' },
    'factory-reset': { type: 'boolean' },
    'latency-ms': { type: 'string' },
    /** The bridge's serial-side rate (ser2net at 921600): invisible to the TCP client. */
    'line-baud': { type: 'string' },
    fault: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const v = ctx.values;
    const str = (k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
    if (v['factory-reset']) {
      const names = factoryReset();
      ctx.out(`Demo boards reset as shipped: ${names.map((n) => `virtual:${n}`).join(', ')}`);
      if (!str('listen')) return { factoryReset: names };
    }
    const profile = str('profile') ?? 'good';
    if (profile !== 'good' && profile !== 'bad')
      throw bad(`Unknown profile "${profile}"`, 'Use --profile good or --profile bad.');
    const listen = parseListen(str('listen') ?? 'tcp://127.0.0.1:0');
    let faults;
    try {
      faults = parseFaults((v.fault as string[] | undefined) ?? []);
    } catch (e) {
      throw bad((e as Error).message, 'See flashback sim --help for the fault forms.');
    }
    const latencyText = str('latency-ms');
    const latencyMs = latencyText === undefined ? undefined : Number(latencyText);
    if (latencyMs !== undefined && !(latencyMs >= 0))
      throw bad(`Bad --latency-ms "${latencyText}"`, 'Give milliseconds, e.g. 16.');
    const common = {
      pace: !v['no-pace'],
      bootMode: 'download' as const,
      faults,
      ...(latencyMs !== undefined ? { latencyMs } : {}),
    };

    let board: VirtualBoard;
    let wire: (() => BoardWire) | undefined;
    const flashFile = str('flash');
    const sizeText = str('flash-size');
    const mac = str('mac');
    const jedecText = str('jedec-size');
    const crystalText = str('crystal');
    if (crystalText !== undefined && crystalText !== '26' && crystalText !== '40')
      throw bad(`Bad --crystal "${crystalText}"`, 'Use --crystal 26 or --crystal 40 (MHz).');
    const crystalMHz = crystalText === undefined ? undefined : Number(crystalText);
    if (!flashFile && !sizeText && !mac && !jedecText && !crystalMHz) {
      const shared = openVirtualBoard(profile, common);
      board = shared.board;
      wire = () => shared.wire();
    } else {
      let data: Uint8Array;
      let size = sizeText ? parseSize(sizeText) : 4 << 20;
      if (flashFile) {
        if (!fs.existsSync(flashFile))
          throw new FlashbackError('FILE_NOT_FOUND', `No such file: ${flashFile}`, 'Check the path.');
        data = new Uint8Array(fs.readFileSync(flashFile));
        if (!sizeText) while (size < data.length) size *= 2;
        if (data.length > size)
          throw bad(
            `${flashFile} (${data.length} bytes) is larger than the flash`,
            'Give a larger --flash-size.',
          );
      } else {
        data = buildDemoImage(profile, size);
      }
      if (size < 0x10000 || (size & (size - 1)) !== 0)
        throw bad(`Bad flash size ${size}`, 'Use a power of two from 64KB to 16MB.');
      // Only a --jedec-size given is checked: without one the id follows --flash-size (64KB up).
      const label = jedecText === undefined ? size : parseSize(jedecText);
      if (jedecText !== undefined && (label < 0x40000 || label > 1 << 28 || (label & (label - 1)) !== 0))
        throw bad(`Bad --jedec-size ${jedecText}`, 'Use a power of two from 256KB to 256MB.');
      board = new VirtualBoard({
        ...common,
        flash: data,
        flashSize: size,
        jedecId: [0xef, 0x40, Math.log2(label)],
        ...(crystalMHz ? { crystalMHz } : {}),
        ...(mac ? { mac } : profile === 'bad' ? { mac: '18:fe:34:a1:b2:02' } : { mac: '18:fe:34:a1:b2:01' }),
        firmware: demoFirmware,
        network: defaultNetwork,
      });
    }

    const lineBaud = str('line-baud') === undefined ? undefined : Number(str('line-baud'));
    if (lineBaud !== undefined && !(Number.isInteger(lineBaud) && lineBaud > 0))
      throw bad(`Bad --line-baud "${str('line-baud')}"`, 'Give a rate, e.g. 921600.');
    const server = await startSimServer(board, {
      host: listen.host,
      port: listen.port,
      ...(lineBaud ? { lineBaud } : {}),
      ...(wire ? { wire } : {}),
      log: ctx.err,
    });
    process.stdout.write(`listening ${server.url}\n`);
    ctx.err(
      `virtual ESP8266 (${board.mac}, ${humanSize(board.flash.size)}${labelNote(board)}, ${board.crystalMHz} MHz crystal, ${common.pace ? 'paced' : 'no pacing'}) in the ROM loader; Ctrl-C to stop`,
    );

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      ctx.signal.addEventListener('abort', stop, { once: true });
      process.once('SIGTERM', stop);
    });
    await server.close();
    const saveFile = str('save');
    if (saveFile) {
      fs.writeFileSync(saveFile, board.flash.snapshot());
      ctx.err(`flash saved to ${saveFile}`);
    }
    board.close();
    return {
      url: server.url,
      connections: server.connections,
      modeledMs: Math.round(board.modeledMs),
      saved: saveFile ?? null,
    };
  },
};
