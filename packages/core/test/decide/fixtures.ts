/** Plans, guard results and evidence for the decide() tests: real parsed plans, hand-built statistics. */
import { applyDecision, initialLaunchState, parsePlan } from '../../src/index.js';
import type {
  Approval,
  Decision,
  Evidence,
  GuardResult,
  LaunchState,
  Plan,
  SrmResult,
  Verdict,
} from '../../src/index.js';

export const H = 3_600_000;
export const M = 60_000;
export const T0 = Date.UTC(2025, 0, 6, 9);

/** A 4-phase plan that uses every rule: each KPI responds differently. */
export const RULES_YAML = `launch: rules
owner: team-owner
phases:
  - { name: canary, traffic: 1%, min_duration: 1h, min_units: 1000 }
  - { name: early, traffic: 10%, min_duration: 1h, min_units: 1000 }
  - { name: half, traffic: 50%, min_duration: 1h, min_units: 1000, signoff: { roles: [product], deadline: 2h } }
  - { name: full, traffic: 100%, min_duration: 1h, min_units: 1000, bake: 1d }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 10% }, on_breach: [rollback, { notify: oncall }] }
    - { name: latency, kind: quantile, q: 0.95, event: l, guard: { max_increase: 5% }, on_breach: pause }
    - { name: jank, kind: count, event: j, guard: { max_increase_abs: 0.1 }, on_breach: hold, on_insufficient: hold }
  user-impact:
    - { name: conversion, kind: occurrence, event: p, guard: { max_decrease: 2% }, on_breach: { ask: [product] }, on_insufficient: extend }
    - { name: revenue, kind: mean, event: r, guard: { max_decrease: 3% }, on_breach: [notify, { webhook: "https://hooks.example.com/launch" }], on_insufficient: { ask: [sre] } }
  efficiency:
    - { name: cpu, kind: mean, event: c, guard: { max_increase: 15% }, on_breach: hold }
risks:
  - { id: R1, title: Slow pages, likelihood: 3, impact: 3, owner: web, watch: [latency], contingency: [hold, { notify: web }] }
  - { id: R2, title: CPU leak, likelihood: 2, impact: 4, owner: sre, watch: [cpu], contingency: [rollback] }
signoff:
  roles: { product: 1, sre: { quorum: 2, deadline: 3h } }
  deadline: 1d
`;

/** Parse a plan or fail the test with its errors. */
export function plan(yaml: string): Plan {
  const r = parsePlan(yaml);
  if (!r.valid) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return r.plan;
}

/** The rules plan with some text replaced (each replacement must match). */
export function variant(...edits: [string, string][]): Plan {
  let yaml = RULES_YAML;
  for (const [from, to] of edits) {
    if (!yaml.includes(from)) throw new Error(`variant: "${from}" not in the plan`);
    yaml = yaml.replace(from, to);
  }
  return plan(yaml);
}

export const RULES = plan(RULES_YAML);

/** A guard result of a KPI with the given verdict. */
export function guard(kpi: string, verdict: Verdict, units = 5000, control = units): GuardResult {
  return {
    kpi,
    category: 'operational-health',
    kind: 'occurrence',
    verdict,
    reason:
      verdict === 'breach'
        ? `${kpi} is 14% worse than control (interval 8% to 20%, margin 10%).`
        : verdict === 'pass'
          ? `${kpi} is within its margin.`
          : `${kpi} needs more units.`,
    rule: verdict === 'insufficient-evidence' ? 'min-sample' : 'compare',
    estimate: { treatment: 0.114, control: control > 0 ? 0.1 : null },
    comparison: {
      bad: 'increase',
      relative: true,
      difference: verdict === 'insufficient-evidence' ? null : 0.14,
      interval: verdict === 'insufficient-evidence' ? null : [0.08, 0.2],
      margin: 0.1,
    },
    units: { treatment: units, control },
    alpha: { guard: 0.05 / 6, launch: 0.05 },
    method: 'asymptotic-confidence-sequence',
  };
}

export const HEALTHY: SrmResult = {
  healthy: true,
  pValue: 0.42,
  threshold: 0.001,
  observed: { treatment: 5000, control: 5000 },
  expectedShare: { treatment: 0.5, control: 0.5 },
  reason: 'the split matches the plan',
};

export const BROKEN: SrmResult = {
  healthy: false,
  pValue: 2e-7,
  threshold: 0.001,
  observed: { treatment: 5400, control: 4600 },
  expectedShare: { treatment: 0.5, control: 0.5 },
  reason: 'the split does not match the plan',
};

/** Options for {@link evidence}. */
export interface EvidenceOptions {
  /** Verdicts that differ from pass; `null` leaves the KPI out. */
  verdicts?: Record<string, Verdict | null>;
  units?: [number, number];
  srm?: SrmResult;
  approvals?: Approval[];
  /** Units and control of every guard result (for 100% without control). */
  guardUnits?: [number, number];
}

/** Evidence where every KPI of the plan passes unless told otherwise. */
export function evidence(p: Plan, o: EvidenceOptions = {}): Evidence {
  const names = [
    ...p.kpis.efficiency,
    ...p.kpis['user-impact'],
    ...p.kpis['operational-health'],
  ].map((k) => k.name);
  const [gt, gc] = o.guardUnits ?? [5000, 5000];
  const guards: GuardResult[] = [];
  for (const name of names) {
    const v = o.verdicts?.[name];
    if (v === null) continue;
    guards.push(guard(name, v ?? 'pass', gt, gc));
  }
  const [treatment, control] = o.units ?? [5000, 5000];
  return {
    guards,
    srm: o.srm ?? HEALTHY,
    units: { treatment, control },
    approvals: o.approvals ?? [],
  };
}

/** An approval (or rejection) of plan version 1. */
export function approval(
  role: string,
  phase: string,
  actor: string,
  at: number,
  extra: Partial<Approval> = {},
): Approval {
  return { role, phase, decision: 'approve', actor, planVersion: 1, at, ...extra };
}

/** A launch of plan version 1 started at T0 by "starter", in phase `index` since `since`. */
export function stateIn(
  p: Plan,
  index: number,
  since: number,
  extra: Partial<LaunchState> = {},
): LaunchState {
  const s = initialLaunchState(p, { planVersion: 1, now: T0, startedBy: 'starter' });
  if (index < 0) return { ...s, ...extra };
  const phase = p.phases[index];
  if (phase === undefined) throw new Error(`no phase ${index}`);
  const last = index === p.phases.length - 1;
  return {
    ...s,
    phaseIndex: index,
    phase: phase.name,
    traffic: phase.traffic,
    phaseStartedAt: since,
    bakeStartedAt: last && phase.bake !== undefined ? since : null,
    ...extra,
  };
}

/** Fold decisions into a state. */
export function replay(state: LaunchState, decisions: readonly Decision[]): LaunchState {
  return decisions.reduce(applyDecision, state);
}

/** A decision in a few words, for table expectations: "advance early", "hold srm", "notify oncall". */
export function brief(d: Decision): string {
  switch (d.type) {
    case 'advance':
      return `advance ${d.toPhase}`;
    case 'hold':
    case 'release-hold':
      return `${d.type} ${d.hold}`;
    case 'notify':
      return `notify ${d.to}`;
    case 'webhook':
      return `webhook ${d.url}`;
    case 'ask':
      return `ask ${d.roles.join(',')}`;
    case 'extend':
      return `extend ${d.kpi}`;
    case 'request-signoff':
      return `request-signoff ${d.forPhase}`;
    case 'signoff-expired':
      return `signoff-expired ${d.forPhase} ${d.role}`;
    default:
      return d.type;
  }
}
