/**
 * Sector ranges and what a plan does to each (erase, write, keep, fix the header) and why: the repair
 * plan, and a restore that resets the factory data instead of copying the donor's.
 */
import type { RepairPlanView } from '../../main/workbench/api.js';
import { bytes, hex } from '../format.js';

type SectorAction = RepairPlanView['actions'][number];

const ACTION_WORDS: Record<SectorAction['action'], string> = {
  erase: 'Erase',
  write: 'Write',
  keep: 'Keep',
  'patch-header': 'Fix header',
};

export function SectorActions({ caption, actions }: { caption: string; actions: readonly SectorAction[] }) {
  return (
    <table className="region-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Size</th>
          <th scope="col">Action</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {actions.map((a) => (
          <tr key={`${a.offset}-${a.action}`}>
            <td className="mono">{hex(a.offset)}</td>
            <td>{bytes(a.size)}</td>
            <td>{ACTION_WORDS[a.action]}</td>
            <td>{a.what}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
