/**
 * One cell per 4 KiB sector: colour = same / differs / blank, a band under each cell = its region;
 * hovering a cell names its address and region. The region table beside it is the accessible
 * equivalent (the map itself is one labelled image for screen readers).
 */
import { Fragment, useMemo, useState } from 'react';
import type { CompareView } from '../../main/workbench/api.js';
import { hex } from '../format.js';
import { STATE_TEXT, regionIndexBySector } from './regions.js';

/** 64 sectors (256 KiB) per row, each row labelled with its start address. */
const COLS = 64;

export function SectorMap({ view }: { view: CompareView }) {
  const { sectors, sectorSize, regions } = view;
  const bands = useMemo(
    () => regionIndexBySector(regions, sectorSize, sectors.length),
    [regions, sectorSize, sectors.length],
  );
  const [hover, setHover] = useState<number | null>(null);
  const diff = sectors.filter((s) => s === 'diff' || s === 'a-blank' || s === 'b-blank').length;
  const describe = (i: number) => {
    const r = bands[i]! >= 0 ? regions[bands[i]!] : undefined;
    return `${hex(i * sectorSize)} (sector ${i}) — ${r ? r.name : 'no region'} — ${STATE_TEXT[sectors[i]!] ?? sectors[i]}`;
  };
  return (
    <figure className="sector-map-wrap">
      <div
        className="sector-map"
        role="img"
        aria-label={`Sector map: ${sectors.length} sectors of ${sectorSize / 1024} KiB, ${diff} differ`}
        onMouseLeave={() => setHover(null)}
      >
        {sectors.map((st, i) => (
          <Fragment key={i}>
            {i % COLS === 0 ? (
              <span className="row-label mono" aria-hidden="true">
                {hex(i * sectorSize)}
              </span>
            ) : null}
            <span
              className={`cell s-${st} band-${bands[i]! >= 0 ? bands[i]! % 8 : 'none'}`}
              title={describe(i)}
              data-sector={i}
              onMouseEnter={() => setHover(i)}
            />
          </Fragment>
        ))}
      </div>
      <figcaption>
        <span className="hover-info" aria-live="polite">
          {hover === null ? 'Hover a cell for its address and region.' : describe(hover)}
        </span>
        <span className="legend">
          <span className="cell s-same" aria-hidden="true" /> same{' '}
          <span className="cell s-diff" aria-hidden="true" /> differs{' '}
          <span className="cell s-blank" aria-hidden="true" /> blank{' '}
          <span className="cell s-a-blank" aria-hidden="true" /> blank on one side
        </span>
      </figcaption>
    </figure>
  );
}

export function RegionTable({ view }: { view: CompareView }) {
  const sectors = view.sectorSize;
  return (
    <table className="region-table">
      <caption>Regions</caption>
      <thead>
        <tr>
          <th scope="col">Band</th>
          <th scope="col">Region</th>
          <th scope="col">Start</th>
          <th scope="col">Sectors</th>
          <th scope="col">Differ</th>
        </tr>
      </thead>
      <tbody>
        {view.regions.map((r, i) => (
          <tr key={`${r.name}-${r.start}`} className={r.diffSectors > 0 ? 'row-diff' : undefined}>
            <td>
              <span className={`swatch band-${i % 8}`} aria-hidden="true" />
            </td>
            <td>{r.name}</td>
            <td className="mono">{hex(r.start)}</td>
            <td>{Math.ceil(r.size / sectors)}</td>
            <td>{r.diffSectors > 0 ? <strong>{r.diffSectors} differ</strong> : 'same'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
