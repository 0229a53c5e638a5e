/** The launch report's layout: Markdown and HTML say the same; values are escaped; charts are plain SVG. */
import { describe, expect, it } from 'vitest';
import {
  kpiChartSvg,
  measuredBaseline,
  renderReportHtml,
  renderReportMarkdown,
  reportSections,
  trendChartSvg,
} from '../../src/index.js';
import type { LaunchReportModel } from '../../src/index.js';

const guard = {
  kpi: 'error_rate',
  category: 'operational-health',
  verdict: 'breach' as const,
  reason: 'error_rate +0.3 [+0.1, +0.5] > 0.05',
  difference: 0.3,
  interval: [0.1, 0.5] as [number, number],
  threshold: 0.05,
  relative: false,
  bad: 'increase' as const,
  units: { treatment: 120, control: 118 },
};

const report: LaunchReportModel = {
  format: 'threshold.launch-report/1',
  generatedAt: '2026-12-03T10:00:00.000Z',
  launch: {
    id: 'checkout-abc',
    flag: 'checkout',
    status: 'rolled-back',
    phase: 'canary',
    share: 0,
    createdBy: 'olivia',
    createdAt: '2026-12-03T09:00:00.000Z',
    owner: 'web',
  },
  standing: {
    label: 'rolled back',
    healthText: 'breach',
    sentence: 'Rolled back to 0% in canary <by> the on_breach of error_rate.',
    look: { seq: 9, at: Date.parse('2026-12-03T09:30:00.000Z') },
  },
  plan: {
    name: 'checkout',
    version: 2,
    owner: 'web',
    uploadedBy: 'olivia',
    uploadedAt: '2026-12-03T08:00:00.000Z',
    sourceHash: 'a'.repeat(64),
  },
  previous: {
    launch: 'checkout-old',
    planVersion: 1,
    status: 'completed',
    createdAt: '2026-12-01T09:00:00.000Z',
    changed: true,
    diff: [
      { kind: 'same', text: 'launch: checkout' },
      { kind: 'removed', text: '  traffic: 5%' },
      { kind: 'added', text: '  traffic: 10%' },
    ],
  },
  timeline: [
    {
      phase: 'canary',
      index: 0,
      plannedTraffic: 0.1,
      plannedMinDurationMs: 1_800_000,
      plannedBakeMs: null,
      plannedStartMs: 0,
      signoff: [],
      enteredAt: '2026-12-03T09:00:00.000Z',
      leftAt: '2026-12-03T09:30:00.000Z',
      actualMs: 1_800_000,
      outcome: 'rolled-back',
    },
  ],
  traffic: [
    { at: Date.parse('2026-12-03T09:00:00.000Z'), share: 0.1 },
    { at: Date.parse('2026-12-03T09:30:00.000Z'), share: 0 },
  ],
  decisions: [
    {
      seq: 8,
      at: '2026-12-03T09:30:00.000Z',
      actor: 'controller',
      type: 'rollback',
      rule: 'guard-breach',
      phase: 'canary',
      reason: 'error_rate breached | badly',
      units: { treatment: 120, control: 118 },
      guards: [guard],
      risks: [{ id: 'R1', title: 'Errors', owner: 'sre' }],
      actions: ['rollback'],
    },
  ],
  approvals: [],
  readiness: [
    {
      check: 'Load test',
      owner: 'sre',
      blocking: true,
      evidence: null,
      status: 'missing',
      attestation: null,
    },
  ],
  notifications: [],
  operatorActions: [],
  rehearsals: {
    note: '1 rehearsal of version 2 before the launch; the newest (#4) predicted the outcome.',
    rule: 'A rehearsal predicted the outcome when …',
    predicted: true,
    list: [
      {
        id: 4,
        at: '2026-12-01T09:00:00.000Z',
        actor: 'vera',
        settings: '200 runs, seed 1, synthetic traffic at 50 units/min (via api)',
        auditSeq: 3,
        scenarios: [
          {
            label: 'error_rate=+50%',
            runs: 200,
            shipped: { rate: 0.1, low: 0.06, high: 0.15 },
            caught: { rate: 0.85, low: 0.8, high: 0.89 },
            stoppedForNothing: { rate: 0.05, low: 0.03, high: 0.09 },
            stalled: { rate: 0, low: 0, high: 0.02 },
          },
        ],
      },
    ],
  },
  kpis: [{ ...guard, standing: 'breach' }],
  charts: [
    {
      kpi: 'error_rate',
      relative: false,
      bad: 'increase',
      threshold: 0.05,
      points: [
        {
          at: 1,
          phase: 'canary',
          difference: 0.1,
          low: -0.2,
          high: 0.4,
          verdict: 'insufficient-evidence',
        },
        { at: 2, phase: 'canary', difference: 0.3, low: 0.1, high: 0.5, verdict: 'breach' },
      ],
    },
  ],
  review: null,
  risks: {
    risks: [
      {
        id: 'R1',
        title: 'Errors',
        owner: 'sre',
        watch: ['error_rate'],
        fired: true,
        breached: ['error_rate'],
        materialized: null,
      },
    ],
    unwatched: [],
  },
  audit: {
    head: { seq: 12, hash: 'b'.repeat(64) },
    entries: [],
    verify: ['threshold audit verify --expect-head 12:' + 'b'.repeat(64)],
  },
};

describe('launch report layout', () => {
  it('Markdown and HTML carry the same sections and words, in order', () => {
    const sections = reportSections(report);
    const md = renderReportMarkdown(report);
    const html = renderReportHtml(report);
    expect([...html.matchAll(/data-section="([^"]+)"/g)].map((m) => m[1])).toEqual(
      sections.map((s) => s.id),
    );
    let from = 0;
    for (const s of sections) {
      const at = md.indexOf(`## ${s.title}`, from);
      expect(at, s.title).toBeGreaterThan(from - 1);
      from = at;
    }
    expect(md).toContain('error_rate breached \\| badly');
    expect(md).toContain('-   traffic: 5%');
    expect(md).toContain('+   traffic: 10%');
    expect(md).toContain('error_rate breach: 0.3 [0.1, 0.5] vs margin 0.05');
    expect(md).toContain('R1 Errors (sre); on_breach rollback');
    expect(md).toContain('the newest (#4) predicted the outcome');
    expect(md).toContain('| error_rate=+50% (200 runs) | 10% [6%, 15%] | 85% [80%, 89%] |');
  });

  it('escapes every value in the HTML and ships no script', () => {
    const html = renderReportHtml(report);
    expect(html).toContain('canary &lt;by&gt; the on_breach');
    expect(html).not.toContain('<by>');
    expect(html).not.toMatch(/<script/);
    expect(html).toContain(`<meta name="threshold-audit-head" content="12:${'b'.repeat(64)}">`);
  });

  it('draws the interval band, the margin and a hatched breach zone; nothing without points', () => {
    const [series] = report.charts;
    if (series === undefined) throw new Error('no series');
    const svg = kpiChartSvg(series);
    expect(svg).toContain('data-interval');
    expect(svg).toContain('data-margin');
    expect(svg).toContain('data-breach-zone');
    expect(kpiChartSvg({ ...series, points: [] })).toBeNull();
  });

  it('a trend breaks its line where a bucket has no value', () => {
    const svg = trendChartSvg(
      'rate',
      [
        { label: 'a', value: 0.5 },
        { label: 'b', value: 0.25 },
        { label: 'c', value: null },
        { label: 'd', value: 1 },
      ],
      String,
    );
    expect(svg.match(/<polyline/g)?.length).toBe(1);
    expect(svg.match(/<circle/g)?.length).toBe(3);
    const seconds = trendChartSvg(
      't',
      [{ label: 'a', value: 1000 }],
      (v) => `${Math.floor(v / 1000)}s`,
    );
    expect(seconds.match(/>0s</g)?.length).toBe(1);
  });
});

describe('measured baselines from past launches', () => {
  it('pools rates, means with their spread and ratios; quantiles are not measured this way', () => {
    expect(measuredBaseline([{ kind: 'occurrence', units: 100, sum: 5, sumSquares: 5 }])).toEqual({
      value: 0.05,
    });
    const mean = measuredBaseline([
      { kind: 'mean', units: 2, sum: 4, sumSquares: 10 },
      { kind: 'mean', units: 2, sum: 8, sumSquares: 34 },
    ]);
    // Values 1, 3, 3, 5: mean 3, sample sd √(8/3).
    expect(mean?.value).toBe(3);
    expect(mean?.sd).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(
      measuredBaseline([
        {
          kind: 'ratio',
          units: 10,
          sumNumerator: 3,
          sumDenominator: 12,
          sumNumeratorSquares: 1,
          sumDenominatorSquares: 20,
          sumProducts: 4,
        },
      ]),
    ).toEqual({ value: 0.25 });
    expect(
      measuredBaseline([
        {
          kind: 'quantile',
          sketch: { units: 1, count: 1, zeroCount: 0, positive: [], negative: [], min: 1, max: 1 },
        },
      ]),
    ).toBeNull();
    expect(measuredBaseline([{ kind: 'mean', units: 0, sum: 0, sumSquares: 0 }])).toBeNull();
  });
});
