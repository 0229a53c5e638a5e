/** From simulated launches to the report's rates, durations and unit counts. */
import type { Plan } from '../plan/index.js';
import type { Injection } from './injection.js';
import { planKpis } from './live-evidence.js';
import type {
  CleanPhase,
  CleanReport,
  Ends,
  InjectionReport,
  Outcomes,
  PowerCurve,
  RateEstimate,
} from './rehearsal-report.js';
import type { RunRecord } from './run-record.js';
import { RESPONSES, WAIT_CONDITIONS } from './run-record.js';
import { countSummary, durationSummary, rateOf, roundTo } from './summary-stats.js';

function count(records: readonly RunRecord[], test: (r: RunRecord) => boolean): RateEstimate {
  let n = 0;
  for (const r of records) if (test(r)) n++;
  return rateOf(n, records.length);
}

function outcomes(records: readonly RunRecord[]): Outcomes {
  return {
    completed: count(records, (r) => r.outcome === 'completed'),
    rolledBack: count(records, (r) => r.outcome === 'rolled-back'),
    paused: count(records, (r) => r.outcome === 'paused'),
    unfinished: count(records, (r) => r.outcome === 'unfinished'),
  };
}

/** Each launch in exactly one of caught, stopped for nothing, shipped, stalled (`injected`: KPI indexes). */
function ends(records: readonly RunRecord[], injected: readonly number[]): Ends {
  let caught = 0;
  let stopped = 0;
  let shipped = 0;
  let stalled = 0;
  for (const r of records) {
    if (r.outcome === 'completed') shipped++;
    else if (r.outcome === 'unfinished') stalled++;
    // A stop counts as caught when an injected KPI's live breach (alarmMs) drew it.
    else if (r.stoppedBy.some((i) => injected.includes(i) && (r.alarmMs[i] as number) >= 0))
      caught++;
    else stopped++;
  }
  const n = records.length;
  return {
    caught: rateOf(caught, n),
    stoppedForNothing: rateOf(stopped, n),
    shipped: rateOf(shipped, n),
    stalled: rateOf(stalled, n),
    total: caught + stopped + shipped + stalled,
  };
}

function anyAlarm(r: RunRecord): boolean {
  for (const t of r.alarmMs) if (t >= 0) return true;
  return false;
}

/** The A/A replay's section of the report. */
export function summarizeClean(plan: Plan, records: readonly RunRecord[]): CleanReport {
  const kpis = planKpis(plan);
  const stoppedByBreach = (r: RunRecord, outcome: string) =>
    r.outcome === outcome && r.stoppedBy.length > 0;
  return {
    runs: records.length,
    outcomes: outcomes(records),
    ends: ends(records, []),
    falseAlarm: count(records, anyAlarm),
    falseStop: count(
      records,
      (r) => stoppedByBreach(r, 'paused') || stoppedByBreach(r, 'rolled-back'),
    ),
    falseRollback: count(records, (r) => stoppedByBreach(r, 'rolled-back')),
    falsePause: count(records, (r) => stoppedByBreach(r, 'paused')),
    srmHold: count(records, (r) => r.srmMs >= 0),
    budget: plan.analysis.false_alarm_rate,
    kpis: kpis.map((kpi, i) => ({
      kpi: kpi.name,
      falseAlarm: count(records, (r) => (r.alarmMs[i] as number) >= 0),
      byPhase: plan.phases.map((phase, p) => ({
        phase: phase.name,
        rate: count(records, (r) => (r.alarmMs[i] as number) >= 0 && r.alarmPhase[i] === p),
      })),
    })),
    timeToFull: durationSummary(records.filter((r) => r.fullMs >= 0).map((r) => r.fullMs)),
    reachedFull: count(records, (r) => r.fullMs >= 0),
    timeToComplete: durationSummary(
      records.filter((r) => r.outcome === 'completed').map((r) => r.endMs),
    ),
    phases: plan.phases.map((phase, p) =>
      cleanPhase(
        records,
        phase.name,
        // The last phase's bake runs from its start: its minimum is the longer of the two.
        Math.max(phase.min_duration, phase.bake ?? 0),
        p,
        kpis.map((k) => k.name),
      ),
    ),
  };
}

/** When a launch left phase p by advancing (or completing the last phase), or -1. */
function leftAt(r: RunRecord, p: number): number {
  const next = r.phaseEnteredMs[p + 1];
  if (next !== undefined) return next;
  return r.outcome === 'completed' ? r.endMs : -1;
}

function cleanPhase(
  records: readonly RunRecord[],
  name: string,
  minDurationMs: number,
  p: number,
  kpis: readonly string[],
): CleanPhase {
  const times: number[] = [];
  for (const r of records) {
    const entered = r.phaseEnteredMs[p] as number;
    const left = leftAt(r, p);
    if (entered >= 0 && left >= 0) times.push(left - entered);
  }
  let looks = 0;
  const blocked = new Float64Array(WAIT_CONDITIONS.length);
  const undecided = new Float64Array(kpis.length);
  for (const r of records) {
    looks += r.looksPastMinimum[p] as number;
    for (let j = 0; j < WAIT_CONDITIONS.length; j++)
      blocked[j] = (blocked[j] as number) + (r.waits[p * WAIT_CONDITIONS.length + j] as number);
    for (let i = 0; i < kpis.length; i++)
      undecided[i] = (undecided[i] as number) + (r.undecided[p * kpis.length + i] as number);
  }
  const waits = WAIT_CONDITIONS.map((condition, j) => ({
    condition,
    share: looks > 0 ? roundTo((blocked[j] as number) / looks, 4) : 0,
  }))
    .filter((w) => w.share > 0 && w.condition !== 'min-duration')
    .sort((a, b) => b.share - a.share || a.condition.localeCompare(b.condition));
  return {
    phase: name,
    entered: count(records, (r) => (r.phaseEnteredMs[p] as number) >= 0),
    advanced: count(records, (r) => (r.phaseEnteredMs[p] as number) >= 0 && leftAt(r, p) >= 0),
    time: durationSummary(times),
    minDurationMs,
    waits,
    undecided: kpis
      .map((kpi, i) => ({
        kpi,
        share: looks > 0 ? roundTo((undecided[i] as number) / looks, 4) : 0,
      }))
      .filter((u) => u.share > 0)
      .sort((a, b) => b.share - a.share || a.kpi.localeCompare(b.kpi)),
  };
}

/** The first response to any injected KPI once live: [time, phase, response, kpi index] or null. */
function firstCatch(
  r: RunRecord,
  injected: readonly number[],
): { at: number; phase: number; response: number } | null {
  let best: { at: number; phase: number; response: number } | null = null;
  for (const i of injected) {
    const at = r.alarmMs[i] as number;
    if (at < 0) continue;
    const response = r.alarmResponse[i] as number;
    if (best === null || at < best.at || (at === best.at && response > best.response))
      best = { at, phase: r.alarmPhase[i] as number, response };
  }
  return best;
}

/** One injected scenario's section of the report. */
export function summarizeInjection(
  plan: Plan,
  injection: Injection,
  records: readonly RunRecord[],
): InjectionReport {
  const names = planKpis(plan).map((k) => k.name);
  const injected = injection.effects.map((e) => names.indexOf(e.kpi)).filter((i) => i >= 0);
  const catches = records.map((r) => firstCatch(r, injected));
  const caughtRuns = records.filter((_, k) => catches[k] !== null);
  const detectTimes: number[] = [];
  const unitsBeforeDetect: number[] = [];
  const unitsBeforeStop: number[] = [];
  records.forEach((r, k) => {
    const c = catches[k];
    if (c !== null && c !== undefined && r.onsetMs >= 0) {
      detectTimes.push(c.at - r.onsetMs);
      unitsBeforeDetect.push(Math.max(0, r.exposedAtAlarm));
    }
    if ((r.outcome === 'paused' || r.outcome === 'rolled-back') && r.onsetMs >= 0)
      unitsBeforeStop.push(r.exposedUnits);
  });
  return {
    label: injection.label,
    effects: injection.effects.map((e) => ({
      kpi: e.kpi,
      size: e.size,
      relative: e.relative,
      fromPhase: e.fromPhase,
    })),
    runs: records.length,
    caught: rateOf(caughtRuns.length, records.length),
    byPhase: plan.phases.map((phase, p) => ({
      phase: phase.name,
      caught: rateOf(catches.filter((c) => c !== null && c.phase === p).length, records.length),
    })),
    responses: RESPONSES.map((response, j) => ({
      response,
      rate: rateOf(catches.filter((c) => c !== null && c.response === j).length, records.length),
    }))
      .filter((x) => x.rate.count > 0)
      .reverse(),
    stopped: count(
      records,
      (r) => r.onsetMs >= 0 && (r.outcome === 'paused' || r.outcome === 'rolled-back'),
    ),
    shipped: count(records, (r) => r.outcome === 'completed'),
    outcomes: outcomes(records),
    ends: ends(records, injected),
    timeToDetect: durationSummary(detectTimes),
    unitsBeforeDetect: countSummary(unitsBeforeDetect),
    unitsBeforeStop: countSummary(unitsBeforeStop),
    earlyAlarm: count(records, (r) => injected.some((i) => r.earlyAlarm[i] === 1)),
  };
}

/** Power curves: single-effect injections grouped by KPI, scale and onset, with the clean rate at 0. */
export function powerCurves(
  clean: CleanReport,
  injections: readonly InjectionReport[],
): PowerCurve[] {
  const curves: PowerCurve[] = [];
  for (const inj of injections) {
    if (inj.effects.length !== 1) continue;
    const e = inj.effects[0];
    if (e === undefined) continue;
    let curve = curves.find(
      (c) => c.kpi === e.kpi && c.relative === e.relative && c.fromPhase === e.fromPhase,
    );
    if (curve === undefined) {
      const zero = clean.kpis.find((k) => k.kpi === e.kpi)?.falseAlarm;
      curve = {
        kpi: e.kpi,
        relative: e.relative,
        fromPhase: e.fromPhase,
        points: zero === undefined ? [] : [{ size: 0, caught: zero }],
      };
      curves.push(curve);
    }
    curve.points.push({ size: e.size, caught: inj.caught });
  }
  for (const c of curves) c.points.sort((a, b) => a.size - b.size);
  return curves;
}
