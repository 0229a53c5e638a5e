/**
 * Seeded A/A phases for the false-alarm budget tests: units arrive at a steady
 * rate, split between the arms as the bucketing would (control the rest, or a
 * same-size holdout), every unit has the same chance of the event in both arms,
 * and the real guards (evaluateGuards, with the options the controller passes)
 * look at the phase's aggregates at a fixed interval. A false breach is any
 * breach at any look.
 */
import { guardOptionsFor, plannedSplit } from '../../../src/decide/index.js';
import { parsePlan } from '../../../src/plan/index.js';
import type { Plan } from '../../../src/plan/index.js';
import { SeededRandom } from '../../../src/rehearsal/random.js';
import { evaluateGuards } from '../../../src/statistics/index.js';
import type { ArmAggregates, GuardsOptions } from '../../../src/statistics/index.js';

/** One A/A setting. */
export interface AaSetting {
  /** Chance that a unit has the event (same in both arms). */
  base: number;
  /** Treatment share of the phase. */
  traffic: number;
  control: 'rest' | 'holdout';
  /** The guard, e.g. 'max_decrease: 0%'. */
  guard: string;
  /** KPI window (YAML duration), if any. */
  window?: string;
  lookMinutes: number;
  hours: number;
  /** occurrence (default), or count: a unit with the event has 2 events one time in five. */
  kind?: 'occurrence' | 'count';
  /** A true relative change of the treatment's rate within the margin (default 0: A/A). */
  effect?: number;
  /** New units per hour across the whole population. */
  unitsPerHour: number;
  minUnits?: number;
}

/** A plan whose first phase is the A/A phase (then 100%), one occurrence KPI, the default 5% budget. */
export function aaPlan(s: AaSetting): Plan {
  const window = s.window === undefined ? '' : `, window: ${s.window}`;
  const source = `launch: aa
owner: stats
control: ${s.control}
phases:
  - { name: only, traffic: ${s.traffic}, min_units: ${s.minUnits ?? 100} }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: events, kind: ${s.kind ?? 'occurrence'}, event: e, guard: { ${s.guard} }${window} }
`;
  const r = parsePlan(source);
  if (!r.valid) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return r.plan;
}

interface Arm {
  units: number;
  sum: number;
  sumSquares: number;
  kind?: 'occurrence' | 'count';
}

/** An arm's aggregate of the KPI's kind. */
function aggregate(a: Arm): ArmAggregates['treatment'] {
  return { kind: a.kind ?? 'occurrence', units: a.units, sum: a.sum, sumSquares: a.sumSquares };
}

/** Add `n` units with the event rate `p` to an arm (for counts, one in five has 2 events). */
function addUnits(a: Arm, n: number, p: number, rng: SeededRandom): [number, number, number] {
  const k = rng.binomial(n, p);
  const doubles = a.kind === 'count' ? rng.binomial(k, 0.2) : 0;
  a.units += n;
  a.sum += k + doubles;
  a.sumSquares += k + 3 * doubles;
  return [n, k + doubles, k + 3 * doubles];
}

/** Share of `runs` seeded A/A phases with a breach at any look. */
export function falseBreaches(s: AaSetting, runs: number, seed: number): number {
  const plan = aaPlan(s);
  const phase = plan.phases[0];
  if (phase === undefined) throw new Error('no phase');
  const split = plannedSplit(plan, s.traffic);
  const base: GuardsOptions = { ...guardOptionsFor(plan, phase, s.traffic), explain: false };
  const lookMs = s.lookMinutes * 60_000;
  const looks = Math.round((s.hours * 60) / s.lookMinutes);
  const perLook = (s.unitsPerHour * s.lookMinutes) / 60;
  const windowMs = plan.kpis['operational-health'][0]?.window;
  let breached = 0;
  judged.looks = 0;
  judged.baseline = 0;
  for (let run = 0; run < runs; run++) {
    const rng = new SeededRandom(seed, run);
    const t: Arm = { units: 0, sum: 0, sumSquares: 0, kind: s.kind ?? 'occurrence' };
    const c: Arm = { units: 0, sum: 0, sumSquares: 0, kind: s.kind ?? 'occurrence' };
    // For a windowed KPI: the units, sums and sums of squares of each look, to sum any window.
    const history: number[][] = [];
    for (let k = 1; k <= looks; k++) {
      const arriving = rng.binomial(Math.round(perLook * 2), 0.5);
      const nt = rng.binomial(arriving, split.treatment);
      const nc = rng.binomial(arriving - nt, split.control / (1 - split.treatment));
      history.push([
        ...addUnits(t, nt, s.base * (1 + (s.effect ?? 0)), rng),
        ...addUnits(c, nc, s.base, rng),
      ]);
      const elapsed = k * lookMs;
      let data: ArmAggregates = { treatment: aggregate(t), control: aggregate(c) };
      if (windowMs !== undefined) data = windowed(history, elapsed, lookMs, windowMs, t.kind);
      const options: GuardsOptions & { phaseElapsedMs?: number } = {
        ...base,
        phaseElapsedMs: elapsed,
      };
      const [g] = evaluateGuards(plan, { events: data }, options);
      if (g?.comparison?.interval != null) judged.looks++;
      if (g?.verdict === 'breach') {
        breached++;
        break;
      }
    }
  }
  return breached / runs;
}

/**
 * The data a windowed KPI is judged on at `elapsedMs`, as the controller reads
 * it (see windowStartMs in core): from the window's start to now.
 */
function windowed(
  history: number[][],
  elapsedMs: number,
  lookMs: number,
  windowMs: number,
  kind: Arm['kind'],
): ArmAggregates {
  const from = windowFrom(elapsedMs, windowMs);
  const t: Arm = { units: 0, sum: 0, sumSquares: 0, kind };
  const c: Arm = { units: 0, sum: 0, sumSquares: 0, kind };
  for (let i = 0; i < history.length; i++) {
    // Look i+1 covers (i·lookMs, (i+1)·lookMs]; it counts when it ends after `from`.
    if ((i + 1) * lookMs <= from) continue;
    const [nt = 0, st = 0, qt = 0, nc = 0, sc = 0, qc = 0] = history[i] ?? [];
    t.units += nt;
    t.sum += st;
    t.sumSquares += qt;
    c.units += nc;
    c.sum += sc;
    c.sumSquares += qc;
  }
  return { treatment: aggregate(t), control: aggregate(c) };
}

/** Start of the window judged at `elapsedMs` (overridden once core exports the rule). */
export let windowFrom = (elapsedMs: number, windowMs: number): number =>
  Math.max(0, elapsedMs - windowMs);

/** Replace the window rule (the trailing window before the fix, core's block rule after). */
export function useWindowRule(rule: (elapsedMs: number, windowMs: number) => number): void {
  windowFrom = rule;
}

/**
 * Looks of the last simulation whose comparison had an interval, and (whole
 * launches) that were judged against a baseline: a test asserts both are
 * positive, so that malformed data (always insufficient) cannot pass as "no
 * false breaches".
 */
export const judged = { looks: 0, baseline: 0 };

/** Upper end of the Wilson 95% interval of k successes in n trials. */
export function wilsonUpper(share: number, n: number, z = 1.959964): number {
  const z2 = z * z;
  const centre = share + z2 / (2 * n);
  const spread = z * Math.sqrt((share * (1 - share)) / n + z2 / (4 * n * n));
  return (centre + spread) / (1 + z2 / n);
}

/** A whole A/A launch: phases in sequence, each for `hoursPerPhase`, the last at 100%. */
export interface AaLaunchSetting {
  base: number;
  /** Treatment shares of the phases, the last 1 (100%). */
  phases: number[];
  control: 'rest' | 'holdout';
  guard: string;
  lookMinutes: number;
  hoursPerPhase: number;
  unitsPerHour: number;
}

/** The plan of a whole A/A launch (min_units 100 per phase; the 100% phase bakes). */
export function aaLaunchPlan(s: AaLaunchSetting): Plan {
  const phases = s.phases
    .map((p, i) =>
      p >= 1
        ? `  - { name: p${i}, traffic: 100%, bake: ${s.hoursPerPhase}h }`
        : `  - { name: p${i}, traffic: ${p} }`,
    )
    .join('\n');
  const r = parsePlan(`launch: aa-launch
owner: stats
control: ${s.control}
phases:
${phases}
kpis:
  operational-health:
    - { name: events, kind: occurrence, event: e, guard: { ${s.guard} } }
`);
  if (!r.valid) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return r.plan;
}

/**
 * Share of seeded A/A launches with a breach at any look of any phase. Every
 * phase runs its full time whatever the guards say (the harshest case: a
 * launch that advances on passing guards looks less), aggregates restart at
 * each phase as the store reads them, and the 100% phase compares against the
 * control arm of the last phase that had one, passed as the baseline.
 */
export function launchFalseBreaches(s: AaLaunchSetting, runs: number, seed: number): number {
  const plan = aaLaunchPlan(s);
  const lookMs = s.lookMinutes * 60_000;
  const looks = Math.round((s.hoursPerPhase * 60) / s.lookMinutes);
  const perLook = (s.unitsPerHour * s.lookMinutes) / 60;
  let breached = 0;
  judged.looks = 0;
  judged.baseline = 0;
  for (let run = 0; run < runs; run++) {
    const rng = new SeededRandom(seed, run);
    let baseline: { name: string; arm: Arm } | undefined;
    let hit = false;
    for (let i = 0; i < plan.phases.length && !hit; i++) {
      const phase = plan.phases[i];
      if (phase === undefined) break;
      const split = plannedSplit(plan, phase.traffic);
      const options: GuardsOptions & { phaseElapsedMs?: number; baseline?: string } = {
        ...guardOptionsFor(plan, phase, phase.traffic),
        explain: false,
      };
      const t: Arm = { units: 0, sum: 0, sumSquares: 0 };
      const c: Arm = { units: 0, sum: 0, sumSquares: 0 };
      for (let k = 1; k <= looks; k++) {
        const arriving = rng.binomial(Math.round(perLook * 2), 0.5);
        const nt = rng.binomial(arriving, split.treatment);
        const nc =
          split.control > 0
            ? rng.binomial(arriving - nt, split.control / (1 - split.treatment))
            : 0;
        addUnits(t, nt, s.base, rng);
        addUnits(c, nc, s.base, rng);
        options.phaseElapsedMs = k * lookMs;
        const control = split.control > 0 ? c : baseline?.arm;
        if (split.control === 0 && baseline !== undefined) options.baseline = baseline.name;
        const data: ArmAggregates = { treatment: aggregate(t) };
        if (control !== undefined) data.control = aggregate(control);
        const [g] = evaluateGuards(plan, { events: data }, options);
        if (g?.comparison?.interval != null) judged.looks++;
        if (g?.comparison?.baseline !== undefined) judged.baseline++;
        if (g?.verdict === 'breach') {
          hit = true;
          break;
        }
      }
      if (split.control > 0) baseline = { name: phase.name, arm: c };
    }
    if (hit) breached++;
  }
  return breached / runs;
}
