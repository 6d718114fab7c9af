/** One board's identity: port, USB bridge, chip, MAC, flash id and size. */
import type { BoardInfo } from '../../main/workbench/api.js';
import { bytes, hex } from '../format.js';

export function BoardCard({ role, board, virtual }: { role: string; board: BoardInfo; virtual: boolean }) {
  return (
    <section className="board-card" aria-label={`${role} board`}>
      <h3>
        {role} board {virtual ? <span className="badge virtual">virtual</span> : null}
      </h3>
      <dl>
        <dt>Port</dt>
        <dd>{board.port}</dd>
        <dt>USB bridge</dt>
        <dd>{board.bridge}</dd>
        <dt>Chip</dt>
        <dd>
          {board.chip} ({board.crystalMHz} MHz crystal)
        </dd>
        <dt>MAC</dt>
        <dd className="mono">{board.mac}</dd>
        <dt>Flash id</dt>
        <dd className="mono">
          {hex(board.flash.jedecId)} ({board.flash.manufacturer})
        </dd>
        <dt>Flash size</dt>
        <dd>{board.flash.size ? bytes(board.flash.size) : 'unknown'}</dd>
      </dl>
    </section>
  );
}
