/**
 * The KPI matrix at the latest look: category, KPI, the guard in words, the
 * estimates, the difference with its interval against the margin, and the
 * verdict (word, symbol, shape and colour).
 */
import { KPI_CATEGORIES } from '../format/plan-constants.js';
import type { GuardResult, Kpi, Plan } from '@threshold/core';
import type { LookKpi, LookRecord } from '../api/api-types.js';
import { formatDifference, formatInterval, formatValue } from '../format/numbers.js';
import { actionsInWords, guardInWords, kindInWords } from '../format/plan-words.js';
import { VerdictBadge } from './verdict-badge.js';

const v = (x: number | null) => (x === null ? 'n/a' : formatValue(x));

/**
 * KPIs a look could not compare because there is no control arm (100% traffic
 * with control 'rest'): core accepts them for completion, judged in earlier phases.
 */
export function notComparableOf(look: LookRecord | undefined): string[] {
  if (look === undefined) return [];
  const guards = look.conditions.find((c) => c.id === 'guards');
  if (guards?.id === 'guards') return guards.notComparable;
  // Terminal looks list no conditions: a comparison at 100% with no control units is the same case.
  return look.traffic >= 1
    ? look.kpis.filter((k) => k.bad !== null && k.units.control === 0).map((k) => k.kpi)
    : [];
}

/** A decision's guard result in the look's compact form (as the controller records looks). */
export function lookKpiOfGuard(g: GuardResult): LookKpi {
  const c = g.comparison;
  const finite = (x: number | null | undefined) =>
    typeof x === 'number' && Number.isFinite(x) ? x : null;
  const interval = c?.interval ?? g.limit?.interval ?? null;
  return {
    kpi: g.kpi,
    category: g.category,
    verdict: g.verdict,
    reason: g.reason,
    estimate: g.estimate,
    difference: finite(c?.difference),
    interval: interval === null ? null : [finite(interval[0]), finite(interval[1])],
    threshold:
      c === undefined
        ? (g.limit?.max ?? g.limit?.min ?? null)
        : finite(c.threshold ?? (c.bad === 'increase' ? c.margin : -c.margin)),
    relative: c === undefined ? null : c.relative,
    bad: c === undefined ? null : c.bad,
    units: g.units,
  };
}

export function KpiMatrix({
  plan,
  kpis,
  notComparable = [],
}: {
  plan: Plan;
  kpis: readonly LookKpi[];
  notComparable?: readonly string[];
}) {
  const byName = new Map(kpis.map((k) => [k.kpi, k]));
  const rows: { category: string; kpi: Kpi }[] = KPI_CATEGORIES.flatMap((category) =>
    plan.kpis[category].map((kpi) => ({ category, kpi })),
  );
  return (
    <table className="kpi-matrix">
      <thead>
        <tr>
          <th>Category</th>
          <th>KPI</th>
          <th>Guard</th>
          <th className="num">Treatment</th>
          <th className="num">Control</th>
          <th>Difference and interval vs margin</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ category, kpi }) => {
          const look = byName.get(kpi.name);
          const relative = look?.relative ?? true;
          return (
            <tr key={kpi.name} data-kpi={kpi.name}>
              <td>{category}</td>
              <td>
                <strong>{kpi.name}</strong>
                <div className="muted small">{kindInWords(kpi)}</div>
              </td>
              <td>
                {guardInWords(kpi.guard)}
                <div className="muted small">on breach: {actionsInWords(kpi.on_breach)}</div>
              </td>
              <td className="num">{look === undefined ? '—' : v(look.estimate.treatment)}</td>
              <td className="num">{look === undefined ? '—' : v(look.estimate.control)}</td>
              <td>
                {look === undefined ? (
                  <span className="muted">no look yet</span>
                ) : notComparable.includes(kpi.name) ? (
                  <span className="muted">no control arm at 100%: judged in the phases before</span>
                ) : look.bad === null ? (
                  <>
                    treatment interval {formatInterval(look.interval, false)}
                    {look.threshold === null ? '' : `, limit ${formatValue(look.threshold)}`}
                  </>
                ) : (
                  <>
                    {formatDifference(look.difference, relative)} <span className="muted">in</span>{' '}
                    {formatInterval(look.interval, relative)}
                    <div className="muted small">
                      margin {formatDifference(look.threshold, relative)} ({look.bad} is bad)
                    </div>
                  </>
                )}
              </td>
              <td>
                {look === undefined ? null : notComparable.includes(kpi.name) ? (
                  <span className="chip">not comparable</span>
                ) : (
                  <VerdictBadge verdict={look.verdict} />
                )}
                {look === undefined ? null : <div className="muted small">{look.reason}</div>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
