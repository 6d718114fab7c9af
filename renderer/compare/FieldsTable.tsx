/** The two sides' fields in two columns; a row whose values differ is highlighted. */
import type { CompareView } from '../../main/workbench/api.js';

/** Library ids are 64 hex digits: show the first 12, as everywhere else. */
const short = (spec: string) => (/^[0-9a-f]{64}$/i.test(spec) ? spec.slice(0, 12) : spec);

export function FieldsTable({ view }: { view: CompareView }) {
  const keys = [...new Set([...Object.keys(view.a.fields), ...Object.keys(view.b.fields)])];
  return (
    <table className="fields-table">
      <caption>Side by side</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">A: {short(view.a.spec)}</th>
          <th scope="col">B: {short(view.b.spec)}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const a = view.a.fields[k] ?? '—';
          const b = view.b.fields[k] ?? '—';
          const differs = a !== b;
          return (
            <tr key={k} className={differs ? 'row-diff' : undefined}>
              <th scope="row">
                {k}
                {differs ? <span className="sr-only"> (differs)</span> : null}
              </th>
              <td className="mono">{a}</td>
              <td className="mono">{b}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
