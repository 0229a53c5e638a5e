/**
 * Where a launch stands, derived once: its state in one word, the phase, the
 * next step, the health of its KPIs and one sentence saying why. The server's
 * status API, `threshold launch status`/`list` and the dashboard all show this,
 * so they cannot disagree with each other or with the decision log.
 *
 * Pure: the inputs are the launch's state folded from its log, the latest
 * recorded look, the latest decision that changed where it stands, and `now`.
 * A look older than that decision describes a launch that no longer exists
 * (a look from canary after the advance to half, "waiting" after a pause), so
 * it is never shown as current.
 */
import type { Decision } from '../decide/decision.js';
import { roughDuration } from '../decide/format.js';
import type { LaunchState, LaunchStatus } from '../decide/launch-state.js';
import type { Condition, LookState } from '../decide/look.js';
import type { Plan } from '../plan/plan-schema.js';
import { formatShare } from '../plan/quantities.js';
import type { GuardResult, Verdict } from '../statistics/guard-result.js';
import { decisionCause } from './decision-cause.js';
import { NO_ROUTER_LOG, routerStanding } from './router-standing.js';
import type { RouterLog, RouterStanding } from './router-standing.js';

/** One word for where a launch stands. */
export type StandingState =
  | 'waiting'
  | 'waiting-for-signoff'
  | 'asking'
  | 'holding'
  | 'baking'
  | 'no-exposures'
  | 'paused'
  | 'rolled-back'
  | 'completed';

/** A KPI's verdict as every screen shows it: a comparison without a control arm is not comparable, never "insufficient". */
export type KpiStanding = Verdict | 'not-comparable';

/** The health badge: the worst verdict of the KPIs at the look that describes the launch. */
export type StandingHealth = Verdict | 'not-comparable' | 'none';

/** Words for each state (the badge). */
export const STANDING_WORDS: Readonly<Record<StandingState, string>> = {
  waiting: 'waiting',
  'waiting-for-signoff': 'waiting for sign-off',
  asking: 'waiting for an answer',
  holding: 'holding',
  baking: 'baking',
  'no-exposures': 'no exposures',
  paused: 'paused',
  'rolled-back': 'rolled back',
  completed: 'completed',
};

/** Words for each KPI verdict and health. */
export const VERDICT_WORDS: Readonly<Record<StandingHealth, string>> = {
  pass: 'pass',
  breach: 'breach',
  'insufficient-evidence': 'insufficient evidence',
  'not-comparable': 'not comparable',
  none: 'no look yet',
};

/** One KPI of a recorded look, as far as the standing reads it. */
export interface StandingLookKpi {
  kpi: string;
  verdict: Verdict;
  /** Comparisons only: the bad direction (null for hard limits and burn rates). */
  bad: 'increase' | 'decrease' | null;
  units: { treatment: number; control: number };
}

/** A recorded look (the server's LookRecord), as far as the standing reads it. */
export interface StandingLook {
  /** Its place in the launch log. */
  seq: number;
  at: number;
  status: LaunchStatus;
  state: LookState;
  summary: string;
  phase: string;
  phaseIndex: number;
  traffic: number;
  conditions: readonly Condition[];
  units: { treatment: number; control: number };
  kpis: readonly StandingLookKpi[];
}

/** A decision of the launch log with its place and actor. */
export interface LoggedDecision {
  seq: number;
  /** 'controller' or the person who acted. */
  actor: string;
  decision: Decision;
}

/** What {@link launchStanding} derives from. */
export interface StandingInput {
  plan: Pick<Plan, 'flag' | 'phases' | 'router'>;
  /** The state folded from the launch's log. */
  state: LaunchState;
  /** The latest recorded look, or null. */
  look: StandingLook | null;
  /** The latest decision that changed where the launch stands (not notify or webhook), or null. */
  decision: LoggedDecision | null;
  /** The latest pause decision, when the launch is paused (later holds do not hide why it paused). */
  pause?: LoggedDecision | null;
  /** Time without any exposure in a live phase after which a running launch warns; null never warns. */
  noExposureWarningMs: number | null;
  /** The log's router entries (none when absent). */
  router?: RouterLog;
}

/** A warning about a running launch. */
export interface StandingWarning {
  id: 'no-exposures';
  /** The phase it concerns. */
  phase: string;
  /** Since when (ms): the phase's start. */
  since: number;
  message: string;
}

/** Where a launch stands. */
export interface LaunchStanding {
  status: LaunchStatus;
  state: StandingState;
  /** {@link STANDING_WORDS} of the state. */
  label: string;
  /** Phase name ('(start)' before the first phase) and index (-1 then). */
  phase: string;
  phaseIndex: number;
  /** Treatment share now, 0..1. */
  traffic: number;
  /** The phase it advances to when ready; null when ended or on the last phase. */
  next: { phase: string; phaseIndex: number; traffic: number } | null;
  /** What happens next, in words; null when the launch has ended. */
  nextStep: string | null;
  health: StandingHealth;
  /** {@link VERDICT_WORDS} of the health. */
  healthText: string;
  /** Each KPI's verdict at the describing look, with not-comparable set apart. */
  kpis: { kpi: string; verdict: KpiStanding }[];
  verdicts: { pass: number; breach: number; insufficient: number; notComparable: number };
  /** One sentence: where it stands and why. */
  sentence: string;
  /** The recorded look the health and KPIs come from, or null (none yet in this phase). */
  look: { seq: number; at: number } | null;
  /** The decision the sentence is about (the ending, the pause, the latest change), or null. */
  decision: {
    seq: number;
    type: Decision['type'];
    rule: Decision['rule'];
    at: number;
    actor: string;
  } | null;
  warnings: StandingWarning[];
  /** Where the plan's traffic router stands (decided against applied); null without a router. */
  router: RouterStanding | null;
}

const capitalize = (s: string) => (s === '' ? s : s[0]?.toUpperCase() + s.slice(1));

/**
 * The no-exposures warning of a running launch: its live phase has had no unit
 * in either arm for at least `afterMs` as of the look (the look's own time, so
 * the warning is a fact of the evidence, not of the clock reading it).
 */
export function noExposureWarning(
  plan: Pick<Plan, 'flag'>,
  state: LaunchState,
  look: Pick<StandingLook, 'at' | 'phaseIndex' | 'units'> | null,
  afterMs: number | null,
): StandingWarning | null {
  if (afterMs === null || look === null || state.status !== 'running') return null;
  if (state.traffic <= 0 || look.phaseIndex !== state.phaseIndex) return null;
  const units = look.units;
  if (units.treatment > 0 || units.control > 0) return null;
  const quiet = look.at - state.phaseStartedAt;
  if (!(quiet >= afterMs)) return null;
  return {
    id: 'no-exposures',
    phase: state.phase,
    since: state.phaseStartedAt,
    message: `no exposures: no unit has seen flag ${plan.flag} in ${state.phase} at ${formatShare(state.traffic)} for ${roughDuration(quiet)}; check that the SDK evaluates the flag and that the audience matches someone`,
  };
}

/** KPIs of a look that had no control arm to compare with (100% traffic, control 'rest'). */
function notComparableOf(look: StandingLook): string[] {
  const guards = look.conditions.find((c) => c.id === 'guards');
  if (guards?.id === 'guards') return guards.notComparable;
  // Terminal looks list no conditions: a comparison at 100% with no control units is the same case.
  return look.traffic >= 1
    ? look.kpis.filter((k) => k.bad !== null && k.units.control === 0).map((k) => k.kpi)
    : [];
}

function kpiOfGuard(g: GuardResult): StandingLookKpi {
  return { kpi: g.kpi, verdict: g.verdict, bad: g.comparison?.bad ?? null, units: g.units };
}

/** The KPIs at the describing look, each with the verdict every screen shows. */
function kpisOf(
  look: StandingLook | null,
  overlay: readonly GuardResult[],
  traffic: number,
): { kpi: string; verdict: KpiStanding }[] {
  const base = look?.kpis ?? [];
  const merged: StandingLookKpi[] = base.slice();
  for (const g of overlay) {
    const k = kpiOfGuard(g);
    const at = merged.findIndex((x) => x.kpi === k.kpi);
    if (at >= 0) merged[at] = k;
    else merged.push(k);
  }
  const excluded =
    look === null
      ? merged
          .filter((k) => traffic >= 1 && k.bad !== null && k.units.control === 0)
          .map((k) => k.kpi)
      : notComparableOf({ ...look, kpis: merged });
  return merged.map((k) => ({
    kpi: k.kpi,
    verdict: excluded.includes(k.kpi) && k.verdict !== 'breach' ? 'not-comparable' : k.verdict,
  }));
}

function healthOf(kpis: readonly { verdict: KpiStanding }[]): StandingHealth {
  const has = (v: KpiStanding) => kpis.some((k) => k.verdict === v);
  if (has('breach')) return 'breach';
  if (has('insufficient-evidence')) return 'insufficient-evidence';
  if (has('pass')) return 'pass';
  if (has('not-comparable')) return 'not-comparable';
  return 'none';
}

/** How a completed launch's guards stood at completion, in words. */
function completedGuards(d: Decision): string {
  const guards = d.evidence?.guards ?? [];
  if (guards.length === 0) return '';
  const baseline = guards.find((g) => g.comparison?.baseline !== undefined)?.comparison?.baseline;
  const unchecked = guards.filter(
    (g) =>
      g.comparison !== undefined && g.comparison.baseline === undefined && g.units.control === 0,
  ).length;
  const pass = guards.filter((g) => g.verdict === 'pass').length;
  const against = baseline === undefined ? '' : ` against the control arm of ${baseline}`;
  if (unchecked === guards.length) return 'no guard checked (no control arm at 100%)';
  const checked = guards.length - unchecked;
  const rest = unchecked === 0 ? '' : `, ${unchecked} not comparable without a control arm`;
  return `${pass} of ${checked} ${unchecked === 0 ? '' : 'checked '}guard${checked === 1 ? '' : 's'} pass${checked === 1 ? 'es' : ''}${against}${rest}`;
}

function endedSentence(input: StandingInput, d: LoggedDecision | null): string {
  const { state, plan } = input;
  if (state.status === 'rolled-back') {
    if (d === null || d.decision.type !== 'rollback') return `Rolled back to 0% in ${state.phase}.`;
    const c = decisionCause(d.decision, d.actor);
    return `Rolled back to 0% in ${d.decision.phase}${c.by === '' ? '' : ` by ${c.by}`}${c.why === '' ? '' : `: ${c.why}`}.`;
  }
  // "Fully live" only at 100%: a plan may end at a smaller share.
  const live = state.traffic >= 1 ? ': fully live at 100%' : ` at ${formatShare(state.traffic)}`;
  if (d === null || d.decision.type !== 'complete') return `Completed${live}.`;
  const phase = plan.phases[d.decision.phaseIndex];
  const how =
    d.decision.rule === 'bake-complete' && phase?.bake !== undefined
      ? `after a ${roughDuration(phase.bake)} bake in ${d.decision.phase}`
      : d.decision.evidence?.elapsedMs === undefined
        ? `in ${d.decision.phase}`
        : `after ${roughDuration(d.decision.evidence.elapsedMs)} in ${d.decision.phase}`;
  const guards = completedGuards(d.decision);
  return `Completed${live} ${how}${guards === '' ? '' : `; ${guards}`}.`;
}

function pausedSentence(state: LaunchState, p: LoggedDecision | null): string {
  if (p !== null && p.decision.type === 'pause') {
    const c = decisionCause(p.decision, p.actor);
    return `Paused in ${p.decision.phase}${c.by === '' ? '' : ` by ${c.by}`}${c.why === '' ? '' : `: ${c.why}`}.`;
  }
  const info = state.pause;
  if (info === null) return `Paused in ${state.phase}.`;
  const by = info.actor === undefined ? '' : ` by ${info.actor}`;
  const why = info.reason.replace(/^paused by [^:]*: /, '').replace(/\.$/, '');
  return `Paused in ${state.phase}${by}: ${why}.`;
}

function nextOf(
  plan: Pick<Plan, 'phases'>,
  state: LaunchState,
): { phase: string; phaseIndex: number; traffic: number } | null {
  if (state.status === 'rolled-back' || state.status === 'completed') return null;
  const p = plan.phases[state.phaseIndex + 1];
  return p === undefined
    ? null
    : { phase: p.name, phaseIndex: state.phaseIndex + 1, traffic: p.traffic };
}

function nextStepOf(
  plan: Pick<Plan, 'phases'>,
  state: LaunchState,
  s: StandingState,
  next: { phase: string; traffic: number } | null,
): string | null {
  if (state.status === 'rolled-back' || state.status === 'completed') return null;
  if (state.status === 'paused') return 'stays paused until an operator resumes it';
  const into = next === null ? null : `${next.phase} at ${formatShare(next.traffic)}`;
  const roles = plan.phases[state.phaseIndex + 1]?.signoff?.roles;
  const signs =
    roles === undefined ? '' : `${roles.join(', ')} sign${roles.length === 1 ? 's' : ''} off`;
  if (state.phaseIndex < 0) return `starts ${into ?? 'the first phase'} once ${signs}`;
  if (s === 'waiting-for-signoff' && into !== null) return `advances to ${into} once ${signs}`;
  if (into === null) {
    const bake = plan.phases[state.phaseIndex]?.bake;
    return bake === undefined
      ? 'completes when every condition holds'
      : `completes when the ${roughDuration(bake)} bake ends with every condition met`;
  }
  return `advances to ${into} when every condition holds${signs === '' ? '' : ` and ${signs}`}`;
}

const LOOK_STATES: Readonly<Partial<Record<LookState, StandingState>>> = {
  waiting: 'waiting',
  'waiting-for-signoff': 'waiting-for-signoff',
  asking: 'asking',
  holding: 'holding',
  baking: 'baking',
};

/** Where a launch stands, and why. Pure; never throws on well-typed input. */
export function launchStanding(input: StandingInput): LaunchStanding {
  const { plan, state, look, decision } = input;
  const next = nextOf(plan, state);
  const ended = state.status === 'rolled-back' || state.status === 'completed';
  // A look from another phase (or the one that advanced) says nothing about this phase.
  const samePhase =
    look !== null && look.phaseIndex === state.phaseIndex && look.state !== 'advancing';
  // A look recorded before the latest change describes what the launch was, not what it is.
  const fresh =
    samePhase && look.status === state.status && (decision === null || look.seq > decision.seq);
  // An ended launch is described by the look that ended it; an old log may lack it, then by the decision's guards.
  const shown = ended ? look : samePhase ? look : null;
  const overlay =
    ended && decision !== null && (look === null || look.seq < decision.seq)
      ? (decision.decision.evidence?.guards ?? [])
      : [];
  const kpis = kpisOf(shown, overlay, state.traffic);
  const health = healthOf(kpis);
  const count = (v: KpiStanding) => kpis.filter((k) => k.verdict === v).length;
  const warning = samePhase
    ? noExposureWarning(plan, state, look, input.noExposureWarningMs)
    : null;

  let s: StandingState;
  let sentence: string;
  let about: LoggedDecision | null = decision;
  if (ended) {
    s = state.status === 'completed' ? 'completed' : 'rolled-back';
    sentence = endedSentence(input, decision);
  } else if (state.status === 'paused') {
    s = 'paused';
    about = input.pause ?? (decision?.decision.type === 'pause' ? decision : null);
    sentence = pausedSentence(state, about);
  } else if (warning !== null) {
    s = 'no-exposures';
    sentence = `${capitalize(warning.message)}.`;
  } else if (fresh && look !== null) {
    s = LOOK_STATES[look.state] ?? 'waiting';
    sentence = `${capitalize(look.summary)}.`;
  } else {
    s = state.phaseIndex < 0 ? 'waiting-for-signoff' : 'waiting';
    sentence = staleSentence(state, decision);
  }
  if (s === 'waiting' && state.holds.length > 0) s = 'holding';
  return {
    status: state.status,
    state: s,
    label: STANDING_WORDS[s],
    phase: state.phase,
    phaseIndex: state.phaseIndex,
    traffic: state.traffic,
    next: ended ? null : next,
    nextStep: nextStepOf(plan, state, s, next),
    health,
    healthText: VERDICT_WORDS[health],
    kpis,
    verdicts: {
      pass: count('pass'),
      breach: count('breach'),
      insufficient: count('insufficient-evidence'),
      notComparable: count('not-comparable'),
    },
    sentence,
    look: shown === null ? null : { seq: shown.seq, at: shown.at },
    decision:
      about === null
        ? null
        : {
            seq: about.seq,
            type: about.decision.type,
            rule: about.decision.rule,
            at: about.decision.at,
            actor: about.actor,
          },
    warnings: warning === null ? [] : [warning],
    router: routerStanding(plan, state, input.router ?? NO_ROUTER_LOG),
  };
}

/** A running launch whose latest look predates its latest change. */
function staleSentence(state: LaunchState, d: LoggedDecision | null): string {
  const share = formatShare(state.traffic);
  if (state.phaseIndex < 0) return `Waiting to start: no look yet.`;
  if (d?.decision.type === 'advance' && d.decision.toPhase === state.phase)
    return `Advanced to ${state.phase} at ${share}; no look in ${state.phase} yet.`;
  if (d?.decision.type === 'resume') {
    const c = decisionCause(d.decision, d.actor);
    return `Resumed in ${state.phase} by ${c.by}${c.why === '' ? '' : `: ${c.why}`}; no look since.`;
  }
  return `Running ${state.phase} at ${share}; no look in ${state.phase} yet.`;
}
