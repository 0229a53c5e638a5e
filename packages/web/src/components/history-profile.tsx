/**
 * What a plan's past launches measured, as the rehearsal's starting point:
 * which launches, and each KPI's level (editable) and spread.
 */

/** KPI levels by name, as `POST /api/v1/rehearsals` takes them in `profile.baselines`. */
export type Baselines = Record<string, { value: number; sd?: number }>;

export function HistoryProfile({
  from,
  baselines,
  onChange,
}: {
  from: { plan: string; ids: string[] };
  baselines: Baselines;
  onChange: (kpi: string, value: number) => void;
}) {
  return (
    <div className="history-profile" data-history-profile>
      <p className="small">
        Based on the last {from.ids.length === 1 ? 'launch' : `${from.ids.length} launches`} of{' '}
        {from.plan} ({from.ids.join(', ')}): the traffic above and these KPI levels; edit any to
        override.
      </p>
      <table className="report-table">
        <thead>
          <tr>
            <th>KPI</th>
            <th>Level (rate, mean or ratio)</th>
            <th>Spread (sd)</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(baselines).map(([kpi, b]) => (
            <tr key={kpi}>
              <td>{kpi}</td>
              <td>
                <input
                  type="number"
                  step="any"
                  aria-label={`Baseline of ${kpi}`}
                  value={b.value}
                  onChange={(e) => onChange(kpi, Number(e.target.value))}
                />
              </td>
              <td>{b.sd === undefined ? '–' : Number(b.sd.toPrecision(3))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
