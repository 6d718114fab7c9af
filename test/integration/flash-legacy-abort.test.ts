/**
 * A legacy stub left mid-inflate by an aborted compressed write (issue 10 item 6): its static output
 * buffer still holds inflated bytes, and the next compressed write would flush them at its own offset.
 * Flashback writes uncompressed on a stub it did not start, so the next write verifies.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempHome } from '../support/home.js';
import { RawHost, dataPacket, le32, packet } from '../conformance/raw-host.js';

useTempHome();
const { writeRegion } = await import('../../main/flash/index.js');
const { openVirtualBoard, closeVirtualBoard } = await import('../../main/sim/index.js');
const { md5 } = await import('../support/boards.js');

const MB = 1024 * 1024;
afterEach(() => closeVirtualBoard('legacy-abort'));

describe('legacy stub left mid-inflate', () => {
  it('the next write lands exactly and verifies', async () => {
    const before = new Uint8Array(MB).fill(0x33);
    const shared = openVirtualBoard('legacy-abort', {
      pace: false,
      bootMode: 'download',
      create: { flash: before, flashSize: MB, mac: '18:fe:34:0f:00:01' },
    });
    // Another tool: legacy stub, a compressed write of 64 KiB at 0x40000 cut off after its first block.
    const w = shared.wire();
    const raw = new RawHost(w);
    await raw.sync();
    await raw.exchange(packet(0x05, le32(64, 1, 0x1800, 0x4010d000)));
    raw.send(packet(0x06, le32(0, 0x4010d004)));
    await raw.drain(200);
    const plain = crypto.randomBytes(0x10000).map((b) => b & 0x07); // ~3 bits a byte: 2 blocks
    const packed = zlib.deflateSync(plain, { level: 9 });
    const blocks = Math.ceil(packed.length / 0x4000);
    expect(blocks).toBeGreaterThan(1);
    await raw.exchange(packet(0x10, le32(plain.length, blocks, 0x4000, 0x40000)));
    await raw.exchange(dataPacket(0x11, 0, packed.subarray(0, 0x4000)));
    w.detach();
    expect(shared.board.stub).toBe('legacy');

    const file = Uint8Array.from({ length: 8192 }, (_, i) => (i * 7) & 0xff);
    const r = await writeRegion({ port: 'virtual:legacy-abort', before: 'no-reset', offset: 0x80000 }, file);
    expect(r.verified).toBe(true);
    const after = shared.board.flash.snapshot();
    expect(md5(after.subarray(0x80000, 0x82000))).toBe(md5(file));
    expect(md5(after.subarray(0x82000))).toBe(md5(before.subarray(0x82000)));
  });
});
