/** Plans and histories shared by the rehearsal tests. */
import { readFileSync } from 'node:fs';
import { parsePlan } from '@threshold/core';
import type { Plan } from '@threshold/core';

/** Parse a plan written in a test; fails the test loudly when the plan is invalid. */
export function planOf(yaml: string): Plan {
  const r = parsePlan(yaml, { file: 'test.yaml' });
  if (!r.valid) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.plan;
}

/** One KPI of every kind that has a history column set. */
export const ALL_KINDS_PLAN = planOf(`
launch: all-kinds
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 1h, min_units: 100 }
  - { name: full, traffic: 100% }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: buy, guard: { max_decrease: 5% } }
    - { name: order_value, kind: mean, event: buy, guard: { max_decrease: 5% } }
    - { name: clicks, kind: ratio, numerator: click, denominator: view, guard: { max_decrease: 5% } }
  operational-health:
    - { name: errors, kind: count, event: err, guard: { max_increase: 10% } }
    - { name: p95, kind: quantile, q: 0.95, event: load_ms, guard: { max_increase: 10% } }
    - name: availability
      kind: slo-burn
      numerator: bad
      denominator: total
      guard: { burn_rate: { slo: 99.9% } }
`);

/** Levels for every KPI of ALL_KINDS_PLAN, for synthetic histories the samplers' tests draw from. */
export const ALL_KINDS_BASELINES = {
  conversion: { value: 0.1 },
  order_value: { value: 40, sd: 20 },
  clicks: { value: 0.3 },
  errors: { value: 2, sd: 3 },
  p95: { value: 800, sd: 0.4 },
  availability: { value: 0.002 },
};

/** A small valid history for ALL_KINDS_PLAN: header plus `rows` per-minute rows. */
export function allKindsCsv(rows = 3): string {
  const header = [
    'timestamp',
    'units',
    'conversion.occurred',
    'order_value.units',
    'order_value.sum',
    'order_value.sum_sq',
    'clicks.num',
    'clicks.den',
    'clicks.num_sq',
    'clicks.den_sq',
    'clicks.num_den',
    'errors.sum',
    'errors.sum_sq',
    'p95.values',
    'p95.log_mean',
    'p95.log_sd',
    'availability.bad',
    'availability.total',
  ].join(',');
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString();
    lines.push(`${t},100,5,5,250,13500,30,200,40,500,70,20,40,120,6.5,0.4,1,400`);
  }
  return `${lines.join('\n')}\n`;
}

/** The plan `bench/rehearsal.mjs` times (bench/rehearsal-plan.yaml): 4 phases, 6 KPIs of five kinds, every on_breach response. */
export const BENCH_YAML = readFileSync('bench/rehearsal-plan.yaml', 'utf8');
