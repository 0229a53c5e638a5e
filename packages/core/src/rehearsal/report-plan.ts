/** The plan and the history as the report shows them. */
import { planIndex } from '../decide/plan-index.js';
import type { Kpi, Plan } from '../plan/index.js';
import { formatShare } from '../plan/index.js';
import { DEFAULT_INTERVAL_STEP_MS, kpiBasis, readsPerInterval } from '../statistics/index.js';
import type { History } from './history.js';
import type { KpiSampler } from './kpi-sampler.js';
import type { ReportHistory, ReportPlan } from './rehearsal-report.js';
import { roundSignificant, roundTo } from './summary-stats.js';
import { prefixSums } from './window-sums.js';

/** The guard in the plan's own words, e.g. "max_increase 10%, max 2500". */
export function guardWords(kpi: Kpi): string {
  const g = kpi.guard;
  const parts: string[] = [];
  if (g.compare !== undefined) {
    const key = `max_${g.compare.bad}${g.compare.relative ? '' : '_abs'}`;
    parts.push(
      `${key} ${g.compare.relative ? formatShare(g.compare.margin) : String(g.compare.margin)}`,
    );
  }
  if (g.max !== undefined) parts.push(`max ${g.max}`);
  if (g.min !== undefined) parts.push(`min ${g.min}`);
  if (g.burn_rate !== undefined) parts.push(`burn_rate slo ${formatShare(g.burn_rate.slo)}`);
  return parts.join(', ');
}

/** The plan summary: phases and KPIs with the response decide() gives their breaches. */
export function reportPlan(plan: Plan): ReportPlan {
  const index = planIndex(plan);
  return {
    launch: plan.launch,
    control: plan.control,
    falseAlarmBudget: plan.analysis.false_alarm_rate,
    method: plan.analysis.method,
    phases: plan.phases.map((p) => ({
      name: p.name,
      traffic: p.traffic,
      minDurationMs: p.min_duration,
      minUnits: p.min_units,
      bakeMs: p.bake ?? null,
      signoff: p.signoff?.roles ?? [],
    })),
    kpis: index.kpis.map((e) => {
      const category =
        (['efficiency', 'user-impact', 'operational-health'] as const).find((c) =>
          plan.kpis[c].includes(e.kpi),
        ) ?? 'operational-health';
      return {
        name: e.name,
        kind: e.kpi.kind,
        category,
        guard: guardWords(e.kpi),
        response: e.response ?? 'notify',
        basis: kpiBasis(e.kpi),
        stepMs: readsPerInterval(e.kpi) ? (e.kpi.step ?? DEFAULT_INTERVAL_STEP_MS) : null,
      };
    }),
  };
}

/** Traffic and KPI levels of the history. */
export function reportHistory(
  history: History,
  samplers: readonly KpiSampler[],
  kind: 'history' | 'synthetic',
): ReportHistory {
  const perMinute = 60_000 / history.intervalMs;
  let min = Infinity;
  let max = -Infinity;
  for (const u of history.units) {
    if (u < min) min = u;
    if (u > max) max = u;
  }
  const total = prefixSums(history.units)[history.length] as number;
  return {
    source: history.source,
    kind,
    intervalMs: history.intervalMs,
    durationMs: history.length * history.intervalMs,
    unitsPerMinute: {
      mean: roundTo((total / history.length) * perMinute, 2),
      min: roundTo(min * perMinute, 2),
      max: roundTo(max * perMinute, 2),
    },
    kpis: samplers.map((s) => {
      const b = s.baseline();
      return {
        kpi: s.kpi.name,
        value: roundSignificant(b.value),
        sd: b.variance === null ? null : roundSignificant(Math.sqrt(b.variance)),
        logSd: b.logSd === null ? null : roundSignificant(b.logSd),
      };
    }),
  };
}
