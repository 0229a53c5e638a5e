/** The charts' pure parts: time ticks by span, round value ticks, the y-range that follows recent looks, phases. */
import { describe, expect, it } from 'vitest';
import type { DecisionEvent, LookRecord } from '../src/api/api-types.js';
import {
  bandPath,
  beyondPath,
  linePath,
  markerIndexes,
  nearestIndex,
  stackLabels,
  thresholdPath,
} from '../src/charts/chart-geometry.js';
import { chartEvents, kpiSeries, phaseSpans } from '../src/charts/kpi-series.js';
import { MIN_TIME_SPAN_MS, timeDomain, timeTicks } from '../src/charts/time-axis.js';
import { formatReading, formatTick, niceTicks } from '../src/charts/value-axis.js';
import { followRecent } from '../src/charts/y-range.js';

const T0 = Date.UTC(2026, 11, 2, 15, 42, 20); // 2 Dec 2026 15:42:20 UTC
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Labels never overlap: each label's approximate box fits between its neighbours' centres. */
function spacing(ticks: { at: number }[], from: number, to: number, width: number): number {
  let min = Infinity;
  for (let i = 1; i < ticks.length; i++) {
    const a = ticks[i - 1]?.at ?? 0;
    const b = ticks[i]?.at ?? 0;
    min = Math.min(min, ((b - a) / (to - from)) * width);
  }
  return min;
}

describe('time axis', () => {
  it('gives a single look a short span around it, not years', () => {
    expect(timeDomain([T0])).toEqual([T0 - MIN_TIME_SPAN_MS / 2, T0 + MIN_TIME_SPAN_MS / 2]);
    const [from, to] = timeDomain([T0]) ?? [0, 0];
    const t = timeTicks(from, to, 400, 'utc');
    expect(t.ticks.map((x) => x.label)).toEqual(['15:42:15', '15:42:20', '15:42:25']);
    expect(t.caption).toBe('2 Dec 2026, UTC');
    expect(timeDomain([])).toBeNull();
    expect(timeDomain([T0, T0 + H])).toEqual([T0, T0 + H]);
  });

  it.each([
    ['seconds', 30 * S, 600, 5 * S, /^\d\d:\d\d:\d\d$/],
    ['minutes', 20 * M, 600, 2 * M, /^\d\d:\d\d$/],
    ['hours', 9 * H, 600, H, /^\d\d:\d\d$/],
    ['days', 12 * D, 600, 2 * D, /^\d{1,2} [A-Z][a-z]{2}$/],
    ['weeks', 120 * D, 600, 14 * D, /^\d{1,2} [A-Z][a-z]{2}$/],
  ])('picks a %s step for its span, with labels that fit', (_name, span, width, step, shape) => {
    const t = timeTicks(T0, T0 + span, width, 'utc');
    expect(t.step).toBe(step);
    expect(t.ticks.length).toBeGreaterThanOrEqual(3);
    for (const tick of t.ticks) {
      expect(tick.at).toBeGreaterThanOrEqual(T0);
      expect(tick.at).toBeLessThanOrEqual(T0 + span);
      expect(tick.at % step === 0 || step >= D).toBe(true);
      if (!/ /.test(tick.label)) expect(tick.label).toMatch(shape);
    }
    const widest = Math.max(...t.ticks.map((x) => x.label.length)) * 6.6;
    expect(spacing(t.ticks, T0, T0 + span, width)).toBeGreaterThan(widest);
  });

  it('thins ticks on a narrow chart instead of overlapping them', () => {
    const wide = timeTicks(T0, T0 + 30 * M, 900, 'utc');
    const narrow = timeTicks(T0, T0 + 30 * M, 240, 'utc');
    expect(narrow.step).toBeGreaterThan(wide.step);
    const widest = Math.max(...narrow.ticks.map((x) => x.label.length)) * 6.6;
    expect(spacing(narrow.ticks, T0, T0 + 30 * M, 240)).toBeGreaterThan(widest);
  });

  it('names the day at midnight and spans dates in the caption', () => {
    const from = Date.UTC(2026, 11, 2, 20, 0, 0);
    const t = timeTicks(from, from + 10 * H, 600, 'utc');
    expect(t.ticks.map((x) => x.label)).toContain('3 Dec');
    expect(t.ticks.map((x) => x.label)).not.toContain('00:00');
    expect(t.caption).toBe('2 Dec – 3 Dec 2026, UTC');
    const newYear = timeTicks(Date.UTC(2026, 11, 30), Date.UTC(2027, 0, 2), 600, 'utc');
    expect(newYear.caption).toBe('30 Dec 2026 – 2 Jan 2027, UTC');
  });
});

describe('value axis', () => {
  it('chooses round steps and just enough decimals', () => {
    expect(niceTicks(0, 0.5, 5)).toEqual({
      ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
      step: 0.1,
      decimals: 1,
    });
    expect(niceTicks(108.8, 109.1, 4).ticks).toEqual([108.8, 108.9, 109, 109.1]);
    expect(niceTicks(-0.2, 0.1, 5).ticks).toEqual([-0.2, -0.1, 0, 0.1]);
    expect(niceTicks(-0.2, 0.1, 8).ticks).toEqual([-0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1]);
    expect(niceTicks(0, 100, 4)).toEqual({ ticks: [0, 25, 50, 75, 100], step: 25, decimals: 0 });
    expect(niceTicks(0, 0.01, 4).decimals).toBe(4);
  });

  it('formats ticks and readings without float noise', () => {
    expect(formatTick(0.30000000000000004, 1)).toBe('0.3');
    expect(formatTick(0.05, 2, { signed: true })).toBe('+0.05');
    expect(formatTick(-0.1, 1, { signed: true, unit: '%' })).toBe('-0.1%');
    expect(formatTick(1e-17, 2, { signed: true })).toBe('0');
    expect(formatTick(0, 1, { unit: '%' })).toBe('0%');
    expect(formatTick(12000, 0)).toBe('12,000');
    expect(formatReading(0.318, { signed: true })).toBe('+0.318');
    expect(formatReading(0.0115)).toBe('0.0115');
    expect(formatReading(320)).toBe('320');
    expect(formatReading(1215)).toBe('1,215');
    expect(formatReading(null)).toBe('n/a');
  });
});

describe('y-range following the recent looks', () => {
  // A difference whose first interval is 20 times wider than the later ones.
  const looks = [
    [0.3, -2, 2.5],
    [0.1, -0.6, 0.9],
    ...Array.from({ length: 20 }, (_, i) => [0.02 + i * 0.001, -0.05, 0.1]),
  ];

  it('does not let the first wide interval flatten the rest, and counts what it clips', () => {
    const r = followRecent(looks, [0, 0.05]);
    expect(r.hi - r.lo).toBeLessThan(1);
    expect(r.lo).toBeLessThanOrEqual(-0.05);
    expect(r.hi).toBeGreaterThanOrEqual(0.1);
    // The first two looks (intervals ±2 and ±0.7) reach past it on both sides.
    expect(r.clippedAbove).toBe(2);
    expect(r.clippedBelow).toBe(2);
  });

  it('keeps the margin and zero in range even when the data is far from them', () => {
    const r = followRecent([[5, 4, 6]], [0, 0.05]);
    expect(r.lo).toBeLessThan(0);
    expect(r.hi).toBeGreaterThan(6);
    expect(r.clippedAbove + r.clippedBelow).toBe(0);
  });

  it('shows everything when nothing is far out, and survives flat or empty data', () => {
    const calm = followRecent([[1], [1.2], [0.9]]);
    expect(calm.clippedAbove + calm.clippedBelow).toBe(0);
    const flat = followRecent([[109], [109]]);
    expect(flat.hi).toBeGreaterThan(109);
    expect(flat.lo).toBeLessThan(109);
    const empty = followRecent([]);
    expect(empty.hi).toBeGreaterThan(empty.lo);
    // Unbounded interval ends (±∞ arrive as NaN/Infinity) are not data.
    expect(
      followRecent([
        [1, Infinity],
        [2, NaN],
      ]).hi,
    ).toBeLessThan(3);
  });
});

describe('geometry', () => {
  const x = (v: number) => v;
  const y = (v: number) => v * 10;
  it('breaks lines at missing looks and widens a lone band', () => {
    expect(linePath([1, 2, 3, 4], [1, null, 3, 4], x, y)).toBe('M1,10M3,30L4,40');
    expect(bandPath([1, 2], [0, 1], [2, 3], x, y, -10, 10)).toBe('M1,20L2,30L2,10L1,0Z');
    // An unbounded upper end reaches the plot's edge (10 → 100 px).
    expect(bandPath([5], [1], [null], x, y, -10, 10)).toBe('M1,100L9,100L9,10L1,10Z');
  });

  it('hatches the side beyond a margin up to the plot edge, and draws a fixed margin across', () => {
    const box = { left: 0, right: 100, top: 0, bottom: 50, x: (v: number) => v * 10 };
    const margin = (values: (number | null)[], beyond: 'above' | 'below' | null) =>
      ({ kind: 'threshold', key: 'm', label: 'margin', role: 'margin', values, beyond }) as const;
    const range = { lo: -1, hi: 4, clippedAbove: 0, clippedBelow: 0 };
    expect(beyondPath(margin([2, 2], 'above'), [1, 2], range, box, y)).toBe(
      'M0,20L100,20L100,40L0,40Z',
    );
    expect(beyondPath(margin([2, 2], 'below'), [1, 2], range, box, y)).toBe(
      'M0,20L100,20L100,-10L0,-10Z',
    );
    expect(beyondPath(margin([2, 2], null), [1, 2], range, box, y)).toBeNull();
    // A margin that changes (a new plan version) follows the looks.
    expect(beyondPath(margin([1, 2], 'above'), [1, 2], range, box, y)).toBe(
      'M10,40L20,40L20,20L10,10Z',
    );
    expect(thresholdPath(margin([2, 2], 'above'), [1, 2], box, y)).toBe('M0,20L100,20');
    expect(thresholdPath(margin([1, null, 2], 'above'), [1, 2, 3], box, y)).toBe('M10,10M30,20');
  });

  it('stacks labels that would overlap into rows, and gives up past the last row', () => {
    const boxes = [
      { from: 0, to: 50 },
      { from: 30, to: 80 },
      { from: 60, to: 110 },
      { from: 20, to: 40 },
      { from: 200, to: 240 },
    ];
    expect(stackLabels(boxes, 3)).toEqual([0, 1, 0, 2, 0]);
    expect(stackLabels(boxes, 2)).toEqual([0, 1, 0, null, 0]);
  });

  it('finds the nearest look and spaces markers', () => {
    expect(nearestIndex([0, 10, 20], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20], 16)).toBe(2);
    expect(nearestIndex([], 1)).toBe(-1);
    expect(markerIndexes(5)).toEqual([0, 1, 2, 3, 4]);
    const many = markerIndexes(1000, 40);
    expect(many.length).toBeLessThanOrEqual(41);
    expect(many[many.length - 1]).toBe(999);
  });
});

describe('phases and events from the log', () => {
  const look = (at: number, phaseIndex: number, phase: string, traffic: number) =>
    ({
      seq: at,
      at,
      status: 'running',
      state: 'waiting',
      summary: '',
      phase,
      phaseIndex,
      traffic,
      next: null,
      conditions: [],
      units: { treatment: 10, control: 40 },
      srm: {
        healthy: true,
        pValue: 1,
        threshold: 0.001,
        observed: { treatment: 10, control: 40 },
        expectedShare: { treatment: 0.2, control: 0.8 },
      },
      kpis: [
        {
          kpi: 'error_rate',
          category: 'operational-health',
          verdict: 'pass',
          reason: '',
          estimate: { treatment: 0.01, control: 0.01 },
          difference: 0.001,
          interval: [-0.01, null],
          threshold: 0.1,
          relative: true,
          bad: 'increase',
          units: { treatment: 10, control: 40 },
        },
      ],
    }) as LookRecord;
  const decision = (at: number, d: Record<string, unknown>) =>
    ({
      seq: at,
      actor: 'controller',
      at: new Date(at).toISOString(),
      decision: { at, ...d },
    }) as unknown as DecisionEvent;

  it("names a phase by the plan's share, not the share a deciding look left it at", () => {
    // The only look in canary rolled it back (0%); one that advanced reports the next share.
    const rolled = [look(0, 0, 'canary', 0)];
    const planned = (i: number) => [0.2, 1][i];
    expect(phaseSpans(rolled, [decision(0, { type: 'rollback' })], 25, planned)).toEqual([
      { index: 0, name: 'canary', label: 'canary 20%', from: 0, to: 25 },
    ]);
    const advanced = [look(0, 0, 'canary', 1), look(10, 1, 'full', 1)];
    expect(phaseSpans(advanced, [], 25, planned).map((p) => p.label)).toEqual([
      'canary 20%',
      'full 100%',
    ]);
  });

  it('tiles the time with named phases, boundaries at the advance decisions', () => {
    const looks = [look(0, 0, 'canary', 0.2), look(10, 0, 'canary', 0.2), look(30, 1, 'full', 1)];
    const decisions = [
      decision(22, { type: 'advance', from: 0, to: 1 }),
      decision(40, { type: 'complete' }),
    ];
    expect(phaseSpans(looks, decisions, 45)).toEqual([
      { index: 0, name: 'canary', label: 'canary 20%', from: 0, to: 22 },
      { index: 1, name: 'full', label: 'full 100%', from: 22, to: 45 },
    ]);
    expect(chartEvents(decisions)).toEqual([{ at: 40, kind: 'complete', label: 'completed' }]);
    // Without the decision, the boundary is the new phase's first look.
    expect(phaseSpans(looks, [], 45)[1]?.from).toBe(30);
    // A phase entered after the last look begins at its advance.
    const justAdvanced = phaseSpans(
      looks.slice(0, 2),
      [decision(22, { type: 'advance', from: 0, to: 1, toPhase: 'full', traffic: 1 })],
      30,
    );
    expect(justAdvanced.map((p) => [p.label, p.from, p.to])).toEqual([
      ['canary 20%', 0, 22],
      ['full 100%', 22, 30],
    ]);
  });

  it('puts relative comparisons in percent and keeps unbounded interval ends open', () => {
    const s = kpiSeries([look(0, 0, 'canary', 0.2)], 'error_rate');
    expect(s.comparison).toBe(true);
    expect(s.difference).toEqual([0.1]);
    expect(s.margin).toEqual([10]);
    expect(s.lo).toEqual([-1]);
    expect(s.hi).toEqual([null]);
    expect(kpiSeries([look(0, 0, 'canary', 0.2)], 'other').xs).toEqual([]);
  });
});
