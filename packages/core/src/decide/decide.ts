/**
 * decide(): the one place a launch changes phase. Pure and deterministic: the
 * live controller and the rehearsal call it with the same inputs and get the
 * same decisions. The rules are written out for people in docs/decide.md.
 */
import { formatShare } from '../plan/index.js';
import type { Phase, Plan } from '../plan/index.js';
import type { SrmResult } from '../statistics/index.js';
import { answerAsks } from './answer-asks.js';
import { brokenLook, buildLook } from './build-look.js';
import type { LookFacts } from './build-look.js';
import { classify } from './classify-verdicts.js';
import type { Verdicts } from './classify-verdicts.js';
import { formatCounts } from './count-signoff.js';
import type { DecisionRule, SignoffCount } from './decision.js';
import type { Evidence, RouterEvidence } from './evidence.js';
import { formatCount, formatP, roughDuration } from './format.js';
import { timeRuleAt } from './time-rules.js';
import type { TimeRuleVerdict } from './time-rules.js';
import { gateSignoff } from './gate-signoff.js';
import type { LaunchState } from './launch-state.js';
import type { DecideResult } from './look.js';
import { decision, clause, emit, holding, startRun } from './look-run.js';
import type { LookRun } from './look-run.js';
import { planIndex } from './plan-index.js';
import { plannedSplit } from './planned-split.js';
import type { KpiEntry } from './plan-index.js';
import {
  advisoryText,
  releaseRecovered,
  respondToBreach,
  respondToInsufficient,
  rollBack,
} from './respond-to-verdicts.js';

/** Options of {@link decide}. */
export interface DecideOptions {
  /**
   * false: the look keeps its status, state, phase, traffic and next phase but
   * has no summary ('') nor conditions ([]), which saves most of a look's
   * cost in the rehearsal's tight loop. 'conditions': the conditions without the
   * summary (what the rehearsal counts waits by). Decisions are the same. Default true.
   */
  explain?: boolean | 'conditions';
}

/**
 * Decide what happens to a launch at one look. Returns only what changes (and
 * the side effects to carry out) plus where the launch stands and why.
 * Pure: no clock (`now` is given), no I/O; never throws.
 */
export function decide(
  plan: Plan,
  state: LaunchState,
  evidence: Evidence,
  now: number,
  options?: DecideOptions,
): DecideResult {
  try {
    const explain = options?.explain;
    return decideLook(plan, state, evidence, now, explain !== false, explain !== 'conditions');
  } catch (e) {
    // Inputs come from storage and the network; a bug must stop the launch
    // from advancing, not crash the controller.
    return { decisions: [], look: brokenLook(state, now, e) };
  }
}

function decideLook(
  plan: Plan,
  state: LaunchState,
  evidence: Evidence,
  now: number,
  explain: boolean,
  summarize: boolean,
): DecideResult {
  const run = startRun(plan, state, evidence, now, explain, summarize);
  if (state.status === 'rolled-back' || state.status === 'completed')
    return { decisions: run.decisions, look: buildLook(run, null) };
  if (typeof now !== 'number' || !Number.isFinite(now))
    return { decisions: [], look: brokenLook(state, now, 'the look has no valid time') };
  if (state.phaseIndex < 0) return preStart(run);
  const phase = plan.phases[state.phaseIndex];
  if (phase === undefined)
    return {
      decisions: [],
      look: brokenLook(
        state,
        now,
        `phase ${state.phaseIndex} is not in plan version ${state.planVersion}`,
      ),
    };
  return inPhase(run, phase);
}

/** Before the first phase: only its sign-off gates the start; nobody is exposed, so nothing is guarded. */
function preStart(run: LookRun): DecideResult {
  const first = run.plan.phases[0];
  if (first === undefined)
    return { decisions: [], look: brokenLook(run.state, run.now, 'the plan has no phases') };
  routerHold(run);
  checksHold(run);
  const ready = run.status === 'running' && run.holds.length === 0;
  const gate = gateSignoff(run, first, ready);
  if (gate.ended) return { decisions: run.decisions, look: buildLook(run, null) };
  const window = timeRulesOf(run);
  const notBefore = run.state.notBefore;
  const scheduled = typeof notBefore === 'number' && run.now < notBefore ? notBefore : null;
  if (
    run.status === 'running' &&
    run.holds.length === 0 &&
    gate.count.met &&
    scheduled === null &&
    (window === null || window.open)
  ) {
    emit(
      run,
      decision(
        run,
        'signoff-quorum',
        first.signoff === undefined
          ? `the scheduled start arrived: starting ${first.name} at ${formatShare(first.traffic)}`
          : `sign-off to start reached (${formatCounts(gate.count)}): starting ${first.name} at ${formatShare(first.traffic)}`,
        { signoff: gate.count },
        {
          type: 'advance',
          from: -1,
          to: 0,
          fromPhase: run.state.phase,
          toPhase: first.name,
          traffic: first.traffic,
          startsBake: run.plan.phases.length === 1 && first.bake !== undefined,
        },
      ),
    );
  }
  return {
    decisions: run.decisions,
    look: buildLook(run, { kind: 'pre-start', count: gate.count, timeRule: window, scheduled }),
  };
}
function inPhase(run: LookRun, phase: Phase): DecideResult {
  const { plan, state, now } = run;
  const index = planIndex(plan);
  const units = unitsOf(run.evidence);
  // Without a control arm (100%, 'rest' or holdout alike) there is nothing to count or compare against.
  const controlCounted = hasControl(plan, state.traffic);
  const v = classify(run, index.kpis, controlCounted);
  // With a router, time at the phase's share counts from when the router last took it on.
  const since = routerSince(run.evidence);
  const elapsed = now - Math.max(state.phaseStartedAt, since);

  // 1. Automatic rollback is armed in every non-terminal state.
  const rollers =
    v.breach.length === 0
      ? v.breach
      : v.breach.filter((i) => index.kpis[i]?.response === 'rollback');
  if (rollers.length > 0) {
    rollBack(run, rollers, index.kpis, v, units);
    return { decisions: run.decisions, look: buildLook(run, null) };
  }

  // 2. The split.
  const srm = srmOf(run.evidence);
  const srmHealthy = srm !== null && srm.healthy === true;
  if (srm !== null && srm.healthy === false && !holding(run, 'srm')) {
    emit(
      run,
      decision(
        run,
        'srm',
        `split is broken (p=${formatP(srm.pValue)}): ${splitText(srm)}`,
        {
          srm,
          units,
        },
        {
          type: 'hold',
          hold: 'srm',
        },
      ),
    );
  } else if (srmHealthy && holding(run, 'srm')) {
    emit(
      run,
      decision(
        run,
        'srm',
        `split is healthy again (p=${formatP(srm.pValue)})`,
        { srm, units },
        {
          type: 'release-hold',
          hold: 'srm',
        },
      ),
    );
  }

  // 2b. The router: a weight it has not confirmed holds the launch where it is.
  routerHold(run);
  // 2c. Automated readiness checks: a failing blocking probe or query holds the launch where it is.
  checksHold(run);

  // 3. Breaches that do not roll back: the most severe response, and every side effect once
  //    (an advisory breach, whose plan only notifies, has side effects only).
  for (const i of v.breach) respondToBreach(run, index.kpis[i] as KpiEntry, v.results[i]);

  // 4. Missing evidence: after the minimum duration, the KPI's on_insufficient.
  if (elapsed >= phase.min_duration)
    for (const i of v.insufficient)
      respondToInsufficient(run, index.kpis[i] as KpiEntry, v.results[i], phase);

  // 5. Holds whose KPI recovered (or left the plan).
  if (run.holds.length > 0) releaseRecovered(run, index.positions, v);

  // 6. Asks raised in this phase, answered by approvals given after them.
  const asks = answerAsks(run);

  // 7. The next phase's sign-off, or the bake of the last one.
  const last = state.phaseIndex === plan.phases.length - 1;
  const next = last ? undefined : plan.phases[state.phaseIndex + 1];
  const durationMet = elapsed >= phase.min_duration;
  const unitsMet =
    units.treatment >= phase.min_units && (!controlCounted || units.control >= phase.min_units);
  // Advisory breaches do not block; insufficient evidence always does.
  const guardsMet = v.pass + v.notComparable.length + v.advisory.length === index.kpis.length;
  const bakeElapsed = now - Math.max(state.bakeStartedAt ?? state.phaseStartedAt, since);
  const bakeMet = !last || phase.bake === undefined || bakeElapsed >= phase.bake;
  // Every condition but the bake, the sign-off and the time rules; the run's status
  // and holds are read again after the gate, which may change them.
  const othersMet =
    asks.unanswered.length === 0 && durationMet && unitsMet && guardsMet && srmHealthy;
  let gate: { count: SignoffCount; ended: boolean } | null = null;
  if (next?.signoff !== undefined) {
    gate = gateSignoff(run, next, othersMet && run.status === 'running' && run.holds.length === 0);
    if (gate.ended) return { decisions: run.decisions, look: buildLook(run, null) };
  }

  // 8. Advance (or complete) when every condition holds.
  // Advisory breaches are put in words only when the launch goes on despite them.
  let advisoryNote = '';
  let despite = '';
  const window = timeRulesOf(run);
  if (
    othersMet &&
    run.status === 'running' &&
    run.holds.length === 0 &&
    bakeMet &&
    (gate === null || gate.count.met) &&
    (window === null || window.open)
  ) {
    if (v.advisory.length > 0) {
      advisoryNote = advisoryNotes(index.kpis, v);
      despite = `; ${advisoryNote} — `;
    }
    const all = {
      guards: run.guards.slice(),
      ...(srm === null ? {} : { srm }),
      units,
      elapsedMs: elapsed,
    };
    if (next === undefined) {
      const rule: DecisionRule = phase.bake === undefined ? 'phase-ready' : 'bake-complete';
      const how =
        phase.bake === undefined
          ? `${roughDuration(elapsed)} in ${phase.name}`
          : `a ${roughDuration(phase.bake)} bake`;
      emit(
        run,
        decision(
          run,
          rule,
          `completed after ${how}: ${readySummary(index.kpis.length, v, units, controlCounted, plan.router !== undefined)}${despite === '' ? '' : `${despite}completing anyway`}`,
          all,
          {
            type: 'complete',
          },
        ),
      );
    } else {
      emit(
        run,
        decision(
          run,
          gate === null ? 'phase-ready' : 'signoff-quorum',
          `${phase.name} met every condition (${roughDuration(elapsed)} of ${roughDuration(phase.min_duration)}, ${readySummary(index.kpis.length, v, units, controlCounted, plan.router !== undefined)}${gate === null ? '' : `, sign-off ${formatCounts(gate.count)}`}): advancing to ${next.name} at ${formatShare(next.traffic)}${despite === '' ? '' : `${despite}advancing anyway`}`,
          gate === null ? all : { ...all, signoff: gate.count },
          {
            type: 'advance',
            from: state.phaseIndex,
            to: state.phaseIndex + 1,
            fromPhase: phase.name,
            toPhase: next.name,
            traffic: next.traffic,
            startsBake: state.phaseIndex + 1 === plan.phases.length - 1 && next.bake !== undefined,
          },
        ),
      );
    }
  }

  const facts: LookFacts = {
    kind: 'phase',
    phase,
    text: index.phaseTexts[state.phaseIndex],
    next: next ?? null,
    elapsed,
    units,
    controlCounted,
    kpiCount: index.kpis.length,
    names: index.kpis,
    breach: v.breach,
    advisory: v.advisory,
    advisoryNote,
    insufficient: v.insufficient,
    notComparable: v.notComparable,
    srm,
    unanswered: asks.unanswered,
    askCounts: asks.counts,
    count: gate?.count ?? null,
    durationMet,
    unitsMet,
    guardsMet,
    srmHealthy,
    bakeElapsed,
    timeRule: window,
  };
  return { decisions: run.decisions, look: buildLook(run, facts) };
}
// The last answer of hasControl: a launch keeps its traffic share for a phase, and
// decide() runs at every look.
let splitMode: Plan['control'] | undefined;
let splitTraffic = Number.NaN;
let splitControl = false;

/** Whether the planned split at this traffic share has a control arm (plannedSplit's control > 0). */
function hasControl(plan: Plan, traffic: number): boolean {
  if (plan.control !== splitMode || traffic !== splitTraffic) {
    splitControl = plannedSplit(plan, traffic).control > 0;
    splitMode = plan.control;
    splitTraffic = traffic;
  }
  return splitControl;
}

/** The verdict of the environment's time rules at this look, or null when it has none. */
function timeRulesOf(run: LookRun): TimeRuleVerdict | null {
  const rules = run.evidence?.timeRules;
  if (typeof rules !== 'object' || rules === null) return null;
  return timeRuleAt(rules, run.now);
}

/** The router's evidence, when the plan has a router and the look carries it. */
function routerOf(evidence: Evidence): RouterEvidence | null {
  const r = evidence?.router;
  return typeof r === 'object' && r !== null && typeof r.applied === 'boolean' ? r : null;
}

/** When the router last took on the launch's share (ms), or -Infinity when that does not apply. */
function routerSince(evidence: Evidence): number {
  const r = routerOf(evidence);
  return r !== null && r.applied && typeof r.since === 'number' && Number.isFinite(r.since)
    ? r.since
    : Number.NEGATIVE_INFINITY;
}

/**
 * Hold while the router has not confirmed the launch's share, release once it
 * has. Rollback stays armed: it comes before this, and its 0% is retried by the
 * server until the router confirms it.
 */
function routerHold(run: LookRun): void {
  const r = routerOf(run.evidence);
  if (r === null) return;
  const share = formatShare(run.state.traffic);
  if (!r.applied && !holding(run, 'router')) {
    emit(
      run,
      decision(
        run,
        'router',
        `the router has not confirmed ${share} for the new version: ${clause(r.reason) || 'no answer yet'}`,
        {},
        { type: 'hold', hold: 'router' },
      ),
    );
  } else if (r.applied && holding(run, 'router')) {
    emit(
      run,
      decision(
        run,
        'router',
        `the router confirmed ${share} for the new version: releasing the hold`,
        {},
        { type: 'release-hold', hold: 'router' },
      ),
    );
  }
}

/**
 * Hold while a blocking automated readiness check fails, release once it
 * passes (or leaves the plan). Without check results (not probed at this
 * look) nothing changes. Rollback stays armed: it comes before this.
 */
function checksHold(run: LookRun): void {
  const results = run.evidence?.checks;
  if (!Array.isArray(results)) return;
  // Every blocking check: automated ones fail, attested ones lapse (ADR 0042).
  const blocking = new Set(run.plan.readiness.filter((r) => r.blocking).map((r) => r.check));
  for (const r of results) {
    if (typeof r?.check !== 'string' || !blocking.has(r.check) || r.passed) continue;
    const id = `check:${r.check}`;
    if (holding(run, id)) continue;
    emit(
      run,
      decision(
        run,
        'readiness-check',
        `readiness check "${r.check}" fails: ${clause(r.reason) || 'no answer'}; holding ${run.state.phase}`,
        {},
        { type: 'hold', hold: id },
      ),
    );
  }
  for (const h of run.holds) {
    if (h.rule !== 'readiness-check') continue;
    const check = h.id.slice('check:'.length);
    const r = results.find((x) => x?.check === check);
    const gone = !blocking.has(check);
    if (!gone && r?.passed !== true) continue;
    emit(
      run,
      decision(
        run,
        'readiness-check',
        gone
          ? `readiness check "${check}" is no longer a blocking check of the plan: releasing the hold`
          : `readiness check "${check}" passes again (${clause(r?.reason) || 'ok'}): releasing the hold`,
        {},
        { type: 'release-hold', hold: h.id },
      ),
    );
  }
}

function unitsOf(evidence: Evidence): { treatment: number; control: number } {
  const u = evidence?.units;
  const t = u?.treatment;
  const c = u?.control;
  return {
    treatment: typeof t === 'number' && Number.isFinite(t) ? t : 0,
    control: typeof c === 'number' && Number.isFinite(c) ? c : 0,
  };
}

function srmOf(evidence: Evidence): SrmResult | null {
  const s = evidence?.srm;
  return typeof s === 'object' && s !== null && typeof s.healthy === 'boolean' ? s : null;
}

function splitText(srm: SrmResult): string {
  const o = srm.observed;
  const e = srm.expectedShare;
  if (o === undefined || e === undefined) return clause(srm.reason);
  return `${formatCount(o.treatment)} treatment and ${formatCount(o.control)} control units for a planned ${formatShare(e.treatment)}/${formatShare(e.control)} split`;
}

function readySummary(
  kpis: number,
  v: Verdicts,
  units: { treatment: number; control: number },
  controlCounted: boolean,
  routed: boolean,
): string {
  const u = controlCounted
    ? `${formatCount(units.treatment)}/${formatCount(units.control)} units`
    : `${formatCount(units.treatment)} units`;
  const adv =
    v.advisory.length === 0
      ? ''
      : `, ${v.advisory.length} advisory breach${v.advisory.length === 1 ? '' : 'es'}`;
  // A router counts requests, not units, and has no unit split to check: say only the guards.
  if (routed) return `${guardsText(kpis, v)}${adv}`;
  return `${u}, ${guardsText(kpis, v)}${adv}, split healthy`;
}

/**
 * How many guards pass, in words that say what was checked: comparisons in a
 * phase without a control arm are against the baseline of an earlier phase, or
 * (when there is none) not checked at all, which is never counted as a pass.
 */
function guardsText(kpis: number, v: Verdicts): string {
  const nc = v.notComparable.length;
  let baseline: string | undefined;
  for (const r of v.results)
    if (r?.comparison?.baseline !== undefined) baseline = r.comparison.baseline;
  const against =
    baseline === undefined ? '' : ` (comparisons against the control arm of ${baseline})`;
  if (nc === 0) return `${v.pass} of ${kpis} guards pass${against}`;
  const unchecked = `${nc} not comparable without a control arm at 100%`;
  if (nc === kpis) return `no guard checked (${unchecked})`;
  return `${v.pass} of ${kpis - nc} checked guards pass${against}, ${unchecked}`;
}

/** The advisory breaches a launch goes on despite, in words, joined. */
function advisoryNotes(kpis: KpiEntry[], v: Verdicts): string {
  let out = '';
  for (const i of v.advisory)
    out += `${out === '' ? '' : '; '}${advisoryText(kpis[i] as KpiEntry, v.results[i])}`;
  return out;
}
