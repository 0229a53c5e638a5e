/** The look: where the launch stands after this look's decisions, each condition, and one line saying why. */
import { formatShare } from '../plan/index.js';
import type { Phase } from '../plan/index.js';
import type { SrmResult } from '../statistics/index.js';
import { formatCounts } from './count-signoff.js';
import type { SignoffCount } from './decision.js';
import { formatCount, formatP, roughDuration } from './format.js';
import type { LaunchState } from './launch-state.js';
import type { Condition, Look, LookState } from './look.js';
import type { LookRun } from './look-run.js';
import type { PhaseText } from './plan-index.js';
import type { TimeRuleVerdict } from './time-rules.js';
import { decisionCause } from '../standing/decision-cause.js';

/** What decide() found in a phase, for the look. */
export interface PhaseFacts {
  kind: 'phase';
  phase: Phase;
  /** The phase's numbers, formatted once per plan. */
  text: PhaseText | undefined;
  next: Phase | null;
  elapsed: number;
  units: { treatment: number; control: number };
  controlCounted: boolean;
  kpiCount: number;
  names: readonly { name: string }[];
  /** Every KPI in breach, advisory or not. */
  breach: number[];
  /** The advisory ones among them (the plan only notifies): they do not block. */
  advisory: number[];
  /** When this look advances or completes despite advisory breaches: those breaches in words; else ''. */
  advisoryNote: string;
  insufficient: number[];
  notComparable: number[];
  srm: SrmResult | null;
  unanswered: readonly string[];
  askCounts: readonly SignoffCount[];
  count: SignoffCount | null;
  durationMet: boolean;
  unitsMet: boolean;
  guardsMet: boolean;
  srmHealthy: boolean;
  bakeElapsed: number;
  /** The environment's time rules now, or null when it has none. */
  timeRule: TimeRuleVerdict | null;
}

/** What decide() found before the first phase. */
export interface PreStartFacts {
  kind: 'pre-start';
  count: SignoffCount;
  timeRule: TimeRuleVerdict | null;
  /** The scheduled start still ahead (ms), or null. */
  scheduled: number | null;
}

/** Facts for a look; null for terminal looks. */
export type LookFacts = PhaseFacts | PreStartFacts;

/** Build the look after this look's decisions. */
export function buildLook(run: LookRun, facts: LookFacts | null): Look {
  const { state, plan } = run;
  let traffic = state.traffic;
  let advancedTo: { index: number; name: string; traffic: number } | null = null;
  let ended: string | null = null;
  for (const d of run.decisions) {
    if (d.type === 'advance') {
      traffic = d.traffic;
      advancedTo = { index: d.to, name: d.toPhase, traffic: d.traffic };
    } else if (d.type === 'rollback') {
      traffic = 0;
      // The cause without the action ("… rolling back to 0%" after "rolled back" said it twice).
      const c = decisionCause(d, 'controller');
      ended = `rolled back to 0%${c.by === '' ? '' : ` by ${c.by}`}${c.why === '' ? '' : `: ${c.why}`}`;
    } else if (d.type === 'complete')
      ended = d.reason.startsWith('completed') ? d.reason : `completed: ${d.reason}`;
  }
  const status = run.status;
  const look: Look = {
    at: run.now,
    status,
    state: 'waiting',
    summary: '',
    phase: state.phase,
    phaseIndex: state.phaseIndex,
    traffic,
    next: null,
    conditions: [],
  };
  if (status === 'rolled-back' || status === 'completed' || facts === null) {
    look.state = status === 'completed' ? 'completed' : 'rolled-back';
    if (run.summarize)
      look.summary =
        ended ?? (status === 'completed' ? 'completed: fully live' : 'rolled back: traffic is 0%');
    return look;
  }

  const nextIndex = state.phaseIndex + 1;
  const nextPhase = plan.phases[nextIndex];
  if (nextPhase !== undefined)
    look.next = { phaseIndex: nextIndex, phase: nextPhase.name, traffic: nextPhase.traffic };
  if (!run.explain) {
    look.state = briefState(run, facts, advancedTo !== null);
    return look;
  }
  const holdsMet = run.holds.length === 0;
  const conditions: Condition[] = [
    { id: 'running', met: status === 'running', status },
    { id: 'no-holds', met: holdsMet, holds: run.holds },
  ];
  look.conditions = conditions;

  if (facts.kind === 'pre-start') {
    conditions.push({
      id: 'signoff',
      met: facts.count.met,
      phase: facts.count.phase,
      roles: facts.count.roles,
    });
    pushTimeRule(conditions, facts.timeRule);
    if (!run.summarize) {
      look.state = briefState(run, facts, advancedTo !== null);
      return look;
    }
    const blocked = blockedBy(run, state);
    if (advancedTo !== null) {
      look.state = 'advancing';
      look.summary = `ready: starting ${advancedTo.name} at ${formatShare(advancedTo.traffic)}`;
    } else if (blocked !== null) {
      look.state = blocked.state;
      look.summary = blocked.summary;
    } else if (facts.count.met && facts.scheduled !== null) {
      look.state = 'waiting';
      look.summary = `scheduled: starts ${facts.count.phase} at ${new Date(facts.scheduled).toISOString()}`;
    } else if (facts.count.met && facts.timeRule !== null && !facts.timeRule.open) {
      look.state = 'waiting';
      look.summary = `waiting to start ${facts.count.phase}: ${facts.timeRule.reason}`;
    } else {
      look.state = 'waiting-for-signoff';
      look.summary = `waiting for sign-off to start ${facts.count.phase}: ${signoffText(facts.count)}`;
    }
    return look;
  }

  const f = facts;
  const last = f.next === null;
  const breach = namesOf(f, f.breach, f.advisory);
  const advisory = namesOf(f, f.advisory, null);
  const insufficient = namesOf(f, f.insufficient, null);
  const notComparable = namesOf(f, f.notComparable, null);
  conditions.push(
    { id: 'no-asks', met: f.unanswered.length === 0, asks: f.unanswered.slice() },
    {
      id: 'min-duration',
      met: f.durationMet,
      elapsedMs: f.elapsed,
      requiredMs: f.phase.min_duration,
    },
    {
      id: 'min-units',
      met: f.unitsMet,
      treatment: f.units.treatment,
      control: f.units.control,
      required: f.phase.min_units,
      controlCounted: f.controlCounted,
    },
    {
      id: 'guards',
      met: f.guardsMet,
      total: f.kpiCount,
      breach,
      advisory,
      insufficient,
      notComparable,
    },
    {
      id: 'srm',
      met: f.srmHealthy,
      pValue: f.srm?.pValue ?? Number.NaN,
      threshold: f.srm?.threshold ?? plan.analysis?.srm_p_value ?? 0.001,
    },
  );
  if (f.count !== null)
    conditions.push({
      id: 'signoff',
      met: f.count.met,
      phase: f.count.phase,
      roles: f.count.roles,
    });
  if (last && f.phase.bake !== undefined)
    conditions.push({
      id: 'bake',
      met: f.bakeElapsed >= f.phase.bake,
      elapsedMs: f.bakeElapsed,
      requiredMs: f.phase.bake,
    });
  pushTimeRule(conditions, f.timeRule);

  if (!run.summarize) {
    look.state = briefState(run, facts, advancedTo !== null);
    return look;
  }
  if (advancedTo !== null) {
    look.state = 'advancing';
    look.summary = `ready: advancing to ${advancedTo.name} at ${formatShare(advancedTo.traffic)}${f.advisoryNote === '' ? '' : `; ${f.advisoryNote} — advancing anyway`}`;
    return look;
  }
  const blocked = blockedBy(run, state);
  if (blocked !== null) {
    look.state = blocked.state;
    look.summary = blocked.summary;
    return look;
  }
  const firstAsk = f.askCounts[0];
  if (f.unanswered.length > 0) {
    look.state = 'asking';
    look.summary =
      firstAsk === undefined
        ? `waiting for sign-off: ${f.unanswered.join(', ')}`
        : `waiting for sign-off: ${signoffText(firstAsk)} (${f.unanswered[0]})`;
    return look;
  }
  look.state = 'waiting';
  if (!f.durationMet) {
    look.summary = `waiting: ${roughDuration(f.elapsed)} of ${f.text?.minDuration ?? roughDuration(f.phase.min_duration)} in ${f.phase.name}`;
  } else if (!f.unitsMet) {
    const short = f.controlCounted && f.units.control < f.units.treatment ? 'control' : 'treatment';
    look.summary = `waiting: ${formatCount(f.units[short])} of ${formatCount(f.phase.min_units)} units in ${short}`;
  } else if (breach.length > 0) {
    look.summary = `waiting: ${listText(breach)} in breach`;
  } else if (insufficient.length > 0) {
    look.summary = `waiting: not enough evidence for ${listText(insufficient)}`;
  } else if (!f.srmHealthy) {
    look.summary =
      f.srm === null
        ? 'waiting: no split check yet'
        : `waiting: split not healthy (p=${formatP(f.srm.pValue)})`;
  } else if (f.count !== null && !f.count.met) {
    look.state = 'waiting-for-signoff';
    look.summary = `waiting for sign-off to enter ${f.count.phase}: ${signoffText(f.count)}`;
  } else if (last && f.phase.bake !== undefined && f.bakeElapsed < f.phase.bake) {
    look.state = 'baking';
    look.summary = `baking: ${roughDuration(f.bakeElapsed)} of ${f.text?.bake ?? roughDuration(f.phase.bake)} at ${f.text?.share ?? formatShare(state.traffic)}`;
  } else if (f.timeRule !== null && !f.timeRule.open) {
    look.summary = `waiting: ${f.timeRule.reason}`;
  } else {
    look.summary = 'ready';
  }
  // Advisory breaches block nothing, but people watching should hear of them.
  if (advisory.length > 0)
    look.summary += `; ${listText(advisory)} in breach (advisory: the plan only notifies)`;
  return look;
}

/** The look's state without building its text: the same order as the summary below. */
function briefState(run: LookRun, facts: LookFacts, advanced: boolean): LookState {
  if (advanced) return 'advancing';
  if (run.status === 'paused') return 'paused';
  if (run.holds.length > 0) return 'holding';
  if (facts.kind === 'pre-start')
    return facts.count.met && (facts.scheduled !== null || facts.timeRule?.open === false)
      ? 'waiting'
      : 'waiting-for-signoff';
  const f = facts;
  if (f.unanswered.length > 0) return 'asking';
  const rest =
    f.durationMet &&
    f.unitsMet &&
    f.breach.length === f.advisory.length &&
    f.insufficient.length === 0 &&
    f.srmHealthy;
  if (!rest) return 'waiting';
  if (f.count !== null && !f.count.met) return 'waiting-for-signoff';
  if (f.next === null && f.phase.bake !== undefined && f.bakeElapsed < f.phase.bake)
    return 'baking';
  return 'waiting';
}

function pushTimeRule(conditions: Condition[], rule: TimeRuleVerdict | null): void {
  if (rule !== null)
    conditions.push({ id: 'time-rules', met: rule.open, reason: rule.open ? '' : rule.reason });
}

/** The names of KPIs at `indexes` (a new array), leaving out those in `except`. */
function namesOf(f: PhaseFacts, indexes: number[], except: number[] | null): string[] {
  const out: string[] = [];
  for (let j = 0; j < indexes.length; j++) {
    const i = indexes[j] as number;
    if (except !== null && except.length > 0 && except.includes(i)) continue;
    out.push(f.names[i]?.name ?? String(i));
  }
  return out;
}

/** Paused or holding, with the reason. */
function blockedBy(run: LookRun, state: LaunchState): { state: LookState; summary: string } | null {
  if (run.status === 'paused') {
    let reason = state.pause?.reason;
    for (const d of run.decisions) if (d.type === 'pause') reason = d.reason;
    return { state: 'paused', summary: `paused: ${reason ?? 'until an operator resumes'}` };
  }
  const hold = run.holds[0];
  if (hold !== undefined) {
    const more = run.holds.length > 1 ? ` (and ${run.holds.length - 1} more)` : '';
    return { state: 'holding', summary: `holding: ${hold.reason}${more}` };
  }
  return null;
}

function signoffText(count: SignoffCount): string {
  const rejected = count.roles.flatMap((r) =>
    r.rejections.map((x) => `${r.role} rejected by ${x.actor}`),
  );
  return rejected.length > 0 ? rejected.join(', ') : formatCounts(count);
}

function listText(names: string[]): string {
  return names.length <= 2
    ? names.join(' and ')
    : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}

/** A look when decide() could not judge: nothing changes, the reason is shown. */
export function brokenLook(state: LaunchState, now: number, error: unknown): Look {
  const message = error instanceof Error ? error.message : String(error);
  const s = (typeof state === 'object' && state !== null ? state : {}) as Partial<LaunchState>;
  return {
    at: typeof now === 'number' ? now : Number.NaN,
    status: s.status ?? 'running',
    state: 'waiting',
    summary: `cannot decide: ${message}`,
    phase: s.phase ?? '',
    phaseIndex: s.phaseIndex ?? -1,
    traffic: s.traffic ?? 0,
    next: null,
    conditions: [],
  };
}
