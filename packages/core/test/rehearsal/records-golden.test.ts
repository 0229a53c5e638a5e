/**
 * Speed passes on the rehearsal engine must not change a single record: every
 * simulated launch of these seeded cases (outcome, phase times, alarms,
 * responses, stopped-by) and the whole report are held to digests recorded in
 * test/vectors/rehearsal-records.json. A change that means to move results (a
 * new statistic, a new sampler) regenerates them on purpose:
 * `UPDATE_VECTORS=1 npx vitest run packages/core/test/rehearsal/records-golden`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseHistory,
  parseInjection,
  prepareRehearsal,
  rehearse,
  simulateRuns,
  syntheticHistory,
} from '@threshold/core';
import type { Plan, RehearsalOptions, RunRecord } from '@threshold/core';
import { ALL_KINDS_PLAN, BENCH_YAML, planOf } from './fixtures.js';

const VECTORS = new URL('../vectors/rehearsal-records.json', import.meta.url);

const BENCH = planOf(BENCH_YAML);
const BENCH_MSPRT = planOf(`${BENCH_YAML}analysis: { method: msprt }\n`);
const SIX = [
  'errors=+40%',
  'latency=+15%',
  'conversion=-12%',
  'revenue=-15%',
  'cpu=+20%',
  'calls=+20%',
];

function injections(plan: Plan, specs: string[]) {
  return specs.map((spec) => {
    const r = parseInjection(spec, plan);
    if (!r.ok) throw new Error(r.message);
    return r.injection;
  });
}

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

interface Case {
  name: string;
  plan: Plan;
  source: Parameters<typeof prepareRehearsal>[1];
  options: RehearsalOptions;
}

function cases(): Case[] {
  const benchHistory = syntheticHistory(BENCH, {
    unitsPerMinute: 2000,
    diurnal: true,
    durationMs: 3 * 86_400_000,
    baselines: { errors: { value: 0.05 }, conversion: { value: 0.1 } },
  });
  const checkout = planOf(readFileSync('examples/checkout-web.yaml', 'utf8'));
  const history = parseHistory(readFileSync('examples/history/checkout-web.csv', 'utf8'), checkout);
  if (!history.ok) throw new Error('example history');
  const synthetic = { unitsPerMinute: 1500, diurnal: true, durationMs: 3 * 86_400_000 };
  const two = { maxDurationMs: 2 * 86_400_000 };
  const examples = [
    'payments-migration.yaml',
    'search-ranking-signoff.yaml',
    'demo/checkout-v2.yaml',
    'demo/search-v3.yaml',
    'infra-canary/plan.yaml',
  ].map((f, i): Case => ({
    name: f,
    plan: planOf(readFileSync(`examples/${f}`, 'utf8')),
    source: synthetic,
    options: { runs: 12, seed: 100 + i, ...two, signoffDelayMs: 3_600_000 },
  }));
  return [
    {
      name: 'bench, six injections',
      plan: BENCH,
      source: benchHistory,
      options: { runs: 16, seed: 1, ...two, injections: injections(BENCH, SIX) },
    },
    {
      name: 'bench, reference path',
      plan: BENCH,
      source: benchHistory,
      options: {
        runs: 8,
        seed: 3,
        ...two,
        reference: true,
        injections: injections(BENCH, SIX.slice(0, 2)),
      },
    },
    {
      name: 'bench, msprt',
      plan: BENCH_MSPRT,
      source: benchHistory,
      options: { runs: 12, seed: 5, ...two, injections: injections(BENCH_MSPRT, SIX) },
    },
    {
      name: 'bench, one-minute looks',
      plan: BENCH,
      source: benchHistory,
      options: {
        runs: 4,
        seed: 9,
        ...two,
        lookIntervalMs: 60_000,
        injections: injections(BENCH, SIX.slice(0, 1)),
      },
    },
    {
      name: 'checkout-web over its history',
      plan: checkout,
      source: history.history,
      options: {
        runs: 20,
        seed: 11,
        ...two,
        injections: injections(checkout, ['payment_errors=+50%']),
      },
    },
    ...examples,
    {
      name: 'all kinds, injected',
      plan: ALL_KINDS_PLAN,
      source: { ...synthetic, unitsPerMinute: 800 },
      options: {
        runs: 16,
        seed: 201,
        ...two,
        injections: injections(ALL_KINDS_PLAN, ['conversion=-8%', 'p95=+12%', 'errors=+15%']),
      },
    },
  ];
}

/** Digest of every record of every scenario, of the report, and the outcomes tallied (to read a failure). */
function measure(c: Case) {
  const prepared = prepareRehearsal(c.plan, c.source, c.options);
  const records: RunRecord[][] = [];
  for (let s = 0; s <= prepared.injections.length; s++)
    records.push(simulateRuns(prepared, s, 0, prepared.runs));
  const outcomes = records.map((list) => {
    const tally: Record<string, number> = {};
    for (const r of list) tally[r.outcome] = (tally[r.outcome] ?? 0) + 1;
    return tally;
  });
  return {
    name: c.name,
    outcomes,
    records: digest(records),
    report: digest(rehearse(c.plan, c.source, c.options)),
  };
}

describe('rehearsal records against recorded digests (test/vectors/rehearsal-records.json)', () => {
  const all = cases();
  if (process.env.UPDATE_VECTORS === '1') {
    it('writes the vectors', () => {
      const vectors = {
        note: 'digests of seeded rehearsal records; see records-golden.test.ts',
        cases: all.map(measure),
      };
      writeFileSync(VECTORS, `${JSON.stringify(vectors, null, 2)}\n`);
    });
    return;
  }
  const recorded = JSON.parse(readFileSync(VECTORS, 'utf8')) as {
    cases: ReturnType<typeof measure>[];
  };
  it.each(all.map((c, i) => [c.name, c, i] as const))('%s: every record as recorded', (_, c, i) => {
    const want = recorded.cases[i];
    expect(want?.name).toBe(c.name);
    const got = measure(c);
    expect(got.outcomes).toEqual(want?.outcomes);
    expect(got.records).toBe(want?.records);
    expect(got.report).toBe(want?.report);
  });
});
