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
  DecideOptions,
  DecideResult,
  Evidence,
  LaunchState,
  PhaseTraffic,
  TimeRules,
} from '../decide/index.js';
import { applyDecision, baselinePhase, decide, initialLaunchState } from '../decide/index.js';
import type { Phase, Plan } from '../plan/index.js';
import { isAutomatedCheck } from '../plan/index.js';
import type { ArmAggregates, GuardResult, GuardsOptions, SrmResult } from '../statistics/index.js';
import { checkSampleRatio, evaluateGuards, evaluatePerInterval } from '../statistics/index.js';
import { noGuardBreaches } from '../statistics/breach-screen.js';
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
import type { RunRecord } from './run-record.js';
import { WAIT_CONDITIONS } from './run-record.js';
import type { RunKpis } from './run-notes.js';
import { countWaits, noteDecision, outcomeOf, scheduleApprovals } from './run-notes.js';
import { quietBefore } from './quiet-look.js';
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
  /**
   * Tests: at every look the fast path settles without decide() (see quietBefore),
   * run the guards and decide() anyway and throw if it decides anything.
   */
  checkQuietLooks?: boolean;
}

const NO_EXPLAIN = { explain: false } as const;
const ZERO_UNITS = Object.freeze({ treatment: 0, control: 0 });
const ALL_CONTROL = Object.freeze({ treatment: 0, control: 1 });
/** decide()'s options, one object per value: it only reads them. */
const DECIDE_CONDITIONS: DecideOptions = Object.freeze({ explain: 'conditions' });
const DECIDE_QUIET: DecideOptions = Object.freeze({ explain: false });

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
  /** `slots` and `positions`, for what the record notes. */
  private readonly kpis: RunKpis;
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
  /**
   * What a look reads that changes only with the phase or its traffic, computed
   * when either changes (see enterLook): the audience share, the holdout's control
   * share of the units not in treatment, and the blocking probes' results.
   */
  private lookPhase = Number.NaN;
  private lookTraffic = Number.NaN;
  private audienceShare = 1;
  private holdoutShare = 0;
  private phaseChecks: CheckEvidence[] | undefined = undefined;
  /**
   * The verdict-only look's inputs, written over at every look: decide() and the
   * guards only read them (decide() copies the units), and a look whose decide()
   * made decisions is decided again on fresh objects, so nothing that outlives a
   * look refers to these. One shape each, every key always set.
   */
  private readonly seen: PhaseTraffic = { units: 0, elapsedMs: 0 };
  private readonly units = { treatment: 0, control: 0 };
  private readonly quickOptions: GuardsOptions = {
    minUnits: 0,
    tuneUnits: undefined,
    phaseElapsedMs: 0,
    baseline: undefined,
    explain: false,
  };
  private readonly evidence: Evidence = {
    guards: [],
    srm: checkSampleRatio(ZERO_UNITS, ALL_CONTROL, undefined, NO_EXPLAIN),
    units: this.units,
    approvals: [],
    timeRules: undefined,
    checks: undefined,
  };

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
    this.kpis = { positions: this.positions, slots: this.slots };
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
    const holdout = plan.control === 'holdout';
    // What the loop reads of the state, read again only when a decision changed it: the
    // states applyDecision returns come in several shapes, and most looks decide nothing.
    let phaseIndex = state.phaseIndex;
    let p = state.traffic;
    let phaseStartedAt = state.phaseStartedAt;
    let accPhase = phaseIndex;
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

      if (phaseIndex !== accPhase) {
        // Entering a phase without a control arm: the control arm of the phase left (if it
        // had one) becomes the baseline; a baseline taken earlier stays.
        const hadControl =
          accPhase >= 0 && controlShare(plan, plan.phases[accPhase]?.traffic ?? 0) > 0;
        const baseline = baselinePhase(plan, phaseIndex, p);
        const keep = baseline === undefined ? 'none' : hadControl ? 'take' : 'keep';
        accPhase = phaseIndex;
        unitsT = 0;
        unitsC = 0;
        baselineName = baseline?.name;
        // Burn windows run across phases, as the store counts them over the whole launch.
        for (const s of this.slots) if (s.burn === null) resetSlot(s, keep);
      }
      if (phaseIndex !== this.lookPhase || p !== this.lookTraffic) this.enterLook(phaseIndex, p);
      const phase = plan.phases[phaseIndex];
      let a = 0;
      let c = 0;
      if (p > 0 && arriving > 0) {
        const share = this.audienceShare;
        const eligible = share < 1 ? rng.binomial(arriving, share) : arriving;
        a = rng.binomial(eligible, p);
        if (holdout) c = p < 1 ? rng.binomial(eligible - a, this.holdoutShare) : 0;
        else c = eligible - a;
      }
      unitsT += a;
      unitsC += c;
      // The traffic so far tunes the guards, as the controller's gatherEvidence does.
      const phaseElapsedMs = now - phaseStartedAt;
      let live = false;
      for (const s of this.slots) {
        const active = s.effect !== null && phaseIndex >= s.effectFrom;
        if (active) live = true;
        stepSlot(s, x0, x, arriving, a, c, active ? s.active : null, rng, k - 1, phaseElapsedMs);
      }
      if (live) {
        if (record.onsetMs < 0) record.onsetMs = now - settings.lookIntervalMs - t0;
        record.exposedUnits += a;
      }

      while (pending.length > 0 && (pending[0] as Approval).at <= now)
        approvals.push(pending.shift() as Approval);
      // The look's conditions are read (countWaits) only past the phase's minimum
      // duration, and its summary never; decide() skips what is not read. Its
      // decisions are the same.
      const explain =
        phase !== undefined && phaseElapsedMs >= phase.min_duration ? 'conditions' : false;
      let result: DecideResult;
      if (phase === undefined) {
        // Before the first phase nobody is exposed: the controller shows decide() no guards.
        result = this.decideFresh(state, [], unitsT, unitsC, p, approvals, now, explain);
      } else if (settings.reference === true) {
        const seen: PhaseTraffic = { units: unitsT + unitsC, elapsedMs: phaseElapsedMs };
        const guards = this.guards(phase, p, seen, phaseElapsedMs, baselineName);
        result = this.decideFresh(state, guards, unitsT, unitsC, p, approvals, now, explain);
      } else {
        // Fast path: verdicts only (guards and split check without reason sentences).
        // decide() reads verdicts, not sentences, to choose decisions, so a look it
        // answers with no decision is the reference path's look; a look with
        // decisions is decided again exactly as on the reference path, so its
        // decisions quote the same reasons.
        const seen = this.seen;
        seen.units = unitsT + unitsC;
        seen.elapsedMs = phaseElapsedMs;
        const units = this.units;
        units.treatment = unitsT;
        units.control = unitsC;
        const options = this.quickOptions;
        const look = guardOptions(plan, phase, p, seen);
        options.minUnits = look.minUnits;
        options.tuneUnits = look.tuneUnits;
        options.phaseElapsedMs = phaseElapsedMs;
        options.baseline = baselineName;
        const evidence = this.evidence;
        evidence.srm = this.srm(units, p, false);
        evidence.approvals = approvals;
        evidence.timeRules = timeRules;
        evidence.checks = this.phaseChecks;
        // Before the minimum duration, with nothing pending, decide() can act on a
        // breach or a broken split alone: a look with neither decides nothing.
        if (
          explain === false &&
          evidence.srm.healthy !== false &&
          this.perInterval.length === 0 &&
          quietBefore(state, plan.phases[phaseIndex + 1]?.name, this.phaseChecks) &&
          noGuardBreaches(plan, this.data, options, this.scratch)
        ) {
          if (settings.checkQuietLooks === true) this.checkQuiet(state, evidence, options, now);
          continue;
        }
        evidence.guards = this.evaluate(options, this.scratch);
        result = decide(
          plan,
          state,
          evidence,
          now,
          explain === false ? DECIDE_QUIET : DECIDE_CONDITIONS,
        );
        if (result.decisions.length > 0) {
          // The decisions may quote these results: they are theirs now.
          const quick = evidence.guards;
          this.scratch.forget();
          evidence.guards = [];
          const fresh: PhaseTraffic = { units: unitsT + unitsC, elapsedMs: phaseElapsedMs };
          const guards = this.needsReasons(quick)
            ? this.evaluate(
                lookGuardOptions(plan, phase, p, fresh, phaseElapsedMs, baselineName, true),
              )
            : quick;
          result = this.decideFresh(state, guards, unitsT, unitsC, p, approvals, now, explain);
        }
      }
      const decisions = result.decisions;
      if (decisions.length === 0) {
        if (phaseIndex >= 0) countWaits(result.look.conditions, phaseIndex, record, this.kpis);
        continue;
      }
      let advanced = false;
      for (const d of decisions) {
        noteDecision(d, record, state, now - t0, live, this.kpis);
        if (d.type === 'request-signoff' || d.type === 'ask')
          scheduleApprovals(d, state, pending, plan, settings.signoffDelayMs);
        if (d.type === 'advance') advanced = true;
        state = applyDecision(state, d);
      }
      if (!advanced && phaseIndex >= 0)
        countWaits(result.look.conditions, phaseIndex, record, this.kpis);
      if (state.status !== 'running') {
        record.outcome = outcomeOf(state.status);
        record.endMs = now - t0;
        break;
      }
      phaseIndex = state.phaseIndex;
      p = state.traffic;
      phaseStartedAt = state.phaseStartedAt;
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

  /** checkQuietLooks: the look the fast path settled, decided in full, must decide nothing. */
  private checkQuiet(state: LaunchState, evidence: Evidence, options: GuardsOptions, now: number) {
    evidence.guards = this.evaluate(options, this.scratch);
    const result = decide(this.plan, state, evidence, now, DECIDE_QUIET);
    if (result.decisions.length > 0)
      throw new Error(
        `a look settled without decide() decides: ${result.decisions.map((d) => d.reason).join('; ')}`,
      );
  }

  /** The probe results of a look in phase `index` (undefined when the plan has no blocking probe). */
  private checksAt(index: number): CheckEvidence[] | undefined {
    if (this.probes.length === 0) return undefined;
    return this.probes.map((p) =>
      index >= p.from
        ? { check: p.check, passed: false, reason: 'the check fails (injected)' }
        : { check: p.check, passed: true, reason: 'the check passes (rehearsal)' },
    );
  }

  /** A look in a new phase or at a new traffic share: what stays the same until either changes. */
  private enterLook(phaseIndex: number, p: number): void {
    this.lookPhase = phaseIndex;
    this.lookTraffic = p;
    this.audienceShare = this.settings.audience[phaseIndex] ?? 1;
    this.holdoutShare = p > 0 && p < 1 ? controlShare(this.plan, p) / (1 - p) : 0;
    this.phaseChecks = this.checksAt(phaseIndex);
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

  /** The split check of a look (`units` is only read, so the verdict-only look lends its own). */
  private srm(
    units: { treatment: number; control: number },
    p: number,
    explain: boolean,
  ): SrmResult {
    const options = explain ? undefined : NO_EXPLAIN;
    if (!(p > 0)) return checkSampleRatio(ZERO_UNITS, ALL_CONTROL, undefined, options);
    if (this.split === null || this.split.p !== p)
      this.split = { p, share: plannedSplit(this.plan, p) };
    return checkSampleRatio(units, this.split.share, this.plan.analysis.srm_p_value, options);
  }

  /**
   * decide() on evidence of its own (a look whose decisions may keep it): the
   * split check with reasons, the phase's probe results, new objects throughout.
   */
  private decideFresh(
    state: LaunchState,
    guards: GuardResult[],
    treatment: number,
    control: number,
    p: number,
    approvals: Approval[],
    now: number,
    explain: false | 'conditions',
  ): DecideResult {
    const evidence: Evidence = {
      guards,
      srm: this.srm({ treatment, control }, p, true),
      units: { treatment, control },
      approvals,
    };
    const checks = this.checksAt(state.phaseIndex);
    if (checks !== undefined) evidence.checks = checks;
    evidence.timeRules = this.settings.timeRules;
    return decide(this.plan, state, evidence, now, { explain });
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
