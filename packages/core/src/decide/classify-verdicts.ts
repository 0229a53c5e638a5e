/** The verdict of every KPI of the plan at one look: missing, unknown or thin results are never a pass. */
import type { GuardResult } from '../statistics/index.js';
import type { LookRun } from './look-run.js';
import type { KpiEntry } from './plan-index.js';

const EMPTY: number[] = [];

/** Verdicts of this look, per KPI of the plan (index order of planIndex). */
export interface Verdicts {
  results: (GuardResult | undefined)[];
  verdicts: ('pass' | 'breach' | 'insufficient-evidence' | 'not-comparable')[];
  pass: number;
  /** Every KPI in breach, advisory or not. */
  breach: number[];
  /** The KPIs of `breach` whose plan only notifies (KpiEntry.advisory): they do not block. */
  advisory: number[];
  insufficient: number[];
  notComparable: number[];
}
export /** Classify each KPI of the plan; lists stay a shared empty array until something lands in them. */
function classify(run: LookRun, kpis: KpiEntry[], controlCounted: boolean): Verdicts {
  const guards = run.guards;
  const n = kpis.length;
  const v: Verdicts = {
    results: new Array<GuardResult | undefined>(n),
    verdicts: new Array<Verdicts['verdicts'][number]>(n),
    pass: 0,
    breach: EMPTY,
    advisory: EMPTY,
    insufficient: EMPTY,
    notComparable: EMPTY,
  };
  // With one result per KPI in plan order (the usual case) each lookup is one comparison.
  const scanAll = guards.length > n;
  for (let i = 0; i < n; i++) {
    const kpi = kpis[i] as KpiEntry;
    const name = kpi.name;
    const r = scanAll ? worstResult(guards, name) : resultFor(guards, name, i);
    v.results[i] = r;
    const verdict = r === undefined ? 'insufficient-evidence' : verdictOf(r);
    if (verdict === 'pass') {
      v.verdicts[i] = 'pass';
      v.pass++;
    } else if (verdict === 'breach') {
      v.verdicts[i] = 'breach';
      if (v.breach === EMPTY) v.breach = [];
      v.breach.push(i);
      if (kpi.advisory) {
        if (v.advisory === EMPTY) v.advisory = [];
        v.advisory.push(i);
      }
    } else if (!controlCounted && r !== undefined && noControl(r)) {
      v.verdicts[i] = 'not-comparable';
      if (v.notComparable === EMPTY) v.notComparable = [];
      v.notComparable.push(i);
    } else {
      v.verdicts[i] = 'insufficient-evidence';
      if (v.insufficient === EMPTY) v.insufficient = [];
      v.insufficient.push(i);
    }
  }
  return v;
}

function resultFor(
  guards: readonly GuardResult[],
  name: string,
  i: number,
): GuardResult | undefined {
  // `kpi === name` (a string) is isResult's test too: each result's kpi read once
  // (results come in several shapes, so every read of them is a slow one).
  const at = guards[i];
  if (typeof at === 'object' && at !== null && at.kpi === name) return at;
  for (let j = 0; j < guards.length; j++) {
    const g = guards[j];
    if (typeof g === 'object' && g !== null && g.kpi === name) return g;
  }
  return undefined;
}

const RANK = { pass: 0, 'insufficient-evidence': 1, breach: 2 } as const;

/** With more results than KPIs (duplicates), the worst result counts. */
function worstResult(guards: readonly GuardResult[], name: string): GuardResult | undefined {
  let worst: GuardResult | undefined;
  for (const g of guards)
    if (
      isResult(g) &&
      g.kpi === name &&
      (worst === undefined || RANK[verdictOf(g)] > RANK[verdictOf(worst)])
    )
      worst = g;
  return worst;
}

function isResult(g: unknown): g is GuardResult {
  return typeof g === 'object' && g !== null && typeof (g as GuardResult).kpi === 'string';
}

/** An unknown verdict is never a pass. */
export function verdictOf(g: GuardResult): 'pass' | 'breach' | 'insufficient-evidence' {
  const v = g.verdict;
  return v === 'pass' || v === 'breach' ? v : 'insufficient-evidence';
}

/**
 * A comparison with treatment data that lacks only the control arm (at 100% neither
 * 'rest' nor a holdout has one). One naming a baseline it could not read is
 * insufficient evidence instead: there was something to check against.
 */
function noControl(r: GuardResult): boolean {
  return (
    r.comparison !== undefined &&
    r.comparison !== null &&
    r.comparison.baseline === undefined &&
    r.units?.treatment > 0 &&
    !(r.units.control > 0)
  );
}
