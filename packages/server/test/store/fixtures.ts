/** Plans and events the store contract suite shares. */
import { armOf, bucketOf, parsePlan, shareToBuckets } from '@threshold/core';
import type { Plan, SdkEvent } from '@threshold/core';

/** A plan with one KPI of every events-sourced kind (and one prometheus KPI, which stores ignore). */
export const PLAN_YAML = `
launch: contract
owner: store-tests
phases:
  - { name: canary, traffic: 1%, min_duration: 1h }
  - { name: early, traffic: 10%, min_duration: 1h }
  - { name: full, traffic: 100% }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: signup, guard: { max_decrease: 2% } }
    - { name: clicks, kind: count, event: click, guard: { max_decrease: 5% } }
    - { name: order_value, kind: mean, event: order, guard: { max_decrease: 3% } }
    - { name: revenue_per_view, kind: ratio, numerator: revenue, denominator: view,
        guard: { max_decrease: 5% } }
  operational-health:
    - { name: latency, kind: quantile, q: 0.95, event: latency_ms, guard: { max_increase: 5% } }
    - { name: availability, kind: slo-burn, numerator: error, denominator: request,
        guard: { burn_rate: { slo: 99.9% } } }
  efficiency:
    - { name: cpu, source: prometheus, kind: mean, query: 'sum(rate(cpu[1m]))',
        guard: { max_increase: 15% } }
`;

/** The parsed {@link PLAN_YAML}. */
export function contractPlan(yaml = PLAN_YAML): Plan {
  const r = parsePlan(yaml);
  if (!r.valid) throw new Error(`fixture plan invalid: ${JSON.stringify(r.errors)}`);
  return r.plan;
}

/** A minute boundary, so minute-slot arithmetic in expectations is plain. */
export const T0 = 28_333_334 * 60_000;
export const MIN = 60_000;

/** An exposure of `unit` to launch `launch` (phase canary unless given). */
export function exposure(
  launch: string,
  unit: string,
  arm: 'treatment' | 'control' | 'excluded',
  ts = T0,
  phase: string | undefined = 'canary',
): SdkEvent {
  return {
    type: 'exposure',
    flag: 'contract',
    launch,
    unit,
    arm,
    ts,
    ...(phase !== undefined && { phase }),
  };
}

/** `times` track events of `event` for `unit`. */
export function track(unit: string, event: string, times = 1, value?: number, ts = T0): SdkEvent[] {
  return Array.from({ length: times }, () => ({
    type: 'track' as const,
    unit,
    event,
    ts,
    ...(value !== undefined && { value }),
  }));
}

/**
 * A unit id that the launch with `salt` puts in `arm` at `share` (control: rest): `name`
 * itself or `name~k` for the first k that fits. The projection recomputes every
 * exposure's arm, so fixtures must claim the arm the unit really has.
 */
export function unitIn(
  name: string,
  arm: 'treatment' | 'control',
  share = 0.01,
  salt = 'salt-L1',
): string {
  const buckets = shareToBuckets(share);
  for (let k = 0; ; k++) {
    const id = k === 0 ? name : `${name}~${k}`;
    if (armOf(bucketOf(id, salt), buckets, 'rest') === arm) return id;
  }
}
