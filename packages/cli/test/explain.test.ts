import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  guardInWords,
  renderRiskGrid,
  renderTable,
  riskGrid,
  signoffSummary,
  summarizePlan,
  timeline,
  wrap,
} from '@threshold/cli';
import type { PlanSummary } from '@threshold/cli';
import { parsePlan } from '@threshold/core';
import type { Guard, Plan } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

const H = 3_600_000;
const D = 24 * H;

function load(file: string): Plan {
  const r = parsePlan(readFileSync(join(REPO_ROOT, file), 'utf8'), { file });
  if (!r.valid) throw new Error(`${file} is invalid`);
  return r.plan;
}

describe('threshold plan explain (text)', () => {
  it('examples/search-ranking-signoff.yaml: the lines people rely on', async () => {
    const run = await runCli(['plan', 'explain', 'examples/search-ranking-signoff.yaml']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    const section = (title: string) => lines.findIndex((l) => l.startsWith(title));

    expect(lines[0]).toBe('Launch search-ltr-ranking');
    expect(lines).toContain('  owner     search-relevance');
    expect(lines).toContain('  class     major');

    const phases = section('Phases (5)');
    expect(lines.slice(phases + 1, phases + 7)).toEqual([
      '  phase     traffic  min duration  min units/arm  audience                      sign-off                           bake',
      '  internal  0.5%     1d            300            email ends_with @example.com  —                                  —',
      '  canary    2%       2d            3000           everyone                      engineering, security (within 1d)  —',
      '  early     10%      3d            100            everyone                      product, support                   —',
      '  half      50%      7d            100            everyone                      product, sre (within 2d)           —',
      '  full      100%     1d            100            everyone                      engineering, product, sre          7d',
    ]);
    expect(lines).toContain(
      '  Minimum time to 100%: 13d (sum of min_duration of the phases before full); fully live after bake: 20d',
    );
    expect(lines).toContain('  Sign-off waits come on top of these times.');

    expect(lines).toContain(
      'KPI matrix (6 KPIs; false alarm rate 5% across the matrix and all 5 phases)',
    );
    // The budget holds for the whole launch: split over phases as well as KPIs.
    const text = run.stdout.replace(/\n {2}/g, ' ');
    expect(text).toMatch(
      /false alarm rate 5% for the whole launch: 0\.1667% per KPI per phase \(5 phases × 6 statistical KPIs\)/,
    );
    // The bake has no control arm: it says what it checks instead.
    expect(text).toMatch(
      /full \(100%, bake 7d\) has no control arm: it checks \d comparisons? against the control arm of\s+half, the baseline/,
    );
    expect(lines).toContain('      guard                     treatment ≥ control − 1% (relative)');
    expect(lines).toContain(
      '      guard                     treatment ≤ control + 0.005 (absolute)',
    );
    expect(lines).toContain(
      '      guard                     treatment ≤ control + 10% (relative), ≤ 0.8 hard limit',
    );
    expect(lines).toContain(
      '      guard                     SLO 99.9% burn-rate windows 14.4×/1h+5m, 6×/6h+30m, 3×/1d+2h, 1×/3d+6h',
    );
    expect(lines).toContain('      on insufficient evidence  ask support');

    const grid = section('Risk register (5 risks; score = likelihood × impact)');
    expect(lines.slice(grid + 1, grid + 7)).toEqual([
      '  likelihood ↓ / impact →  1 negligible  2 minor  3 moderate  4 major  5 severe',
      '  5 almost-certain         ·             R3       ·           ·        ·',
      '  4 likely                 ·             ·        R2          ·        ·',
      '  3 possible               ·             R5       ·           ·        ·',
      '  2 unlikely               ·             ·        ·           R1       ·',
      '  1 rare                   ·             ·        ·           ·        R4',
    ]);
    expect(lines).toContain(
      '  R2  score 12 (4 likely × 3 moderate): Feature store lookups add latency at peak',
    );
    expect(lines).toContain('      watched by   no KPI');

    const signoff = section('Sign-off (');
    expect(lines[signoff]).toBe(
      'Sign-off (no self-approval; an edit to the plan resets approvals; deadline 1d, then hold and notify)',
    );
    expect(lines.slice(signoff + 1, signoff + 7)).toEqual([
      '  role         quorum  deadline  signs before       asked by',
      '  engineering  1       1d        canary, full       —',
      '  product      1       2d        early, half, full  KPI search_success on breach, KPI zero_result_rate on breach, risk R1',
      '  sre          2       1d        half, full         KPI ranking_cost_per_query on breach',
      '  support      1       1d        early              KPI support_contacts on breach, KPI support_contacts without evidence',
      '  security     1       3d        canary             risk R1, risk R4',
    ]);

    const readiness = section('Readiness checklist');
    expect(lines[readiness]).toBe(
      'Readiness checklist (4 blocking, 2 advisory; 4 blocking checks to attest by the owner before a start)',
    );
    expect(lines).toContain(
      '  blocking  sre          Runbook for ranking rollback reviewed              —',
    );
    expect(lines.filter((l) => l.startsWith('  advisory'))).toHaveLength(2);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });

  it('names the router of a routed plan (examples/infra-canary/plan.yaml)', async () => {
    const run = await runCli(['plan', 'explain', 'examples/infra-canary/plan.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toContain(
      "  router    edge: each phase's share is web-v2's weight in web, web-v1 takes the rest",
    );
    const json = await runCli(['plan', 'explain', '--json', 'examples/infra-canary/plan.yaml']);
    expect((JSON.parse(json.stdout) as { router: unknown }).router).toEqual({
      name: 'edge',
      service: 'web',
      treatment: 'web-v2',
      control: 'web-v1',
    });
  });

  it('every example explains with exit 0', async () => {
    for (const f of ['checkout-web', 'payments-migration', 'search-ranking-signoff']) {
      const run = await runCli(['plan', 'explain', `examples/${f}.yaml`]);
      expect(run.code).toBe(0);
      for (const s of ['Phases', 'KPI matrix', 'Risk register', 'Sign-off', 'Readiness']) {
        expect(run.stdout).toContain(s);
      }
    }
  });

  it('an invalid plan prints its problems on stderr and exits 1', async () => {
    const file = 'examples/invalid/09-last-phase-not-full.yaml';
    const run = await runCli(['plan', 'explain', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const golden = readFileSync(join(REPO_ROOT, file.replace('.yaml', '.expected')), 'utf8');
    expect(run.stderr).toBe(`${golden}✗ cannot explain ${file}: 1 problem (see above)\n`);
  });
});

describe('threshold plan explain --json', () => {
  it('prints the same summary as structured data', async () => {
    const run = await runCli(['plan', 'explain', '--json', 'examples/payments-migration.yaml']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as PlanSummary & { valid: boolean; file: string };
    expect(out.valid).toBe(true);
    expect(out.file).toBe('examples/payments-migration.yaml');
    expect(out.control).toBe('holdout');
    expect(out.phases.map((p) => p.trafficText)).toEqual(['0.1%', '1%', '10%', '50%', '100%']);
    expect(out.timeline).toMatchObject({
      fullPhase: 'full',
      minTimeToFullMs: 41 * H,
      minTimeToFullText: '1d17h',
      bakeMs: 3 * D,
      fullyLiveAfterText: '4d17h',
    });
    expect(out.riskGrid.rows.map((r) => r.likelihood)).toEqual([5, 4, 3, 2, 1]);
    expect(out.riskGrid.rows[3]?.cells[4]).toEqual({ impact: 5, score: 10, risks: ['R1'] });
    expect(out.risks.map((r) => [r.id, r.score])).toEqual([
      ['R2', 12],
      ['R1', 10],
      ['R3', 8],
    ]);
    const burn = out.kpis.flatMap((c) => c.kpis).find((k) => k.name === 'availability_burn');
    expect(burn?.guardText).toBe(
      'SLO 99.95% burn-rate windows 14.4×/1h+5m, 6×/6h+30m, 3×/1d+2h, 1×/3d+6h',
    );
    expect(burn?.onBreach).toEqual([
      { type: 'rollback' },
      { type: 'notify', to: ['payments-oncall'] },
      { type: 'webhook', url: 'https://hooks.example.com/threshold/payments' },
    ]);
    // What one sample is (ADR 0015): a Prometheus KPI counts steps, a burn rate requests / φ.
    const success = out.kpis.flatMap((c) => c.kpis).find((k) => k.name === 'payment_success');
    expect(success?.basis).toBe('per-interval');
    expect(success?.basisText).toBe(
      "per-interval: one sample per 1m step in each arm (the step's counts); a verdict needs 30 steps per arm",
    );
    expect(burn?.basis).toBe('request-counts');
    expect(out.signoff.policy?.onDeadline).toBe('rollback');
    expect(out.readiness).toMatchObject({ blocking: 3, advisory: 0, blockingWithoutEvidence: 1 });
  });

  it('an invalid plan prints { valid: false, errors, omittedErrors } and exits 1', async () => {
    const run = await runCli(['plan', 'explain', 'examples/invalid/04-empty.yaml', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: false,
      errors: [
        {
          file: 'examples/invalid/04-empty.yaml',
          line: 1,
          col: 1,
          path: '',
          message: 'the plan is empty',
        },
      ],
      omittedErrors: 0,
    });
  });
});

describe('timeline', () => {
  const phase = (name: string, traffic: number, min_duration: number, bake?: number) => ({
    name,
    traffic,
    min_duration,
    bake,
    signoff: undefined,
  });

  it('sums min_duration of the phases before the 100% phase, then adds its bake', () => {
    const t = timeline([phase('a', 0.01, 2 * H), phase('b', 0.5, D), phase('c', 1, 5 * H, 2 * D)]);
    expect(t).toEqual({
      fullPhase: 'c',
      minTimeToFullMs: 26 * H,
      minTimeToFullText: '1d2h',
      bakeMs: 2 * D,
      fullyLiveAfterMs: 74 * H,
      fullyLiveAfterText: '3d2h',
      signoffWaits: false,
    });
  });

  it('a single phase at 100% is at 100% immediately', () => {
    expect(timeline([phase('only', 1, H)])).toMatchObject({
      minTimeToFullMs: 0,
      minTimeToFullText: '0s',
      fullyLiveAfterMs: 0,
    });
  });

  it('notes sign-off waits', () => {
    expect(timeline([{ ...phase('a', 1, H), signoff: { roles: ['sre'] } }]).signoffWaits).toBe(
      true,
    );
  });
});

describe('riskGrid', () => {
  it('is 5×5, likelihood 5→1 by impact 1→5, cells list ids in plan order with their score', () => {
    const grid = riskGrid([
      { id: 'A', likelihood: 1, impact: 1 },
      { id: 'B', likelihood: 5, impact: 5 },
      { id: 'C', likelihood: 5, impact: 5 },
      { id: 'D', likelihood: 2, impact: 4 },
    ]);
    expect(grid.impacts.map((i) => i.word)).toEqual([
      'negligible',
      'minor',
      'moderate',
      'major',
      'severe',
    ]);
    expect(grid.rows.map((r) => `${r.likelihood} ${r.word}`)).toEqual([
      '5 almost-certain',
      '4 likely',
      '3 possible',
      '2 unlikely',
      '1 rare',
    ]);
    expect(grid.rows.every((r) => r.cells.length === 5)).toBe(true);
    expect(grid.rows[0]?.cells[4]).toEqual({ impact: 5, score: 25, risks: ['B', 'C'] });
    expect(grid.rows[3]?.cells[3]).toEqual({ impact: 4, score: 8, risks: ['D'] });
    expect(grid.rows[4]?.cells[0]).toEqual({ impact: 1, score: 1, risks: ['A'] });
    expect(renderRiskGrid(grid)[1]).toBe(
      '  5 almost-certain         ·             ·        ·           ·        B, C',
    );
  });
});

describe('signoffSummary', () => {
  it('without a policy, nobody signs', () => {
    const plan = load('examples/checkout-web.yaml');
    expect(signoffSummary({ ...plan, signoff: undefined })).toEqual({ policy: null, roles: [] });
  });

  it('uses the role deadline, else the policy deadline', () => {
    const s = signoffSummary(load('examples/payments-migration.yaml'));
    expect(s.roles.map((r) => [r.role, r.quorum, r.deadlineText, r.phases])).toEqual([
      ['sre', 2, '4h', ['tenth', 'half']],
      ['payments', 1, '1d', ['half']],
    ]);
  });
});

describe('guardInWords', () => {
  it.each<[Guard, string]>([
    [
      { compare: { bad: 'increase', margin: 0.1, relative: true } },
      'treatment ≤ control + 10% (relative)',
    ],
    [
      { compare: { bad: 'decrease', margin: 0.02, relative: true } },
      'treatment ≥ control − 2% (relative)',
    ],
    [
      { compare: { bad: 'increase', margin: 3, relative: false } },
      'treatment ≤ control + 3 (absolute)',
    ],
    [{ max: 800 }, '≤ 800 hard limit'],
    [{ min: 0.97, max: 1 }, '≤ 1 hard limit, ≥ 0.97 hard limit'],
    [
      { burn_rate: { slo: 0.999, windows: [{ long: H, short: 300_000, factor: 14.4 }] } },
      'SLO 99.9% burn-rate windows 14.4×/1h+5m',
    ],
  ])('%j', (guard, words) => {
    expect(guardInWords(guard)).toBe(words);
  });
});

describe('text helpers', () => {
  it('renderTable pads every column but the last and trims line ends', () => {
    expect(
      renderTable([
        ['a', 'bb', ''],
        ['ccc', 'd', 'e'],
      ]),
    ).toEqual(['  a    bb', '  ccc  d   e']);
  });

  it('wrap breaks at word boundaries', () => {
    expect(wrap('one two three four', 9, '> ')).toEqual(['> one two', '> three', '> four']);
  });
});

describe('summarizePlan', () => {
  it('keeps categories in KPI_CATEGORIES order and counts every KPI', () => {
    const s = summarizePlan(load('examples/checkout-web.yaml'));
    expect(s.kpis.map((c) => [c.category, c.kpis.length])).toEqual([
      ['efficiency', 1],
      ['user-impact', 3],
      ['operational-health', 3],
    ]);
    expect(s.phases[0]?.audience).toEqual(['country in [NL, SE]', 'app_version gte 42']);
    expect(s.phases[1]?.audience).toEqual(['country not_in [US]']);
  });
});

describe('a minimal plan', () => {
  it('explains empty sections plainly', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'threshold-cli-explain-'));
    writeFileSync(
      join(dir, 'min.yaml'),
      'launch: tiny\nowner: web\nphases:\n  - { name: full, traffic: 100% }\nkpis:\n  efficiency:\n    - { name: cpu, kind: mean, event: cpu, guard: { max: 2 } }\n',
    );
    const run = await runCli(['plan', 'explain', 'min.yaml'], dir);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain(
      '  Minimum time to 100%: 0s (sum of min_duration of the phases before full); fully live after bake: 0s',
    );
    expect(lines).not.toContain('  Sign-off waits come on top of these times.');
    expect(lines).toContain('  user-impact: none');
    expect(lines).toContain('      guard                     ≤ 2 hard limit');
    expect(lines).toContain('      on breach                 rollback');
    expect(lines).toContain('Risk register: empty');
    expect(lines).toContain('Sign-off: no policy (no phase or action waits for approval)');
    expect(lines).toContain('Readiness checklist: empty');
  });
});
