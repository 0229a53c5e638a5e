/**
 * One simulated launch: walk the history look by look, split each window's new
 * units between the arms by the current phase's traffic, draw each arm's KPI
 * statistics, and hand them to the real guards (evaluateGuards), the real split
 * check (checkSampleRatio) and the real decide(); apply its decisions with the
 * real applyDecision. Nothing here judges a KPI or moves a phase.
 *
 * Per look the work is O(KPIs) plus the guards and decide(): window totals come
 * from prefix sums, statistics accumulate in typed arrays allocated once per
 * simulator, and the aggregate objects the guards read are reused.
 */
import type {
  Approval,
  Condition,
  DecideResult,
  Decision,
  LaunchState,
  PhaseTraffic,
  TimeRules,
} from '../decide/index.js';
import { applyDecision, baselinePhase, decide, initialLaunchState } from '../decide/index.js';
import type { Phase, Plan } from '../plan/index.js';
import { isAutomatedCheck } from '../plan/index.js';
import type { ArmAggregates, GuardResult, GuardsOptions, SrmResult } from '../statistics/index.js';
import { checkSampleRatio, evaluateGuards, evaluatePerInterval } from '../statistics/index.js';
import { GuardScratch } from '../statistics/quiet-guards.js';
import { intervalEvidence } from './interval-slot.js';
import { controlShare, guardOptions, planKpis, plannedSplit } from './live-evidence.js';
import type { History } from './history.js';
import type { CheckFailure, Effect } from './injection.js';
import type { CheckEvidence } from '../decide/index.js';
import type { KpiSampler } from './kpi-sampler.js';
import type { KpiSlot } from './kpi-slot.js';
import { createSlot, resetSlot, stepSlot } from './kpi-slot.js';
import type { SeededRandom } from './random.js';
import type { RunOutcome, RunRecord } from './run-record.js';
import { RESPONSES, WAIT_CONDITIONS } from './run-record.js';
import { totalAt } from './window-sums.js';

/** How launches are simulated. */
export interface SimulationSettings {
  lookIntervalMs: number;
  /** Sign-offs and asks are approved this long after they are requested. */
  signoffDelayMs: number;
  maxDurationMs: number;
  /** Per phase index: the share of arriving units that match the phase's audience. */
  audience: number[];
  /**
   * true: the reference path (guards with reasons whenever decide() may quote
   * one, before deciding; prepareRehearsal also gives it quantile sketches that
   * list their buckets). The default fast path decides on verdicts first, on
   * sketches of running counts; a property test holds both to identical records.
   */
  reference?: boolean;
  /** The environment's time rules: no advance outside them (ADR 0034). */
  timeRules?: TimeRules;
}

const NO_EXPLAIN = { explain: false } as const;
const SEVERITY: Record<string, number> = {};
RESPONSES.forEach((r, i) => (SEVERITY[r] = i));
const CONDITION_INDEX: Record<string, number> = {};
WAIT_CONDITIONS.forEach((c, i) => (CONDITION_INDEX[c] = i));

/** Simulates launches of one plan with one set of injected effects; reuse it for every run. */
export class LaunchSimulator {
  private readonly slots: KpiSlot[];
  private readonly unitsPrefix: Float64Array;
  private readonly n: number;
  private readonly stepIntervals: number;
  private readonly looks: number;
  private readonly data: Record<string, ArmAggregates> = {};
  private readonly phaseCount: number;
  /** KPI name -> position in `slots`. */
  private readonly positions = new Map<string, number>();
  /** Positions (matrix order) of the KPIs read as per-interval samples. */
  private readonly perInterval: number[] = [];
  /** Per KPI in matrix order: whether its on_insufficient does more than wait. */
  private readonly actsOnInsufficient: boolean[];
  /** Blocking automated checks and the phase index from which each fails (Infinity: never). */
  private readonly probes: { check: string; from: number }[];
  /**
   * The fast path's verdict-only results, written over at every look: a look's
   * results are dropped once decide() made no decision with them; when it did,
   * they are given up (forget) and the next look builds new ones.
   */
  private readonly scratch = new GuardScratch();
  /** The planned split of the last traffic share (it changes only with the phase). */
  private split: { p: number; share: { treatment: number; control: number } } | null = null;

  constructor(
    private readonly plan: Plan,
    private readonly history: History,
    samplers: KpiSampler[],
    unitsPrefix: Float64Array,
    private readonly settings: SimulationSettings,
    effects: Effect[],
    failing: readonly CheckFailure[] = [],
  ) {
    // Blocking automated checks pass in a rehearsal unless a scenario makes one fail
    // (check:TEXT); an attested check is assumed attested unless a scenario lapses it.
    this.probes = plan.readiness
      .filter(
        (r) => r.blocking && (isAutomatedCheck(r) || failing.some((f) => f.check === r.check)),
      )
      .map((r) => {
        const f = failing.find((x) => x.check === r.check);
        const from =
          f === undefined
            ? Number.POSITIVE_INFINITY
            : f.fromPhase === null
              ? -1
              : plan.phases.findIndex((p) => p.name === f.fromPhase);
        return { check: r.check, from };
      });
    this.unitsPrefix = unitsPrefix;
    this.n = history.length;
    this.stepIntervals = settings.lookIntervalMs / history.intervalMs;
    this.looks = Math.floor(settings.maxDurationMs / settings.lookIntervalMs);
    this.phaseCount = plan.phases.length;
    this.actsOnInsufficient = planKpis(plan).map((k) => k.on_insufficient.type !== 'wait');
    const phaseIndex = (name: string | null) =>
      name === null ? 0 : plan.phases.findIndex((p) => p.name === name);
    this.slots = samplers.map((sampler) => {
      const effect = effects.find((e) => e.kpi === sampler.kpi.name) ?? null;
      const slot = createSlot(
        sampler,
        settings.lookIntervalMs,
        effect,
        phaseIndex(effect?.fromPhase ?? null),
      );
      // Per-interval KPIs are judged apart, as the controller judges a source's readings.
      if (slot.interval === null) this.data[sampler.kpi.name] = slot.aggregates;
      else this.perInterval.push(this.positions.size);
      this.positions.set(sampler.kpi.name, this.positions.size);
      return slot;
    });
  }

  /** Simulate one launch starting at history interval `start`. */
  run(rng: SeededRandom, start: number): RunRecord {
    const { plan, settings } = this;
    const kpiCount = this.slots.length;
    const record: RunRecord = {
      outcome: 'unfinished',
      endMs: this.looks * settings.lookIntervalMs,
      endPhase: -1,
      phaseEnteredMs: new Float64Array(this.phaseCount).fill(-1),
      fullMs: -1,
      alarmMs: new Float64Array(kpiCount).fill(-1),
      alarmPhase: new Int32Array(kpiCount).fill(-1),
      alarmResponse: new Int8Array(kpiCount).fill(-1),
      earlyAlarm: new Uint8Array(kpiCount),
      srmMs: -1,
      stoppedBy: [],
      onsetMs: -1,
      exposedUnits: 0,
      exposedAtAlarm: -1,
      waits: new Float64Array(this.phaseCount * WAIT_CONDITIONS.length),
      looksPastMinimum: new Float64Array(this.phaseCount),
      undecided: new Float64Array(this.phaseCount * kpiCount),
    };
    for (const s of this.slots) resetSlot(s);
    const t0 = this.history.start + start * this.history.intervalMs;
    let state: LaunchState = initialLaunchState(plan, {
      planVersion: 1,
      now: t0,
      startedBy: 'rehearsal',
    });
    if (state.phaseIndex >= 0) record.phaseEnteredMs[state.phaseIndex] = 0;
    if (state.traffic >= 1) record.fullMs = 0;
    const approvals: Approval[] = [];
    const pending: Approval[] = [];
    const timeRules = this.settings.timeRules;
    let accPhase = state.phaseIndex;
    let unitsT = 0;
    let unitsC = 0;
    let baselineName: string | undefined;
    let x = start;
    let lastUnits = Math.round(totalAt(this.unitsPrefix, this.n, x));

    for (let k = 1; k <= this.looks; k++) {
      const now = t0 + k * settings.lookIntervalMs;
      const x0 = x;
      x += this.stepIntervals;
      const nextUnits = Math.round(totalAt(this.unitsPrefix, this.n, x));
      const arriving = nextUnits - lastUnits;
      lastUnits = nextUnits;

      if (state.phaseIndex !== accPhase) {
        // Entering a phase without a control arm: the control arm of the phase left (if it
        // had one) becomes the baseline; a baseline taken earlier stays.
        const hadControl =
          accPhase >= 0 && controlShare(plan, plan.phases[accPhase]?.traffic ?? 0) > 0;
        const baseline = baselinePhase(plan, state.phaseIndex, state.traffic);
        const keep = baseline === undefined ? 'none' : hadControl ? 'take' : 'keep';
        accPhase = state.phaseIndex;
        unitsT = 0;
        unitsC = 0;
        baselineName = baseline?.name;
        // Burn windows run across phases, as the store counts them over the whole launch.
        for (const s of this.slots) if (s.burn === null) resetSlot(s, keep);
      }
      const p = state.traffic;
      const phase = plan.phases[state.phaseIndex];
      let a = 0;
      let c = 0;
      if (p > 0 && arriving > 0) {
        const share = settings.audience[state.phaseIndex] ?? 1;
        const eligible = share < 1 ? rng.binomial(arriving, share) : arriving;
        a = rng.binomial(eligible, p);
        if (plan.control === 'holdout')
          c = p < 1 ? rng.binomial(eligible - a, controlShare(plan, p) / (1 - p)) : 0;
        else c = eligible - a;
      }
      unitsT += a;
      unitsC += c;
      let live = false;
      for (const s of this.slots) {
        const active = s.effect !== null && state.phaseIndex >= s.effectFrom;
        if (active) live = true;
        stepSlot(
          s,
          x0,
          x,
          arriving,
          a,
          c,
          active ? s.active : null,
          rng,
          k - 1,
          now - state.phaseStartedAt,
        );
      }
      if (live) {
        if (record.onsetMs < 0) record.onsetMs = now - settings.lookIntervalMs - t0;
        record.exposedUnits += a;
      }

      // The traffic so far tunes the guards, as the controller's gatherEvidence does.
      const phaseElapsedMs = now - state.phaseStartedAt;
      const seen: PhaseTraffic = { units: unitsT + unitsC, elapsedMs: phaseElapsedMs };
      while (pending.length > 0 && (pending[0] as Approval).at <= now)
        approvals.push(pending.shift() as Approval);
      // The look's conditions are read (countWaits) only past the phase's minimum
      // duration, and its summary never; decide() skips what is not read. Its
      // decisions are the same.
      const explain =
        phase !== undefined && now - state.phaseStartedAt >= phase.min_duration
          ? 'conditions'
          : false;
      const units = { treatment: unitsT, control: unitsC };
      const probed = this.checksAt(state.phaseIndex);
      let result: DecideResult;
      if (phase === undefined) {
        // Before the first phase nobody is exposed: the controller shows decide() no guards.
        const srm = this.srm(unitsT, unitsC, p, true);
        result = decide(
          plan,
          state,
          { guards: [], srm, units, approvals, ...probed, timeRules },
          now,
          {
            explain,
          },
        );
      } else if (settings.reference === true) {
        const srm = this.srm(unitsT, unitsC, p, true);
        const guards = this.guards(phase, p, seen, phaseElapsedMs, baselineName);
        result = decide(plan, state, { guards, srm, units, approvals, ...probed, timeRules }, now, {
          explain,
        });
      } else {
        // Fast path: verdicts only (guards and split check without reason sentences).
        // decide() reads verdicts, not sentences, to choose decisions, so a look it
        // answers with no decision is the reference path's look; a look with
        // decisions is decided again exactly as on the reference path, so its
        // decisions quote the same reasons.
        const quick = this.evaluate(
          lookGuardOptions(plan, phase, p, seen, phaseElapsedMs, baselineName, false),
          this.scratch,
        );
        const quickSrm = this.srm(unitsT, unitsC, p, false);
        result = decide(
          plan,
          state,
          { guards: quick, srm: quickSrm, units, approvals, ...probed, timeRules },
          now,
          {
            explain,
          },
        );
        if (result.decisions.length > 0) {
          // The decisions may quote these results: they are theirs now.
          this.scratch.forget();
          const guards = this.needsReasons(quick)
            ? this.evaluate(
                lookGuardOptions(plan, phase, p, seen, phaseElapsedMs, baselineName, true),
              )
            : quick;
          const srm = this.srm(unitsT, unitsC, p, true);
          result = decide(
            plan,
            state,
            { guards, srm, units, approvals, ...probed, timeRules },
            now,
            {
              explain,
            },
          );
        }
      }
      const lookPhase = state.phaseIndex;
      let advanced = false;
      for (const d of result.decisions) {
        this.note(d, record, state, now - t0, live);
        if (d.type === 'request-signoff' || d.type === 'ask') this.approve(d, state, pending);
        if (d.type === 'advance') advanced = true;
        state = applyDecision(state, d);
      }
      if (!advanced && lookPhase >= 0) this.countWaits(result.look.conditions, lookPhase, record);
      if (state.status !== 'running') {
        record.outcome = outcomeOf(state.status);
        record.endMs = now - t0;
        break;
      }
    }
    record.endPhase = state.phaseIndex;
    return record;
  }

  /**
   * The look's guards. The verdict-only path first (no reason sentences: most
   * looks only need verdicts); when decide() will write a verdict's reason into a
   * decision (a breach, or an insufficient verdict with an on_insufficient
   * action), the full path again, so decisions read exactly as live ones.
   */
  private guards(
    phase: Phase,
    p: number,
    seen: PhaseTraffic,
    phaseElapsedMs: number,
    baseline: string | undefined,
  ): GuardResult[] {
    const quick = this.evaluate(
      lookGuardOptions(this.plan, phase, p, seen, phaseElapsedMs, baseline, false),
    );
    return this.needsReasons(quick)
      ? this.evaluate(lookGuardOptions(this.plan, phase, p, seen, phaseElapsedMs, baseline, true))
      : quick;
  }

  /**
   * evaluateGuards over the per-unit KPIs, then each per-interval KPI judged on
   * its intervals with the budget share evaluateGuards gave it, as the controller
   * judges a source's per-interval reading. With `scratch` (the fast path's
   * verdict-only looks) the results are the scratch's, written over at the next look.
   */
  private evaluate(options: GuardsOptions, scratch?: GuardScratch): GuardResult[] {
    const results = evaluateGuards(this.plan, this.data, options, scratch);
    for (const i of this.perInterval) {
      const slot = this.slots[i] as KpiSlot;
      results[i] = evaluatePerInterval(
        results[i] as GuardResult,
        slot.kpi,
        intervalEvidence(slot),
        this.plan.analysis.method,
        options.explain !== false,
        options.baseline,
      );
    }
    return results;
  }

  /** The probe results of a look in phase `index` (nothing when the plan has no blocking probe). */
  private checksAt(index: number): { checks?: CheckEvidence[] } {
    if (this.probes.length === 0) return {};
    return {
      checks: this.probes.map((p) =>
        index >= p.from
          ? { check: p.check, passed: false, reason: 'the check fails (injected)' }
          : { check: p.check, passed: true, reason: 'the check passes (rehearsal)' },
      ),
    };
  }

  /** Whether decide() may quote one of these verdicts' reasons (a breach, or an insufficient verdict it acts on). */
  private needsReasons(quick: readonly GuardResult[]): boolean {
    for (let i = 0; i < quick.length; i++) {
      const v = (quick[i] as GuardResult).verdict;
      if (v === 'breach' || (v === 'insufficient-evidence' && this.actsOnInsufficient[i] === true))
        return true;
    }
    return false;
  }

  private srm(unitsT: number, unitsC: number, p: number, explain: boolean): SrmResult {
    const options = explain ? undefined : NO_EXPLAIN;
    if (!(p > 0))
      return checkSampleRatio(
        { treatment: 0, control: 0 },
        { treatment: 0, control: 1 },
        undefined,
        options,
      );
    if (this.split === null || this.split.p !== p)
      this.split = { p, share: plannedSplit(this.plan, p) };
    return checkSampleRatio(
      { treatment: unitsT, control: unitsC },
      this.split.share,
      this.plan.analysis.srm_p_value,
      options,
    );
  }

  /** Record what a decision means for the report. */
  private note(d: Decision, r: RunRecord, state: LaunchState, at: number, live: boolean): void {
    if (d.type === 'advance') {
      r.phaseEnteredMs[d.to] = at;
      if (d.traffic >= 1 && r.fullMs < 0) r.fullMs = at;
      return;
    }
    if (d.rule === 'srm' && d.type === 'hold') {
      if (r.srmMs < 0) r.srmMs = at;
      return;
    }
    if (d.rule !== 'guard-breach' && d.rule !== 'risk-contingency') return;
    const response = d.type === 'webhook' ? 'notify' : d.type;
    const severity = SEVERITY[response];
    if (severity === undefined) return;
    const kpis =
      'kpi' in d && d.kpi !== undefined
        ? [d.kpi]
        : (d.evidence.guards ?? []).filter((g) => g.verdict === 'breach').map((g) => g.kpi);
    for (const name of kpis) {
      const i = this.positions.get(name) ?? -1;
      const slot = this.slots[i];
      if (slot === undefined) continue;
      if (d.type === 'rollback' || d.type === 'pause') r.stoppedBy.push(i);
      const injectedHere = slot.effect !== null;
      const liveHere = injectedHere && state.phaseIndex >= slot.effectFrom;
      if (injectedHere && !liveHere) {
        r.earlyAlarm[i] = 1;
        continue;
      }
      const first = (r.alarmMs[i] as number) < 0;
      if (first || (r.alarmMs[i] === at && severity > (r.alarmResponse[i] as number))) {
        r.alarmMs[i] = at;
        r.alarmPhase[i] = state.phaseIndex;
        r.alarmResponse[i] = severity;
        if (first && live && injectedHere && r.exposedAtAlarm < 0)
          r.exposedAtAlarm = r.exposedUnits;
      }
    }
  }

  /** Schedule the approvals a request or an ask gets: each role's quorum, after the sign-off delay. */
  private approve(
    d: Extract<Decision, { type: 'request-signoff' } | { type: 'ask' }>,
    state: LaunchState,
    pending: Approval[],
  ): void {
    const roles =
      d.type === 'request-signoff'
        ? d.roles
        : d.roles.map((role) => ({ role, quorum: this.plan.signoff?.roles[role]?.quorum ?? 1 }));
    const phase = d.type === 'request-signoff' ? d.forPhase : d.phase;
    for (const { role, quorum } of roles)
      for (let i = 1; i <= quorum; i++)
        pending.push({
          role,
          phase,
          decision: 'approve',
          actor: `rehearsal-${role}-${i}`,
          planVersion: state.planVersion,
          at: d.at + this.settings.signoffDelayMs,
        });
    pending.sort((x, y) => x.at - y.at);
  }

  /** After the minimum duration: which conditions (and which KPIs' missing verdicts) kept the phase waiting. */
  private countWaits(conditions: readonly Condition[], phase: number, r: RunRecord): void {
    let pastMinimum = false;
    for (const c of conditions) if (c.id === 'min-duration') pastMinimum = c.met;
    if (!pastMinimum) return;
    r.looksPastMinimum[phase] = (r.looksPastMinimum[phase] as number) + 1;
    const base = phase * WAIT_CONDITIONS.length;
    for (const c of conditions) {
      if (c.met) continue;
      const j = CONDITION_INDEX[c.id];
      if (j !== undefined) r.waits[base + j] = (r.waits[base + j] as number) + 1;
      if (c.id === 'guards')
        for (const name of c.insufficient) {
          const i = this.positions.get(name);
          if (i !== undefined) {
            const at = phase * this.slots.length + i;
            r.undecided[at] = (r.undecided[at] as number) + 1;
          }
        }
    }
  }
}

/**
 * A look's guard options, as the controller's gatherEvidence passes them, key by
 * key: V8 (Node 20) builds `{ ...options, more }` property by property at about
 * 1 µs each, and this runs at every look.
 */
function lookGuardOptions(
  plan: Plan,
  phase: Phase,
  p: number,
  seen: PhaseTraffic,
  phaseElapsedMs: number,
  baseline: string | undefined,
  explain: boolean,
): GuardsOptions {
  const look = guardOptions(plan, phase, p, seen);
  const options: GuardsOptions = { minUnits: look.minUnits, phaseElapsedMs };
  if (look.tuneUnits !== undefined) options.tuneUnits = look.tuneUnits;
  if (baseline !== undefined) options.baseline = baseline;
  if (!explain) options.explain = false;
  return options;
}

function outcomeOf(status: LaunchState['status']): RunOutcome {
  if (status === 'completed') return 'completed';
  if (status === 'rolled-back') return 'rolled-back';
  if (status === 'paused') return 'paused';
  return 'unfinished';
}
