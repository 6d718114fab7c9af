/** Uploads the flasher stub to RAM and waits for its "OHAI" greeting (notes 1.10). */
import { FlashbackError } from '../errors.js';
import { dataBlock, Op, TIMEOUTS, u32s } from './commands.js';
import type { Connection } from './connection.js';
import { RAM_BLOCK } from './chips/esp8266.js';
import { loadStub } from './stub-image.js';

const OHAI = [0x4f, 0x48, 0x41, 0x49];

async function uploadSegment(conn: Connection, addr: number, bytes: Uint8Array): Promise<void> {
  const blocks = Math.ceil(bytes.length / RAM_BLOCK);
  await conn.command(Op.MEM_BEGIN, u32s(bytes.length, blocks, RAM_BLOCK, addr));
  for (let seq = 0; seq < blocks; seq++) {
    const { data, chk } = dataBlock(bytes.subarray(seq * RAM_BLOCK, (seq + 1) * RAM_BLOCK), seq);
    await conn.command(Op.MEM_DATA, data, { chk });
  }
}

export async function runStub(conn: Connection): Promise<void> {
  const stub = loadStub();
  await uploadSegment(conn, stub.textStart, stub.text);
  if (stub.data.length) await uploadSegment(conn, stub.dataStart, stub.data);
  // MEM_END(0, entry) jumps to the stub; the ROM's reply may be cut short by the jump (notes 1.10).
  await conn
    .command(Op.MEM_END, u32s(0, stub.entry), { timeoutMs: TIMEOUTS.memEndRomMs })
    .catch(() => undefined);
  const deadline = performance.now() + TIMEOUTS.defaultMs;
  while (performance.now() < deadline) {
    const f = await conn.readFrame(Math.max(1, deadline - performance.now()), 'the stub greeting "OHAI"');
    if (f.length === 4 && OHAI.every((b, i) => f[i] === b)) return;
  }
  throw new FlashbackError(
    'TIMEOUT',
    'The flasher stub did not start',
    'Reset the board into the bootloader and retry, or use --no-stub.',
  );
}
