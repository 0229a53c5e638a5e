/**
 * History informs plans (issue 18): with `--server`, `plan explain` reads what
 * the plan's past launches measured (GET /api/v1/plans/NAME/history), takes it
 * as the traffic profile — overridden by `--traffic` and `--baseline` — and
 * says what each phase detects on it, with the rehearsal's own MDE functions.
 */
import {
  changeWords,
  formatDuration,
  formatShare,
  parseBaseline,
  parseTrafficRate,
  profileDetection,
  sameKpi,
} from '@threshold/core';
import type { KpiBaseline, Plan, PhaseDetectableEffects } from '@threshold/core';
import { renderTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';

/** The server's answer (GET /api/v1/plans/NAME/history). */
export interface PlanHistoryAnswer {
  plan: string;
  version: number;
  launches: {
    id: string;
    planVersion: number;
    status: string;
    phase: string | null;
    unitsPerMinute: number | null;
  }[];
  unitsPerMinute: number | null;
  kpis: {
    kpi: string;
    kind: string;
    source: string;
    baseline: KpiBaseline | null;
    launches: number;
    values: number[];
    note: string | null;
  }[];
}

/** Where each number of the profile came from. */
export type Origin = 'history' | 'override' | 'default';

/** The history-based estimates `plan explain` shows. */
export interface HistoryEstimates {
  plan: string;
  launches: string[];
  unitsPerMinute: number | null;
  trafficFrom: Origin | null;
  kpis: {
    kpi: string;
    baseline: KpiBaseline | null;
    from: Origin;
    launches: number;
    values: number[];
    note: string | null;
  }[];
  /** Per phase and KPI, the harm caught with 80% power in the minimum duration; null without traffic. */
  detectable: PhaseDetectableEffects[] | null;
}

/** Combine the server's history with the overrides, and size the phases on it. */
export function historyEstimates(
  plan: Plan,
  answer: PlanHistoryAnswer,
  overrides: { traffic?: string; baselines: readonly string[] },
  command: string,
): HistoryEstimates {
  const local = Object.values(plan.kpis).flat();
  const over = new Map<string, KpiBaseline>();
  for (const spec of overrides.baselines) {
    const r = parseBaseline(spec, plan);
    if (!r.ok) throw new UsageError(`--baseline ${spec}: ${r.message}`, command);
    over.set(r.value.kpi, r.value.baseline);
  }
  let unitsPerMinute = answer.unitsPerMinute;
  let trafficFrom: Origin | null = unitsPerMinute === null ? null : 'history';
  if (overrides.traffic !== undefined) {
    const r = parseTrafficRate(overrides.traffic);
    if (!r.ok) throw new UsageError(`--traffic: ${r.message}`, command);
    unitsPerMinute = r.value;
    trafficFrom = 'override';
  }
  const kpis = local.map((k) => {
    // The same measurement only: a KPI renamed, re-kinded or moved to another source starts afresh.
    const past = answer.kpis.find((h) =>
      sameKpi(k, { name: h.kpi, kind: h.kind, source: h.source }),
    );
    const o = over.get(k.name);
    if (o !== undefined)
      return {
        kpi: k.name,
        baseline: o,
        from: 'override' as const,
        launches: past?.launches ?? 0,
        values: past?.values ?? [],
        note: null,
      };
    if (past?.baseline !== null && past?.baseline !== undefined)
      return {
        kpi: k.name,
        baseline: past.baseline,
        from: 'history' as const,
        launches: past.launches,
        values: past.values,
        note: null,
      };
    return {
      kpi: k.name,
      baseline: null,
      from: 'default' as const,
      launches: 0,
      values: [],
      note: past?.note ?? 'not measured by past launches (the KPI changed since)',
    };
  });
  const baselines: Record<string, KpiBaseline> = {};
  for (const k of kpis) if (k.baseline !== null) baselines[k.kpi] = k.baseline;
  return {
    plan: answer.plan,
    launches: answer.launches.map((l) => l.id),
    unitsPerMinute,
    trafficFrom,
    kpis,
    detectable:
      unitsPerMinute === null ? null : profileDetection(plan, { unitsPerMinute, baselines }),
  };
}

const number = (v: number) => String(Number(v.toPrecision(3)));

function baselineText(kind: string, b: KpiBaseline | null): string {
  if (b === null) return '—';
  const value = kind === 'occurrence' ? formatShare(b.value) : number(b.value);
  return b.sd === undefined ? value : `${value} ~${number(b.sd)}`;
}

/** The history section of `plan explain`, as lines. */
export function renderHistory(plan: Plan, h: HistoryEstimates): string[] {
  const kinds = new Map(
    Object.values(plan.kpis)
      .flat()
      .map((k) => [k.name, k.kind]),
  );
  const n = h.launches.length;
  const lines = [
    n === 0
      ? `History of ${h.plan}: no ended launch yet; estimates use ${h.trafficFrom === 'override' ? 'your --traffic' : 'nothing'}`
      : `History: based on the last ${n === 1 ? 'launch' : `${n} launches`} of ${h.plan} (${h.launches.join(', ')})`,
  ];
  lines.push(
    `  traffic: ${h.unitsPerMinute === null ? 'not measured (give --traffic N/min)' : `${number(h.unitsPerMinute)} units/min`}${h.trafficFrom === 'override' ? ' (--traffic)' : h.trafficFrom === 'history' ? ' (measured)' : ''}`,
  );
  const rows = [
    ['kpi', 'baseline', 'from', 'per launch'],
    ...h.kpis.map((k) => [
      k.kpi,
      baselineText(kinds.get(k.kpi) ?? '', k.baseline),
      k.from === 'history'
        ? `${k.launches} launch${k.launches === 1 ? '' : 'es'}`
        : k.from === 'override'
          ? '--baseline'
          : `default: ${k.note ?? ''}`,
      k.values.length === 0
        ? '—'
        : k.values.map((v) => baselineText(kinds.get(k.kpi) ?? '', { value: v })).join(', '),
    ]),
  ];
  lines.push(...renderTable(rows));
  if (h.detectable === null) return lines;
  lines.push(
    '  Detects with 80% power by the end of each minimum duration (override with --traffic, --baseline KPI=V~SD):',
  );
  for (const p of h.detectable) {
    const caught = p.kpis
      .filter((k) => k.mde !== null)
      .map((k) => `${k.kpi} ${changeWords(k.mde ?? 0, k.relative)}`);
    const where = `${p.phase} (${formatShare(p.traffic)} for ${formatDuration(p.minDurationMs)}, ~${p.unitsPerArm.toLocaleString('en')} units)`;
    lines.push(
      `    ${where}: ${caught.length === 0 ? 'no comparison it can size' : `detects ${caught.join(', ')}`}`,
    );
  }
  return lines;
}
