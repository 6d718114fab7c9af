/** Virtual boards for client tests: unpaced, uniquely named, with given flash; closed by `closeAll`. */
import { createHash } from 'node:crypto';
import { closeVirtualBoard, openVirtualBoard, type OpenBoardOptions } from '../../main/sim/index.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';

export const MB4 = 4 * 1024 * 1024;
export const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
export const demo = { good: buildDemoImage('good', MB4), bad: buildDemoImage('bad', MB4) };

export function boardFactory(prefix: string) {
  let seq = 0;
  const names: string[] = [];
  return {
    make(flash: Uint8Array, extra: OpenBoardOptions = {}) {
      const name = `${prefix}${seq++}`;
      names.push(name);
      const shared = openVirtualBoard(name, {
        pace: false,
        ...extra,
        create: { flash: Uint8Array.from(flash), flashSize: flash.length, mac: '18:fe:34:0a:0b:0c' },
      });
      return { name, port: `virtual:${name}`, shared, flash: () => shared.board.flash.snapshot() };
    },
    closeAll() {
      for (const n of names.splice(0)) closeVirtualBoard(n);
    },
  };
}
