/**
 * decide(): the one place a launch changes phase. Pure and deterministic: the
 * live controller and the rehearsal call it with the same inputs and get the
 * same decisions. The rules are written out for people in docs/decide.md.
 */
import type { Phase, Plan } from '../plan/index.js';
import type { GuardResult, SrmResult } from '../statistics/index.js';
import { buildLook, brokenLook } from './build-look.js';
import type { LookFacts } from './build-look.js';
import type { DecisionRule, SignoffCount } from './decision.js';
import type { Evidence } from './evidence.js';
import { formatCount, roughDuration, formatP } from './format.js';
import { formatShare } from '../plan/index.js';
import { gateSignoff } from './gate-signoff.js';
import type { LaunchState } from './launch-state.js';
import type { DecideResult } from './look.js';
import { base, clause, emit, holding, startRun, taken } from './look-run.js';
import type { LookRun } from './look-run.js';
import { planIndex } from './plan-index.js';
import type { KpiEntry } from './plan-index.js';
import { countSignoff, formatCounts } from './count-signoff.js';

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
): DecideResult {
  try {
    return decideLook(plan, state, evidence, now);
  } catch (e) {
    // Inputs come from storage and the network; a bug must stop the launch
    // from advancing, not crash the controller.
    return { decisions: [], look: brokenLook(state, now, e) };
  }
}

const EMPTY: number[] = [];

function decideLook(plan: Plan, state: LaunchState, evidence: Evidence, now: number): DecideResult {
  const run = startRun(plan, state, evidence, now);
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
  const ready = run.status === 'running' && run.holds.length === 0;
  const gate = gateSignoff(run, first, ready);
  if (gate.ended) return { decisions: run.decisions, look: buildLook(run, null) };
  if (run.status === 'running' && run.holds.length === 0 && gate.count.met) {
    emit(run, {
      ...base(
        run,
        'signoff-quorum',
        `sign-off to start reached (${formatCounts(gate.count)}): starting ${first.name} at ${formatShare(first.traffic)}`,
        { signoff: gate.count },
      ),
      type: 'advance',
      from: -1,
      to: 0,
      fromPhase: run.state.phase,
      toPhase: first.name,
      traffic: first.traffic,
      startsBake: run.plan.phases.length === 1 && first.bake !== undefined,
    });
  }
  return {
    decisions: run.decisions,
    look: buildLook(run, { kind: 'pre-start', count: gate.count }),
  };
}

/** Verdicts of this look, per KPI of the plan (index order of planIndex). */
interface Verdicts {
  results: (GuardResult | undefined)[];
  verdicts: ('pass' | 'breach' | 'insufficient-evidence' | 'not-comparable')[];
  pass: number;
  breach: number[];
  insufficient: number[];
  notComparable: number[];
}

function inPhase(run: LookRun, phase: Phase): DecideResult {
  const { plan, state, now } = run;
  const index = planIndex(plan);
  const units = unitsOf(run.evidence);
  // At 100% with control 'rest' there is no control arm: nothing to count or compare against.
  const controlCounted = !(state.traffic >= 1 && plan.control !== 'holdout');
  const v = classify(run, index.kpis, controlCounted);
  const elapsed = now - state.phaseStartedAt;

  // 1. Automatic rollback is armed in every non-terminal state.
  const rollers = v.breach.filter((i) => index.kpis[i]?.response === 'rollback');
  if (rollers.length > 0) {
    rollBack(run, rollers, index.kpis, v, units);
    return { decisions: run.decisions, look: buildLook(run, null) };
  }

  // 2. The split.
  const srm = srmOf(run.evidence);
  const srmHealthy = srm !== null && srm.healthy === true;
  if (srm !== null && srm.healthy === false && !holding(run, 'srm')) {
    emit(run, {
      ...base(run, 'srm', `split is broken (p=${formatP(srm.pValue)}): ${splitText(srm)}`, {
        srm,
        units,
      }),
      type: 'hold',
      hold: 'srm',
    });
  } else if (srmHealthy && holding(run, 'srm')) {
    emit(run, {
      ...base(run, 'srm', `split is healthy again (p=${formatP(srm.pValue)})`, { srm, units }),
      type: 'release-hold',
      hold: 'srm',
    });
  }

  // 3. Breaches that do not roll back: the most severe response, and every side effect once.
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
  const guardsMet = v.pass + v.notComparable.length === index.kpis.length;
  const bakeElapsed = now - (state.bakeStartedAt ?? state.phaseStartedAt);
  const bakeMet = !last || phase.bake === undefined || bakeElapsed >= phase.bake;
  const readyElse = (): boolean =>
    run.status === 'running' &&
    run.holds.length === 0 &&
    asks.unanswered.length === 0 &&
    durationMet &&
    unitsMet &&
    guardsMet &&
    srmHealthy;
  let gate: { count: SignoffCount; ended: boolean } | null = null;
  if (next?.signoff !== undefined) {
    gate = gateSignoff(run, next, readyElse());
    if (gate.ended) return { decisions: run.decisions, look: buildLook(run, null) };
  }

  // 8. Advance (or complete) when every condition holds.
  if (readyElse() && bakeMet && (gate === null || gate.count.met)) {
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
      emit(run, {
        ...base(
          run,
          rule,
          `completed after ${how}: ${readySummary(index.kpis.length, v, units, controlCounted)}`,
          all,
        ),
        type: 'complete',
      });
    } else {
      emit(run, {
        ...base(
          run,
          gate === null ? 'phase-ready' : 'signoff-quorum',
          `${phase.name} met every condition (${roughDuration(elapsed)} of ${roughDuration(phase.min_duration)}, ${readySummary(index.kpis.length, v, units, controlCounted)}${gate === null ? '' : `, sign-off ${formatCounts(gate.count)}`}): advancing to ${next.name} at ${formatShare(next.traffic)}`,
          gate === null ? all : { ...all, signoff: gate.count },
        ),
        type: 'advance',
        from: state.phaseIndex,
        to: state.phaseIndex + 1,
        fromPhase: phase.name,
        toPhase: next.name,
        traffic: next.traffic,
        startsBake: state.phaseIndex + 1 === plan.phases.length - 1 && next.bake !== undefined,
      });
    }
  }

  const facts: LookFacts = {
    kind: 'phase',
    phase,
    next: next ?? null,
    elapsed,
    units,
    controlCounted,
    kpiCount: index.kpis.length,
    names: index.kpis,
    breach: v.breach,
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
  };
  return { decisions: run.decisions, look: buildLook(run, facts) };
}

function classify(run: LookRun, kpis: KpiEntry[], controlCounted: boolean): Verdicts {
  const guards = run.guards;
  const n = kpis.length;
  const v: Verdicts = {
    results: new Array<GuardResult | undefined>(n),
    verdicts: new Array<Verdicts['verdicts'][number]>(n),
    pass: 0,
    breach: EMPTY,
    insufficient: EMPTY,
    notComparable: EMPTY,
  };
  // With one result per KPI in plan order (the usual case) each lookup is one comparison.
  const scanAll = guards.length > n;
  for (let i = 0; i < n; i++) {
    const name = (kpis[i] as KpiEntry).name;
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
  const at = guards[i];
  if (isResult(at) && at.kpi === name) return at;
  for (const g of guards) if (isResult(g) && g.kpi === name) return g;
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
function verdictOf(g: GuardResult): 'pass' | 'breach' | 'insufficient-evidence' {
  const v = g.verdict;
  return v === 'pass' || v === 'breach' ? v : 'insufficient-evidence';
}

/** A comparison with treatment data that lacks only the control arm (100% traffic, control 'rest'). */
function noControl(r: GuardResult): boolean {
  return (
    r.comparison !== undefined &&
    r.comparison !== null &&
    r.units?.treatment > 0 &&
    !(r.units.control > 0)
  );
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
): string {
  const u = controlCounted
    ? `${formatCount(units.treatment)}/${formatCount(units.control)} units`
    : `${formatCount(units.treatment)} units`;
  const nc =
    v.notComparable.length > 0 ? ` (${v.notComparable.length} without a control arm at 100%)` : '';
  return `${u}, ${v.pass} of ${kpis} guards pass${nc}, split healthy`;
}

/** Why a breach response applies: the KPI's on_breach, or a risk's contingency. */
function sourceText(e: KpiEntry): string {
  return e.responseRisk === null
    ? `on_breach of ${e.name}`
    : `contingency of risk ${e.responseRisk.id} (${e.responseRisk.title})`;
}

function breachText(e: KpiEntry, r: GuardResult | undefined): string {
  const why = clause(r?.reason);
  return why === '' ? `${e.name} breached its guard` : `${e.name} breached its guard (${why})`;
}

function breachEvidence(e: KpiEntry, r: GuardResult | undefined) {
  return {
    guards: r === undefined ? [] : [r],
    actions: e.kpi.on_breach,
    risks: e.risks,
  };
}

function rollBack(
  run: LookRun,
  rollers: number[],
  kpis: KpiEntry[],
  v: Verdicts,
  units: { treatment: number; control: number },
): void {
  const first = kpis[rollers[0] as number] as KpiEntry;
  const texts = rollers.map((i) => breachText(kpis[i] as KpiEntry, v.results[i]));
  const risks = rollers.flatMap((i) => (kpis[i] as KpiEntry).risks);
  emit(run, {
    ...base(
      run,
      first.responseRule,
      `${texts.join('; ')}: rolling back to 0% (${sourceText(first)})`,
      {
        guards: rollers.flatMap((i) => {
          const r = v.results[i];
          return r === undefined ? [] : [r];
        }),
        actions: first.kpi.on_breach,
        risks: risks.filter((r, i) => risks.findIndex((x) => x.id === r.id) === i),
        units,
      },
    ),
    type: 'rollback',
    traffic: 0,
  });
  for (const i of v.breach) fireSideEffects(run, kpis[i] as KpiEntry, v.results[i]);
}

function fireSideEffects(run: LookRun, e: KpiEntry, r: GuardResult | undefined): void {
  for (const s of e.sideEffects) {
    const key = run.state.phase + s.keySuffix;
    if (taken(run, key)) continue;
    const b = base(
      run,
      s.rule,
      `${breachText(e, r)}: ${s.type === 'notify' ? `notifying ${s.target}` : `calling the webhook ${s.target}`}`,
      breachEvidence(e, r),
    );
    if (s.type === 'notify') emit(run, { ...b, type: 'notify', key, to: s.target, kpi: e.name });
    else emit(run, { ...b, type: 'webhook', key, url: s.target, kpi: e.name });
  }
}

function respondToBreach(run: LookRun, e: KpiEntry, r: GuardResult | undefined): void {
  const phase = run.state.phase;
  if (e.response === 'pause') {
    const key = `${phase}:${e.responseRule}:${e.name}:pause`;
    if (run.status === 'running' && !taken(run, key))
      emit(run, {
        ...base(
          run,
          e.responseRule,
          `${breachText(e, r)}: pausing until an operator resumes (${sourceText(e)})`,
          breachEvidence(e, r),
        ),
        type: 'pause',
        key,
        kpi: e.name,
      });
  } else if (e.response === 'hold') {
    const id = `breach:${e.name}`;
    if (!holding(run, id))
      emit(run, {
        ...base(
          run,
          e.responseRule,
          `${breachText(e, r)}: holding in ${phase} until it recovers (${sourceText(e)})`,
          breachEvidence(e, r),
        ),
        type: 'hold',
        hold: id,
        kpi: e.name,
      });
  } else if (e.response === 'ask') {
    const key = `${phase}:${e.responseRule}:${e.name}:ask`;
    if (!taken(run, key))
      emit(run, {
        ...base(
          run,
          e.responseRule,
          `${breachText(e, r)}: not advancing until ${e.askRoles.join(', ')} approve${e.askRoles.length === 1 ? 's' : ''} (${sourceText(e)})`,
          breachEvidence(e, r),
        ),
        type: 'ask',
        key,
        ask: `breach:${e.name}`,
        kpi: e.name,
        roles: e.askRoles,
      });
  }
  fireSideEffects(run, e, r);
}

function respondToInsufficient(
  run: LookRun,
  e: KpiEntry,
  r: GuardResult | undefined,
  phase: Phase,
): void {
  const action = e.kpi.on_insufficient;
  if (action.type === 'wait') return;
  const here = run.state.phase;
  const why = r === undefined ? 'no result for it' : clause(r.reason);
  const lack = `${e.name} has no verdict after the minimum ${roughDuration(phase.min_duration)}${why === '' ? '' : ` (${why})`}`;
  const evidence = { guards: r === undefined ? [] : [r], actions: [action] };
  if (action.type === 'extend') {
    const key = `${here}:insufficient-evidence:${e.name}:extend`;
    if (!taken(run, key))
      emit(run, {
        ...base(
          run,
          'insufficient-evidence',
          `${lack}: keeping ${here} open until it has one`,
          evidence,
        ),
        type: 'extend',
        key,
        kpi: e.name,
      });
  } else if (action.type === 'hold') {
    const id = `insufficient:${e.name}`;
    if (!holding(run, id))
      emit(run, {
        ...base(run, 'insufficient-evidence', `${lack}: holding in ${here}`, evidence),
        type: 'hold',
        hold: id,
        kpi: e.name,
      });
    const owner = run.plan.owner;
    const key = `${here}:insufficient-evidence:${e.name}:${owner}`;
    if (!taken(run, key))
      emit(run, {
        ...base(run, 'insufficient-evidence', `${lack}: notifying ${owner}`, evidence),
        type: 'notify',
        key,
        to: owner,
        kpi: e.name,
      });
  } else {
    const key = `${here}:insufficient-evidence:${e.name}:ask`;
    if (!taken(run, key))
      emit(run, {
        ...base(
          run,
          'insufficient-evidence',
          `${lack}: not advancing until ${action.roles.join(', ')} approve${action.roles.length === 1 ? 's' : ''}`,
          evidence,
        ),
        type: 'ask',
        key,
        ask: `insufficient:${e.name}`,
        kpi: e.name,
        roles: action.roles,
      });
  }
}

function releaseRecovered(run: LookRun, positions: Record<string, number>, v: Verdicts): void {
  for (const h of run.holds) {
    const breach = h.id.startsWith('breach:');
    if (!breach && !h.id.startsWith('insufficient:')) continue;
    const kpi = h.kpi ?? h.id.slice(h.id.indexOf(':') + 1);
    const at = positions[kpi];
    const verdict = at === undefined ? undefined : v.verdicts[at];
    const stays = breach ? verdict === 'breach' : verdict === 'insufficient-evidence';
    if (stays) continue;
    const r = at === undefined ? undefined : v.results[at];
    const now =
      at === undefined
        ? `${kpi} is no longer in the plan`
        : breach
          ? `${kpi} no longer breaches${r === undefined ? '' : ` (${clause(r.reason)})`}`
          : `${kpi} has a verdict: ${verdict}`;
    emit(run, {
      ...base(run, h.rule, `${now}: releasing the hold`, { guards: r === undefined ? [] : [r] }),
      type: 'release-hold',
      hold: h.id,
    });
  }
}

/** Count every ask of this phase (those raised at this look too); a rejection pauses once. */
function answerAsks(run: LookRun): { unanswered: string[]; counts: SignoffCount[] } {
  let unanswered: string[] = [];
  let counts: SignoffCount[] = [];
  const fresh = run.decisions.some((d) => d.type === 'ask');
  if (run.state.asks.length === 0 && !fresh) return { unanswered, counts };
  const approvals = Array.isArray(run.evidence?.approvals) ? run.evidence.approvals : [];
  const asks: { id: string; kpi: string; roles: string[]; phase: string; since: number }[] = [
    ...run.state.asks,
  ];
  for (const d of run.decisions)
    if (d.type === 'ask' && !asks.some((a) => a.id === d.ask))
      asks.push({ id: d.ask, kpi: d.kpi, roles: d.roles, phase: d.phase, since: d.at });
  unanswered = [];
  counts = [];
  for (const a of asks) {
    const count = countSignoff(run.plan, run.state, approvals, a.phase, a.roles, a.since);
    if (count.met) continue;
    unanswered.push(a.id);
    counts.push(count);
    for (const role of count.roles)
      for (const rej of role.rejections) {
        const key = `${run.state.phase}:signoff-rejected:${a.id}:${role.role}:${rej.actor}:${rej.at}`;
        if (run.status !== 'running' || taken(run, key)) continue;
        emit(run, {
          ...base(
            run,
            'signoff-rejected',
            `${rej.actor} (${role.role}) rejected continuing after ${a.kpi}: "${rej.comment ?? 'no comment'}"; pausing`,
            { signoff: count },
          ),
          type: 'pause',
          key,
          kpi: a.kpi,
        });
      }
  }
  return { unanswered, counts };
}
