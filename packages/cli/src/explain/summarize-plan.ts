/**
 * The summary `plan explain` prints, computed from a parsed plan. Pure: no I/O,
 * so the numbers people rely on (time to 100%, the risk grid, who signs what)
 * are unit-tested directly.
 */
import {
  IMPACT_WORDS,
  KPI_CATEGORIES,
  LIKELIHOOD_WORDS,
  baselinePhase,
  falseAlarmSplit,
  describeAutomatedCheck,
  formatAudienceConstraint,
  formatDuration,
  formatShare,
  kpiBasis,
  plannedSplit,
  actionsInWords,
  guardInWords,
  insufficientInWords,
  kindInWords,
  sourceInWords,
  basisInWords,
} from '@threshold/core';
import type { Action, Guard, InsufficientEvidenceAction, Phase, Plan, Risk } from '@threshold/core';

export interface PhaseSummary {
  name: string;
  traffic: number;
  trafficText: string;
  minDurationMs: number;
  minDurationText: string;
  minUnits: number;
  /** Audience constraints in text form; [] is everyone. */
  audience: string[];
  signoff: { roles: string[]; deadlineMs: number | null; deadlineText: string | null } | null;
  bakeMs: number | null;
  bakeText: string | null;
}

export interface Timeline {
  /** The first phase at 100% (the last phase of a valid plan). */
  fullPhase: string | null;
  /** Sum of min_duration of the phases before the 100% phase. */
  minTimeToFullMs: number;
  minTimeToFullText: string;
  /** Bake of the 100% phase (0 when none). */
  bakeMs: number;
  /** minTimeToFull + bake: the earliest the launch can count as fully live. */
  fullyLiveAfterMs: number;
  fullyLiveAfterText: string;
  /** Whether some phase waits for sign-off: that time comes on top. */
  signoffWaits: boolean;
}

export interface KpiSummary {
  category: string;
  name: string;
  description: string | null;
  kind: string;
  kindText: string;
  source: string;
  sourceText: string;
  /** What one sample is (ADR 0015): per-unit, per-interval, per-interval-limit or request-counts. */
  basis: string;
  /** The basis in words; null for per-unit (events) KPIs. */
  basisText: string | null;
  guard: Guard;
  guardText: string;
  onBreach: Action[];
  onBreachText: string;
  onInsufficient: InsufficientEvidenceAction;
  onInsufficientText: string;
  windowMs: number | null;
  windowText: string | null;
}

export interface RiskGridCell {
  impact: number;
  score: number;
  risks: string[];
}

export interface RiskGridRow {
  likelihood: number;
  word: string;
  cells: RiskGridCell[];
}

/** The 5×5 likelihood × impact grid: rows likelihood 5→1, columns impact 1→5. */
export interface RiskGrid {
  impacts: { impact: number; word: string }[];
  rows: RiskGridRow[];
}

export interface RiskSummary {
  id: string;
  title: string;
  likelihood: number;
  likelihoodWord: string;
  impact: number;
  impactWord: string;
  score: number;
  owner: string;
  watch: string[];
  contingency: Action[];
  contingencyText: string;
  mitigation: string | null;
}

export interface SignoffRoleSummary {
  role: string;
  quorum: number;
  /** The role's own deadline, else the policy's; null for none. */
  deadlineText: string | null;
  /** Phases that need this role's approval before they start. */
  phases: string[];
  /** Where a KPI or risk action asks this role, e.g. "KPI conversion on breach". */
  askedBy: string[];
}

export interface SignoffSummary {
  policy: {
    allowSelfApproval: boolean;
    resetOnEdit: boolean;
    deadlineText: string | null;
    onDeadline: 'hold' | 'rollback';
  } | null;
  roles: SignoffRoleSummary[];
}

export interface ReadinessSummary {
  items: {
    check: string;
    owner: string;
    blocking: boolean;
    evidence: string | null;
    /** An automated check's probe (GET url, passing on status). */
    probe: { url: string; status: number } | null;
    /** How an automated check (probe, query, ci) is checked; null when attested. */
    automated: string | null;
  }[];
  blocking: number;
  advisory: number;
  /** Blocking checks whose plan says nowhere where their evidence lives (attestation still decides). */
  blockingWithoutEvidence: number;
  /** Blocking checks their owner must attest before a start (the others are automated). */
  blockingAttested: number;
  /** Blocking automated checks (probe, query, ci) asked before the start and at every look. */
  blockingProbed: number;
}

export interface PlanSummary {
  launch: string;
  flag: string;
  owner: string;
  class: string;
  unit: string;
  control: 'rest' | 'holdout';
  /** The router that moves the traffic instead of the SDKs, or null. */
  router: { name: string; service: string; treatment: string; control: string } | null;
  description: string | null;
  hashVersion: number;
  analysis: {
    falseAlarmRate: number;
    falseAlarmRateText: string;
    /** How the launch's budget is split: over phases and KPIs, each KPI's share per phase. */
    budget: { phases: number; kpis: number; guard: number; text: string };
    method: string;
    srmPValue: number;
  };
  /** What the phase at 100% (and its bake) checks, without a control arm of its own. */
  fullPhaseChecks: string | null;
  phases: PhaseSummary[];
  timeline: Timeline;
  kpis: { category: string; kpis: KpiSummary[] }[];
  riskGrid: RiskGrid;
  risks: RiskSummary[];
  signoff: SignoffSummary;
  readiness: ReadinessSummary;
}

const durationText = (ms: number | undefined): string | null =>
  ms === undefined ? null : formatDuration(ms);

/** Minimum time to 100% and to fully live; sign-off waits are not counted (they are unknown). */
export function timeline(
  phases: readonly Pick<Phase, 'name' | 'traffic' | 'min_duration' | 'bake' | 'signoff'>[],
): Timeline {
  const fullIndex = phases.findIndex((p) => p.traffic >= 1);
  const before = fullIndex === -1 ? phases : phases.slice(0, fullIndex);
  const minTimeToFullMs = before.reduce((sum, p) => sum + p.min_duration, 0);
  const full = fullIndex === -1 ? undefined : phases[fullIndex];
  const bakeMs = full?.bake ?? 0;
  return {
    fullPhase: full?.name ?? null,
    minTimeToFullMs,
    minTimeToFullText: formatDuration(minTimeToFullMs),
    bakeMs,
    fullyLiveAfterMs: minTimeToFullMs + bakeMs,
    fullyLiveAfterText: formatDuration(minTimeToFullMs + bakeMs),
    signoffWaits: phases.some((p) => p.signoff !== undefined),
  };
}

/** Place risks on the 5×5 grid; a cell lists its risks in plan order. */
export function riskGrid(risks: readonly Pick<Risk, 'id' | 'likelihood' | 'impact'>[]): RiskGrid {
  const impacts = IMPACT_WORDS.map((word, i) => ({ impact: i + 1, word }));
  const rows: RiskGridRow[] = [];
  for (let likelihood = 5; likelihood >= 1; likelihood--) {
    rows.push({
      likelihood,
      word: LIKELIHOOD_WORDS[likelihood - 1] ?? String(likelihood),
      cells: impacts.map(({ impact }) => ({
        impact,
        score: likelihood * impact,
        risks: risks
          .filter((r) => r.likelihood === likelihood && r.impact === impact)
          .map((r) => r.id),
      })),
    });
  }
  return { impacts, rows };
}

/** The risk register, highest score first (plan order among equals). */
export function riskRegister(risks: readonly Risk[]): RiskSummary[] {
  return risks
    .map((r) => ({
      id: r.id,
      title: r.title,
      likelihood: r.likelihood,
      likelihoodWord: LIKELIHOOD_WORDS[r.likelihood - 1] ?? '',
      impact: r.impact,
      impactWord: IMPACT_WORDS[r.impact - 1] ?? '',
      score: r.likelihood * r.impact,
      owner: r.owner,
      watch: r.watch,
      contingency: r.contingency,
      contingencyText: actionsInWords(r.contingency),
      mitigation: r.mitigation ?? null,
    }))
    .sort((a, b) => b.score - a.score);
}

/** Who must sign what: each policy role with its quorum, the phases it gates and the actions that ask it. */
export function signoffSummary(
  plan: Pick<Plan, 'signoff' | 'phases' | 'kpis' | 'risks'>,
): SignoffSummary {
  const policy = plan.signoff;
  const phasesOf = new Map<string, string[]>();
  const asksOf = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, role: string, what: string) => {
    const list = map.get(role) ?? [];
    if (!list.includes(what)) list.push(what);
    map.set(role, list);
  };
  for (const phase of plan.phases) {
    for (const role of phase.signoff?.roles ?? []) add(phasesOf, role, phase.name);
  }
  for (const category of KPI_CATEGORIES) {
    for (const kpi of plan.kpis[category]) {
      for (const a of kpi.on_breach) {
        if (a.type === 'ask')
          for (const role of a.roles) add(asksOf, role, `KPI ${kpi.name} on breach`);
      }
      if (kpi.on_insufficient.type === 'ask') {
        for (const role of kpi.on_insufficient.roles) {
          add(asksOf, role, `KPI ${kpi.name} without evidence`);
        }
      }
    }
  }
  for (const risk of plan.risks) {
    for (const a of risk.contingency) {
      if (a.type === 'ask') for (const role of a.roles) add(asksOf, role, `risk ${risk.id}`);
    }
  }
  if (policy === undefined) return { policy: null, roles: [] };
  return {
    policy: {
      allowSelfApproval: policy.allow_self_approval,
      resetOnEdit: policy.reset_on_edit,
      deadlineText: durationText(policy.deadline),
      onDeadline: policy.on_deadline,
    },
    roles: Object.entries(policy.roles).map(([role, q]) => ({
      role,
      quorum: q.quorum,
      deadlineText: durationText(q.deadline ?? policy.deadline),
      phases: phasesOf.get(role) ?? [],
      askedBy: asksOf.get(role) ?? [],
    })),
  };
}

/** The split of the false alarm budget, as the guards use it (core's falseAlarmSplit). */
function budgetOf(plan: Plan): PlanSummary['analysis']['budget'] {
  const split = falseAlarmSplit(plan);
  const windowed = KPI_CATEGORIES.some((c) => plan.kpis[c].some((k) => k.window !== undefined));
  const text = `${formatShare(split.launch)} for the whole launch: ${formatShare(split.guard)} per KPI per phase (${split.phases} ${split.phases === 1 ? 'phase' : 'phases'} × ${split.kpis} statistical ${split.kpis === 1 ? 'KPI' : 'KPIs'})${windowed ? '; a windowed KPI spends its share over its consecutive windows (61% the first, 15% the second, …)' : ''}`;
  return { phases: split.phases, kpis: split.kpis, guard: split.guard, text };
}

/** What the phase without a control arm (100%, bake included) checks, in words; null when every phase has one. */
function fullPhaseChecks(plan: Plan): string | null {
  const index = plan.phases.findIndex((p) => !(plannedSplit(plan, p.traffic).control > 0));
  const phase = plan.phases[index];
  if (phase === undefined) return null;
  const kpis = KPI_CATEGORIES.flatMap((c) => plan.kpis[c]);
  const compared = kpis.filter((k) => k.guard.compare !== undefined).length;
  const limited = kpis.filter(
    (k) =>
      k.guard.max !== undefined || k.guard.min !== undefined || k.guard.burn_rate !== undefined,
  ).length;
  const from = baselinePhase(plan, index);
  const what = `${phase.name} (${formatShare(phase.traffic)}${phase.bake === undefined ? '' : `, bake ${formatDuration(phase.bake)}`}) has no control arm`;
  const parts: string[] = [];
  if (compared > 0)
    parts.push(
      from === undefined
        ? `${compared} comparison${compared === 1 ? '' : 's'} cannot be checked (no earlier phase has a control arm)`
        : `${compared} comparison${compared === 1 ? '' : 's'} against the control arm of ${from.name}, the baseline (a fixed earlier sample: a change over time between the phases counts as a change)`,
    );
  if (limited > 0)
    parts.push(
      `${limited} hard limit${limited === 1 ? '' : 's'} or burn rate${limited === 1 ? '' : 's'} on treatment alone`,
    );
  return `${what}: it checks ${parts.length > 0 ? parts.join(', and ') : 'nothing'}`;
}

/** Summarize a parsed (valid) plan for `plan explain`. */
export function summarizePlan(plan: Plan): PlanSummary {
  const readinessItems = plan.readiness.map((r) => ({
    check: r.check,
    owner: r.owner,
    blocking: r.blocking,
    evidence: r.evidence ?? null,
    probe: r.probe === undefined ? null : { url: r.probe.url, status: r.probe.status },
    automated: describeAutomatedCheck(r),
  }));
  return {
    launch: plan.launch,
    flag: plan.flag,
    owner: plan.owner,
    class: plan.class,
    unit: plan.unit,
    control: plan.control,
    router:
      plan.router === undefined
        ? null
        : {
            name: plan.router.name,
            service: plan.router.service,
            treatment: plan.router.arms.treatment,
            control: plan.router.arms.control,
          },
    description: plan.description?.trim() ?? null,
    hashVersion: plan.hash_version,
    analysis: {
      falseAlarmRate: plan.analysis.false_alarm_rate,
      falseAlarmRateText: formatShare(plan.analysis.false_alarm_rate),
      budget: budgetOf(plan),
      method: plan.analysis.method,
      srmPValue: plan.analysis.srm_p_value,
    },
    fullPhaseChecks: fullPhaseChecks(plan),
    phases: plan.phases.map((p) => ({
      name: p.name,
      traffic: p.traffic,
      trafficText: formatShare(p.traffic),
      minDurationMs: p.min_duration,
      minDurationText: formatDuration(p.min_duration),
      minUnits: p.min_units,
      audience: p.audience.map(formatAudienceConstraint),
      signoff:
        p.signoff === undefined
          ? null
          : {
              roles: p.signoff.roles,
              deadlineMs: p.signoff.deadline ?? null,
              deadlineText: durationText(p.signoff.deadline),
            },
      bakeMs: p.bake ?? null,
      bakeText: durationText(p.bake),
    })),
    timeline: timeline(plan.phases),
    kpis: KPI_CATEGORIES.map((category) => ({
      category,
      kpis: plan.kpis[category].map((k): KpiSummary => ({
        category,
        name: k.name,
        description: k.description ?? null,
        kind: k.kind,
        kindText: kindInWords(k),
        source: k.source,
        sourceText: sourceInWords(k),
        basis: kpiBasis(k),
        basisText: basisInWords(k),
        guard: k.guard,
        guardText: guardInWords(k.guard),
        onBreach: k.on_breach,
        onBreachText: actionsInWords(k.on_breach),
        onInsufficient: k.on_insufficient,
        onInsufficientText: insufficientInWords(k.on_insufficient),
        windowMs: k.window ?? null,
        windowText: durationText(k.window),
      })),
    })),
    riskGrid: riskGrid(plan.risks),
    risks: riskRegister(plan.risks),
    signoff: signoffSummary(plan),
    readiness: {
      items: readinessItems,
      blocking: readinessItems.filter((r) => r.blocking).length,
      advisory: readinessItems.filter((r) => !r.blocking).length,
      blockingAttested: readinessItems.filter((r) => r.blocking && r.automated === null).length,
      blockingProbed: readinessItems.filter((r) => r.blocking && r.automated !== null).length,
      blockingWithoutEvidence: readinessItems.filter((r) => r.blocking && r.evidence === null)
        .length,
    },
  };
}
