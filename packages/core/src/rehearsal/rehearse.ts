/**
 * rehearse(): replay a plan through history (or a synthetic profile) many times,
 * clean and with injected regressions, and report what the plan would do. Pure:
 * no clock, no I/O; all randomness comes from the seed, so the same inputs give
 * the same report.
 */
import type { Plan } from '../plan/index.js';
import { formatDuration, formatShare } from '../plan/index.js';
import {
  DEFAULT_INTERVAL_STEP_MS,
  MIN_INTERVAL_SAMPLES,
  MIN_UNITS_FOR_VERDICT,
  readsPerInterval,
} from '../statistics/index.js';
import { buildSamplers } from './build-samplers.js';
import { detectableEffects } from './detectable-effects.js';
import type { DetectionContext } from './detectable-effects.js';
import { findings } from './findings.js';
import type { History } from './history.js';
import type { Injection } from './injection.js';
import { impossibleEffect } from './injection.js';
import type { KpiSampler } from './kpi-sampler.js';
import { LaunchSimulator } from './launch-simulator.js';
import { planKpis } from './live-evidence.js';
import type { SimulationSettings } from './launch-simulator.js';
import type { TimeRules } from '../decide/index.js';
import { describeTimeRules } from '../decide/index.js';
import { SeededRandom } from './random.js';
import type { ReportSettings, RehearsalReport } from './rehearsal-report.js';
import { reportHistory, reportPlan } from './report-plan.js';
import type { RunRecord } from './run-record.js';
import { powerCurves, summarizeClean, summarizeInjection } from './summarize-runs.js';
import type { TrafficProfile } from './traffic-profile.js';
import { syntheticHistory } from './traffic-profile.js';
import { prefixSums } from './window-sums.js';

/** Options of a rehearsal; every field has a default. */
export interface RehearsalOptions {
  /** Simulated launches per scenario (the clean replay and each injection). Default 200. */
  runs?: number;
  /** Seed of all randomness. Default 1. */
  seed?: number;
  /** Time between looks (ms). Default 5 minutes. */
  lookIntervalMs?: number;
  /** Sign-offs and asks are approved this long after they are requested (ms). Default 0. */
  signoffDelayMs?: number;
  /** Longest simulated launch (ms). Default: the history's length. */
  maxDurationMs?: number;
  /** Injected regressions, one scenario each. Default none (a clean replay only). */
  injections?: Injection[];
  /** Share of arriving units matching each phase's audience, by phase name. Default 1. */
  audience?: Record<string, number>;
  /**
   * true: simulate on the reference path (see SimulationSettings.reference; its
   * quantile sketches list their buckets instead of giving running counts), for
   * the equivalence tests and the benchmark. The report is the same.
   */
  reference?: boolean;
  /** Called after each simulated launch (for progress bars); must not throw. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The time rules of the environment the plan will run in (freeze windows,
   * allowed hours): simulated launches do not advance outside them, as live ones
   * do not. Times are those of the history. Default none.
   */
  timeRules?: TimeRules;
}

/** Defaults of {@link RehearsalOptions}. */
export const REHEARSAL_DEFAULTS = {
  runs: 200,
  seed: 1,
  lookIntervalMs: 5 * 60_000,
  signoffDelayMs: 0,
} as const;

/** Whether a rehearsal source is a history (else a traffic profile). */
export function isHistory(source: History | TrafficProfile): source is History {
  return (source as History).units instanceof Float64Array;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

/**
 * Rehearse `plan` against a history or a synthetic traffic profile. Throws a
 * RangeError naming the option for invalid options; a valid call never throws.
 */
export function rehearse(
  plan: Plan,
  source: History | TrafficProfile,
  options: RehearsalOptions = {},
): RehearsalReport {
  const prepared = prepareRehearsal(plan, source, options);
  const total = prepared.runs * (1 + prepared.injections.length);
  let done = 0;
  const onRun =
    options.onProgress === undefined ? undefined : () => options.onProgress?.(++done, total);
  const records: RunRecord[][] = [];
  for (let s = 0; s <= prepared.injections.length; s++)
    records.push(simulateRuns(prepared, s, 0, prepared.runs, onRun));
  return reportRehearsal(prepared, records);
}

/** A rehearsal's checked inputs and what every simulated launch shares; see {@link prepareRehearsal}. */
export interface PreparedRehearsal {
  plan: Plan;
  history: History;
  kind: 'history' | 'synthetic';
  runs: number;
  seed: number;
  injections: Injection[];
  unitsPrefix: Float64Array;
  samplers: KpiSampler[];
  simulation: SimulationSettings;
}

/**
 * Check a rehearsal's options and build what its launches share. Cheap and
 * deterministic: a worker thread that gets the same (plan, source, options)
 * rebuilds the same thing. Throws a RangeError naming the option.
 */
export function prepareRehearsal(
  plan: Plan,
  source: History | TrafficProfile,
  options: RehearsalOptions = {},
): PreparedRehearsal {
  const kind = isHistory(source) ? 'history' : 'synthetic';
  const history = isHistory(source) ? source : syntheticHistory(plan, source);
  const runs = options.runs ?? REHEARSAL_DEFAULTS.runs;
  const seed = options.seed ?? REHEARSAL_DEFAULTS.seed;
  const lookIntervalMs = options.lookIntervalMs ?? REHEARSAL_DEFAULTS.lookIntervalMs;
  const signoffDelayMs = options.signoffDelayMs ?? REHEARSAL_DEFAULTS.signoffDelayMs;
  const historyMs = history.length * history.intervalMs;
  const maxDurationMs = options.maxDurationMs ?? historyMs;
  const injections = options.injections ?? [];
  check(
    Number.isInteger(runs) && runs >= 1,
    `runs must be a whole number of 1 or more, got ${runs}`,
  );
  check(Number.isSafeInteger(seed), `seed must be a whole number, got ${seed}`);
  check(lookIntervalMs >= 1000, `lookIntervalMs must be at least 1s, got ${lookIntervalMs}`);
  check(signoffDelayMs >= 0, `signoffDelayMs must not be negative, got ${signoffDelayMs}`);
  check(
    maxDurationMs >= lookIntervalMs,
    `maxDurationMs (${maxDurationMs}) must be at least one look interval (${lookIntervalMs})`,
  );
  check(history.length >= 2, 'the history needs at least 2 intervals');
  const audienceByName = options.audience ?? {};
  for (const [name, share] of Object.entries(audienceByName)) {
    check(
      plan.phases.some((p) => p.name === name),
      `audience: the plan has no phase ${name}`,
    );
    check(share > 0 && share <= 1, `audience.${name} must be above 0% and at most 100%`);
  }
  const audience = plan.phases.map((p) => audienceByName[p.name] ?? 1);

  const unitsPrefix = prefixSums(history.units);
  const samplers = buildSamplers(
    plan,
    history,
    unitsPrefix,
    injections,
    options.reference === true,
  );
  injections.forEach((inj, i) => {
    for (const e of inj.effects) {
      const sampler = samplers.find((s) => s.kpi.name === e.kpi);
      if (sampler === undefined) continue;
      const why = impossibleEffect(e, sampler.kpi.kind, sampler.baseline().value);
      check(why === null, `injections.${i}: ${why ?? ''}`);
    }
  });
  return {
    plan,
    history,
    kind,
    runs,
    seed,
    injections,
    unitsPrefix,
    samplers,
    simulation: {
      lookIntervalMs,
      signoffDelayMs,
      maxDurationMs,
      audience,
      ...(options.reference === true ? { reference: true } : {}),
      ...(options.timeRules === undefined ? {} : { timeRules: options.timeRules }),
    },
  };
}

/**
 * Simulate launches `from` (inclusive) to `to` (exclusive) of one scenario (0: the
 * clean replay, i: injection i − 1). Launch r depends only on the seed and r, so
 * any split of the runs into ranges, in any order or thread, gives the same records.
 */
export function simulateRuns(
  prepared: PreparedRehearsal,
  scenario: number,
  from: number,
  to: number,
  onRun?: () => void,
): RunRecord[] {
  const { plan, history, samplers, unitsPrefix, simulation, seed } = prepared;
  const effects = scenario === 0 ? [] : (prepared.injections[scenario - 1]?.effects ?? null);
  if (effects === null) throw new RangeError(`scenario ${scenario} does not exist`);
  const failing = scenario === 0 ? [] : (prepared.injections[scenario - 1]?.checks ?? []);
  const sim = new LaunchSimulator(
    plan,
    history,
    samplers,
    unitsPrefix,
    simulation,
    effects,
    failing,
  );
  const records: RunRecord[] = [];
  for (let r = from; r < to; r++) {
    // One stream per launch index, shared by every scenario: launch r of each
    // scenario starts at the same place and sees the same traffic.
    const rng = new SeededRandom(seed, r);
    records.push(sim.run(rng, rng.integer(history.length)));
    onRun?.();
  }
  return records;
}

/** The report from every scenario's records (`records[s]`: scenario s's launches, in run order). */
export function reportRehearsal(
  prepared: PreparedRehearsal,
  records: readonly (readonly RunRecord[])[],
): RehearsalReport {
  const { plan, history, kind, samplers, unitsPrefix, simulation, injections } = prepared;
  const historyMs = history.length * history.intervalMs;
  const settings: ReportSettings = {
    runs: prepared.runs,
    seed: prepared.seed,
    lookIntervalMs: simulation.lookIntervalMs,
    signoffDelayMs: simulation.signoffDelayMs,
    maxDurationMs: simulation.maxDurationMs,
    audience: plan.phases.map((p, i) => ({ phase: p.name, share: simulation.audience[i] ?? 1 })),
    ...(simulation.timeRules === undefined ? {} : { timeRules: simulation.timeRules }),
  };
  const clean = summarizeClean(plan, records[0] ?? []);
  const injected = injections.map((inj, i) => summarizeInjection(plan, inj, records[i + 1] ?? []));
  const historySummary = reportHistory(history, samplers, kind);
  const detection: DetectionContext = {
    plan,
    samplers,
    unitsPerMinute: ((unitsPrefix[history.length] as number) / historyMs) * 60_000,
    audience: simulation.audience,
  };
  return {
    version: 1,
    plan: reportPlan(plan),
    history: historySummary,
    settings,
    assumptions: assumptions(plan, settings, kind),
    clean,
    injections: injected,
    powerCurves: powerCurves(clean, injected),
    detectableEffects: detectableEffects(detection),
    findings: findings({ plan, settings, clean, injections: injected, detection }),
  };
}

function assumptions(plan: Plan, s: ReportSettings, kind: 'history' | 'synthetic'): string[] {
  const out = [
    `Each simulated launch starts at a random point of the ${kind === 'history' ? 'history' : 'synthetic history'}, which repeats, and runs for at most ${formatDuration(s.maxDurationMs)}; the plan is looked at every ${formatDuration(s.lookIntervalMs)} by the same guards and decide() as a live launch.`,
    s.signoffDelayMs === 0
      ? 'Sign-offs and asks are approved at the look after they are requested (--signoff-delay 0).'
      : `Sign-offs and asks are approved ${formatDuration(s.signoffDelayMs)} after they are requested (--signoff-delay).`,
    'A launch that is paused or rolled back stops there: a pause counts as caught (on clean history, as a false alarm).',
    "A unit's KPI values belong to the interval it arrives in; per-arm sums are drawn by the normal approximation from the history's per-unit means and variances (occurrences and events: binomial).",
    "Quantile KPIs are log-normal per interval; their sampling noise uses the arm's units as the sample size, as the guard does.",
  ];
  const perInterval = planKpis(plan).filter(readsPerInterval);
  if (perInterval.length > 0)
    out.push(
      `${perInterval.map((k) => `${k.name} (step ${formatDuration(k.step ?? DEFAULT_INTERVAL_STEP_MS)})`).join(', ')} ${perInterval.length === 1 ? 'is a Prometheus KPI' : 'are Prometheus KPIs'}, judged as the source reads ${perInterval.length === 1 ? 'it' : 'them'}: each step of the phase is one sample per arm (basis per-interval: a ratio of the step's counts, or the step's mean or quantile), so the guard counts steps, not units, and needs ${Math.max(MIN_INTERVAL_SAMPLES, MIN_UNITS_FOR_VERDICT)} per arm before a verdict.`,
    );
  if (planKpis(plan).some((k) => k.source === 'prometheus' && k.kind === 'slo-burn'))
    out.push(
      "Prometheus burn rates count requests divided by the overdispersion factor φ, which is about 1 for the simulation's independent units (basis request-counts).",
    );
  const constrained = plan.phases.filter((p) => p.audience.length > 0);
  const given = s.audience.filter((a) => a.share < 1).map((a) => a.phase);
  const missing = constrained.filter((p) => !given.includes(p.name)).map((p) => p.name);
  if (missing.length > 0)
    out.push(
      `Phase audiences are not simulated for ${missing.join(', ')}: every arriving unit is eligible (give the matching share with --audience PHASE=SHARE).`,
    );
  for (const a of s.audience)
    if (a.share < 1)
      out.push(`${formatShare(a.share)} of arriving units match the audience of phase ${a.phase}.`);
  if (s.timeRules !== undefined)
    out.push(
      `${describeTimeRules(s.timeRules)} Simulated launches meet them at the ${kind === 'history' ? "history's" : "synthetic history's"} times, as a live launch does (rollback and pause are never stopped).`,
    );
  return out;
}
