/** The restore plan, shown in full before the user confirms: what will be written, the auto-backup, the flash mode. */
import { SECTOR_SIZE } from '../../main/flash-geometry.js';
import type { RestorePlanView } from '../../main/workbench/api.js';
import { bytes, hex, shortHash } from '../format.js';
import { SectorActions } from '../components/SectorActions.js';
import { Warnings } from '../components/Warnings.js';

export function PlanView({ plan }: { plan: RestorePlanView }) {
  const regions = plan.regions.filter((r) => r.writeSectors > 0);
  return (
    <section className="plan" aria-label="Restore plan">
      <h3>The plan</h3>
      <dl>
        <dt>Image</dt>
        <dd>
          {plan.image.source} ({bytes(plan.image.size)}, sha256{' '}
          <span className="mono">{shortHash(plan.image.sha256)}</span>)
        </dd>
        <dt>Target</dt>
        <dd>
          {plan.target.chip} <span className="mono">{plan.target.mac}</span> on {plan.port}, flash{' '}
          {bytes(plan.target.flash.size)}
        </dd>
        <dt>Auto-backup</dt>
        <dd>
          {plan.backupFirst
            ? 'Yes: the bad board is backed up into the library first (undo / forensics).'
            : 'No (turned off).'}
        </dd>
        <dt>Flash mode</dt>
        <dd>
          {plan.flashMode.patched
            ? `Header patched: ${plan.flashMode.image ?? '?'} → ${plan.flashMode.chosen}`
            : `Kept as in the image (${plan.flashMode.image ?? 'no header'})`}
        </dd>
        <dt>Will write</dt>
        <dd>
          <strong>
            {plan.writeSectors.length} sector{plan.writeSectors.length === 1 ? '' : 's'} (
            {bytes(plan.writeSectors.length * SECTOR_SIZE)})
          </strong>
          ; {plan.skipSectors} already equal and skipped
        </dd>
        {plan.preserve.length > 0 ? (
          <>
            <dt>Preserved</dt>
            <dd>{plan.preserve.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {regions.length > 0 ? (
        <table className="region-table">
          <caption>Sectors to write, by region</caption>
          <thead>
            <tr>
              <th scope="col">Region</th>
              <th scope="col">Start</th>
              <th scope="col">Size</th>
              <th scope="col">Sectors to write</th>
            </tr>
          </thead>
          <tbody>
            {regions.map((r) => (
              <tr key={`${r.name}-${r.start}`}>
                <td>{r.name}</td>
                <td className="mono">{hex(r.start)}</td>
                <td>{bytes(r.size)}</td>
                <td>{r.writeSectors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {plan.factoryReset ? (
        // As the CLI's plan says it: which of this board's sectors are reset rather than copied.
        <SectorActions
          caption={`Factory data reset instead of copied (${
            plan.factoryReset.rule === 'arduino' ? 'Arduino core layout' : 'NONOS SDK layout'
          })`}
          actions={plan.factoryReset.steps}
        />
      ) : null}
      <Warnings items={plan.warnings} />
    </section>
  );
}
