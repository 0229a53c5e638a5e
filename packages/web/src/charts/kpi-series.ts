/**
 * What the KPI charts draw, from the launch's log: each KPI's values per look,
 * the phases as spans of time (boundaries at the decisions that moved the
 * launch), and the events that ended or stopped it.
 */
import { PRE_START_PHASE } from '@threshold/core';
import type { DecisionEvent, LookRecord } from '../api/api-types.js';

const finite = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

/** One KPI over the looks that carry it. Relative comparisons are in percent. */
export interface KpiSeries {
  /** Look times (ms). */
  xs: number[];
  /** The looks themselves (phase, verdict and units for the readout). */
  looks: LookRecord[];
  treatment: (number | null)[];
  control: (number | null)[];
  difference: (number | null)[];
  /** Interval ends; null is an unbounded end. */
  lo: (number | null)[];
  hi: (number | null)[];
  /** The margin as a difference in the bad direction (comparisons), or the hard limit. */
  margin: (number | null)[];
  verdict: (LookRecord['kpis'][number]['verdict'] | null)[];
  /** Units per arm behind the KPI at each look. */
  units: { treatment: number; control: number }[];
  relative: boolean;
  /** True when the KPI compares treatment with control (a difference chart exists). */
  comparison: boolean;
  bad: 'increase' | 'decrease' | null;
}

/** The series of one KPI, aligned on the looks' times. */
export function kpiSeries(looks: readonly LookRecord[], kpi: string): KpiSeries {
  const s: KpiSeries = {
    xs: [],
    looks: [],
    treatment: [],
    control: [],
    difference: [],
    lo: [],
    hi: [],
    margin: [],
    verdict: [],
    units: [],
    relative: false,
    comparison: false,
    bad: null,
  };
  for (const look of looks) {
    const k = look.kpis.find((x) => x.kpi === kpi);
    if (k === undefined) continue;
    s.xs.push(look.at);
    s.looks.push(look);
    s.treatment.push(finite(k.estimate.treatment));
    s.control.push(finite(k.estimate.control));
    s.verdict.push(k.verdict);
    s.units.push(k.units);
    if (k.bad !== null) {
      s.comparison = true;
      s.bad = k.bad;
    }
    if (k.relative === true) s.relative = true;
    const scale = k.relative === true ? 100 : 1;
    const scaled = (x: number | null) => (x === null ? null : x * scale);
    s.difference.push(k.bad === null ? null : scaled(finite(k.difference)));
    s.lo.push(k.interval === null ? null : scaled(finite(k.interval[0])));
    s.hi.push(k.interval === null ? null : scaled(finite(k.interval[1])));
    s.margin.push(scaled(finite(k.threshold)));
  }
  return s;
}

/** One phase as a span of time on the charts. */
export interface PhaseSpan {
  index: number;
  /** "canary 20%", or "before start". */
  label: string;
  name: string;
  from: number;
  to: number;
}

/** Something that ended or stopped the launch, drawn as a marked line. */
export interface ChartEvent {
  at: number;
  kind: 'rollback' | 'complete' | 'pause' | 'resume';
  label: string;
}

const EVENT_LABELS: Record<ChartEvent['kind'], string> = {
  rollback: 'rolled back',
  complete: 'completed',
  pause: 'paused',
  resume: 'resumed',
};

/** The events worth marking on a time axis, oldest first. */
export function chartEvents(decisions: readonly DecisionEvent[]): ChartEvent[] {
  const out: ChartEvent[] = [];
  for (const { decision: d } of decisions) {
    if (d.type === 'rollback' || d.type === 'complete' || d.type === 'pause' || d.type === 'resume')
      out.push({ at: d.at, kind: d.type, label: EVENT_LABELS[d.type] });
  }
  return out;
}

function shareText(traffic: number): string {
  return `${Number((traffic * 100).toPrecision(3))}%`;
}

/**
 * The phases the looks were taken in, as spans that tile the time from the
 * first look to `end`. A boundary sits at the advance decision that entered the
 * phase when the log has it (looks are recorded every few seconds, decisions at
 * their exact time), else at the phase's first look; a phase entered after the
 * last look starts at its advance.
 */
export function phaseSpans(
  looks: readonly LookRecord[],
  decisions: readonly DecisionEvent[],
  end: number,
  /** The plan's share of a phase, when known: a look that decided reports the share after it. */
  phaseTraffic: (index: number) => number | undefined = () => undefined,
): PhaseSpan[] {
  const entered = new Map<number, number>();
  for (const { decision: d } of decisions) if (d.type === 'advance') entered.set(d.to, d.at);
  const spans: PhaseSpan[] = [];
  for (const look of looks) {
    const last = spans[spans.length - 1];
    if (last !== undefined && last.index === look.phaseIndex) continue;
    // The boundary lies between the previous phase's last look and this phase's first.
    const boundary =
      last === undefined
        ? look.at
        : Math.min(Math.max(entered.get(look.phaseIndex) ?? look.at, last.from), look.at);
    if (last !== undefined) last.to = boundary;
    const before = look.phaseIndex < 0 || look.phase === PRE_START_PHASE;
    spans.push({
      index: look.phaseIndex,
      name: before ? 'before start' : look.phase,
      label: before
        ? 'before start'
        : `${look.phase} ${shareText(phaseTraffic(look.phaseIndex) ?? look.traffic)}`,
      from: boundary,
      to: end,
    });
  }
  // A phase entered after the last look has no look yet, but it has begun.
  for (const { decision: d } of decisions) {
    const last = spans[spans.length - 1];
    if (d.type !== 'advance' || last === undefined || d.to <= last.index || d.at < last.from)
      continue;
    last.to = d.at;
    spans.push({
      index: d.to,
      name: d.toPhase,
      label: `${d.toPhase} ${shareText(d.traffic)}`,
      from: d.at,
      to: end,
    });
  }
  const last = spans[spans.length - 1];
  if (last !== undefined) last.to = Math.max(last.from, end);
  return spans;
}
