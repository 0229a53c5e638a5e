/**
 * The rehearsal pool: real worker threads (the compiled worker of `npm run
 * build`), byte-identical reports for any number of threads, the queue's limits,
 * cancelling.
 */
import { parsePlan, rehearse } from '@threshold/core';
import type { Plan, RehearsalOptions, TrafficProfile } from '@threshold/core';
import { RehearsalPool, RehearsalPoolFullError } from '@threshold/server';
import { afterEach, describe, expect, it } from 'vitest';

const parsed = parsePlan(`launch: pool
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 1h, min_units: 100 }
  - { name: full, traffic: 100%, bake: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 20% }, on_breach: rollback }
    - { name: latency, kind: quantile, q: 0.95, event: l, guard: { max_increase: 10% }, on_breach: pause }
  user-impact:
    - { name: conversion, kind: occurrence, event: p, guard: { max_decrease: 10% }, on_insufficient: hold }
`);
if (!parsed.valid) throw new Error('test plan');
const plan: Plan = parsed.plan;
const source: TrafficProfile = { unitsPerMinute: 500, durationMs: 2 * 86_400_000 };
const options: Omit<RehearsalOptions, 'onProgress'> = {
  runs: 23,
  seed: 11,
  maxDurationMs: 86_400_000,
  injections: [
    {
      label: 'errors=+80%',
      effects: [{ kpi: 'errors', size: 0.8, relative: true, fromPhase: null }],
    },
  ],
};

const pools: RehearsalPool[] = [];
function pool(o: ConstructorParameters<typeof RehearsalPool>[0]): RehearsalPool {
  const p = new RehearsalPool(o);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('rehearsal pool', () => {
  it('answers the same bytes as rehearse() on this thread, with 1 or 2 threads and any range size', async () => {
    const expected = JSON.stringify(rehearse(plan, source, options));
    const seen: number[] = [];
    const one = await pool({ threads: 1, rangeRuns: 7 }).run(
      { plan, source, options },
      { onProgress: (done, total) => seen.push(done / total) },
    );
    const two = await pool({ threads: 2, rangeRuns: 3 }).run({ plan, source, options });
    expect(JSON.stringify(one)).toBe(expected);
    expect(JSON.stringify(two)).toBe(expected);
    // Progress only grows and ends at every launch of every scenario.
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('refuses a rehearsal past the per-scope and the pool-wide limit, and takes it once one ends', async () => {
    const p = pool({ threads: 1, maxJobs: 2, maxJobsPerScope: 1 });
    const first = p.run({ plan, source, options }, { scope: 'a' });
    const refused = await p.run({ plan, source, options }, { scope: 'a' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RehearsalPoolFullError);
    expect((refused as RehearsalPoolFullError).limit).toBe('scope');
    const other = p.run({ plan, source, options }, { scope: 'b' });
    const full = await p.run({ plan, source, options }, { scope: 'c' }).catch((e: unknown) => e);
    expect((full as RehearsalPoolFullError).limit).toBe('pool');
    await Promise.all([first, other]);
    expect(p.pending).toBe(0);
    await expect(p.run({ plan, source, options }, { scope: 'a' })).resolves.toMatchObject({
      settings: { runs: 23 },
    });
  });

  it('cancels: the rehearsal rejects with an AbortError, leaves the queue, and the pool goes on', async () => {
    const p = pool({ threads: 1, rangeRuns: 1 });
    const controller = new AbortController();
    const cancelled = p.run(
      { plan, source, options: { ...options, runs: 400 } },
      { signal: controller.signal, onProgress: (done) => done >= 16 && controller.abort() },
    );
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(p.pending).toBe(0);
    await expect(p.run({ plan, source, options })).resolves.toMatchObject({
      settings: { seed: 11 },
    });
  });

  it('rejects invalid options with the engine’s RangeError, before any thread works', async () => {
    await expect(
      pool({ threads: 1 }).run({ plan, source, options: { runs: 0 } }),
    ).rejects.toBeInstanceOf(RangeError);
  });
});
