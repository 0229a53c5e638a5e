/**
 * What decide() needs from a plan, worked out once per plan object: the KPI
 * list with each KPI's breach response merged with its risks' contingencies.
 * Cached in a WeakMap because the rehearsal calls decide() millions of times
 * with the same plan; plans are treated as immutable.
 */
import type { Action, Kpi, Plan, Risk } from '../plan/index.js';
import { KPI_CATEGORIES, formatShare } from '../plan/index.js';
import type { AppliedRisk } from './decision.js';
import { roughDuration } from './format.js';

/** State changes a breach can make, most severe first. */
export type BreachResponse = 'rollback' | 'pause' | 'hold' | 'ask';

const SEVERITY: Record<BreachResponse, number> = { rollback: 4, pause: 3, hold: 2, ask: 1 };

/** A notify or webhook a breach fires, deduplicated by target. */
export interface SideEffect {
  type: 'notify' | 'webhook';
  /** Recipient (notify) or URL (webhook). */
  target: string;
  rule: 'guard-breach' | 'risk-contingency';
  /** Key without the phase prefix: `:<rule>:<kpi>:<target>`. */
  keySuffix: string;
}

/** One KPI with its breach response worked out. */
export interface KpiEntry {
  name: string;
  kpi: Kpi;
  /** Most severe state change of on_breach and the watching risks' contingencies, if any. */
  response: BreachResponse | null;
  /** Whether that response came from the KPI's own on_breach or from a risk. */
  responseRule: 'guard-breach' | 'risk-contingency';
  /** The risk whose contingency gave the response (null when it came from on_breach). */
  responseRisk: AppliedRisk | null;
  /** Roles to ask when the response is ask (all asks of that source merged, in order). */
  askRoles: string[];
  sideEffects: SideEffect[];
  /**
   * Advisory: the combined response changes no state (no rollback, pause,
   * hold or ask) but does notify or call a webhook. Its breach fires those
   * side effects and does not block advancing or completing. A KPI with no
   * breach action at all is not advisory: a breach nobody hears of blocks.
   */
  advisory: boolean;
  /** Risks watching the KPI. */
  risks: AppliedRisk[];
}

/** A phase's numbers as status lines show them, formatted once. */
export interface PhaseText {
  share: string;
  minDuration: string;
  bake: string;
}

/** The precomputed view of a plan. */
export interface PlanIndex {
  kpis: KpiEntry[];
  /** Per phase, in plan order. */
  phaseTexts: PhaseText[];
  /** KPI name -> position in `kpis`. */
  positions: Record<string, number>;
}

const cache = new WeakMap<Plan, PlanIndex>();

/** The index of a plan (computed once per plan object). */
export function planIndex(plan: Plan): PlanIndex {
  let index = cache.get(plan);
  if (index === undefined) {
    index = buildIndex(plan);
    cache.set(plan, index);
  }
  return index;
}

function buildIndex(plan: Plan): PlanIndex {
  const kpis: KpiEntry[] = [];
  const positions: Record<string, number> = Object.create(null) as Record<string, number>;
  const risks: Risk[] = Array.isArray(plan.risks) ? plan.risks : [];
  for (const category of KPI_CATEGORIES) {
    for (const kpi of plan.kpis?.[category] ?? []) {
      const watching = risks.filter((r) => r.watch.includes(kpi.name));
      positions[kpi.name] = kpis.length;
      kpis.push(entry(plan, kpi, watching));
    }
  }
  const phaseTexts = (Array.isArray(plan.phases) ? plan.phases : []).map((p) => ({
    share: formatShare(p.traffic),
    minDuration: roughDuration(p.min_duration),
    bake: p.bake === undefined ? '' : roughDuration(p.bake),
  }));
  return { kpis, positions, phaseTexts };
}

function entry(plan: Plan, kpi: Kpi, watching: Risk[]): KpiEntry {
  const applied = watching.map((r) => ({
    id: r.id,
    title: r.title,
    owner: r.owner,
    contingency: r.contingency,
  }));
  const sources: {
    rule: 'guard-breach' | 'risk-contingency';
    risk: AppliedRisk | null;
    actions: Action[];
  }[] = [
    { rule: 'guard-breach', risk: null, actions: kpi.on_breach },
    ...applied.map((r) => ({
      rule: 'risk-contingency' as const,
      risk: r,
      actions: r.contingency,
    })),
  ];
  let response: BreachResponse | null = null;
  let responseRule: 'guard-breach' | 'risk-contingency' = 'guard-breach';
  let responseRisk: AppliedRisk | null = null;
  const sideEffects: SideEffect[] = [];
  for (const source of sources) {
    for (const action of source.actions) {
      if (action.type === 'notify' || action.type === 'webhook') {
        const targets =
          action.type === 'webhook'
            ? [action.url]
            : action.to.length > 0
              ? action.to
              : [plan.owner];
        for (const target of targets) {
          if (sideEffects.some((s) => s.type === action.type && s.target === target)) continue;
          sideEffects.push({
            type: action.type,
            target,
            rule: source.rule,
            keySuffix: `:${source.rule}:${kpi.name}:${target}`,
          });
        }
        continue;
      }
      // The KPI's own action wins a tie with a risk's: it is listed first.
      if (response === null || SEVERITY[action.type] > SEVERITY[response]) {
        response = action.type;
        responseRule = source.rule;
        responseRisk = source.risk;
      }
    }
  }
  const askRoles: string[] = [];
  if (response === 'ask') {
    for (const source of sources)
      for (const action of source.actions)
        if (action.type === 'ask')
          for (const role of action.roles) if (!askRoles.includes(role)) askRoles.push(role);
  }
  return {
    name: kpi.name,
    kpi,
    response,
    responseRule,
    responseRisk,
    askRoles,
    sideEffects,
    advisory: response === null && sideEffects.length > 0,
    risks: applied,
  };
}
