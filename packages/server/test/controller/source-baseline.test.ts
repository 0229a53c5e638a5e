/**
 * The baseline of a per-unit source KPI (sql on real PostgreSQL) at 100%: the
 * controller reads the control arm of the canary from the source over the
 * canary's span (from the launch's log, on a real SQLite store), and a baseline
 * the source cannot give leaves the comparison insufficient-evidence, naming it.
 */
import { randomBytes } from 'node:crypto';
import { applyDecision, formatPlanError, initialLaunchState, parsePlan } from '@threshold/core';
import type { Decision, Plan } from '@threshold/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherEvidence } from '../../src/controller/gather-evidence.js';
import { DECISION_EVENT } from '../../src/controller/launch-log.js';
import { SqlSource } from '../../src/sources/sql-source.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];
const T0 = Date.parse('2026-12-01T10:00:00Z');
const H = 3_600_000;
const T1 = T0 + H; // the canary ends, full starts
const NOW = T1 + H;

const sqlOf = (table: string) => `
        select count(*) as units, sum(converted) as sum, sum(converted * converted) as sum_squares
        from ${table}
        where launch = {{launch}} and arm = {{arm}} and at >= {{since}} and at < {{now}}`;

describe.skipIf(url === undefined || url === '')('the baseline of a sql KPI at 100%', () => {
  const schema = `thr_base_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  let source: SqlSource;
  let store: Store;
  let plan: Plan;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    for (const table of ['sessions', 'bake_sessions'])
      await admin.query(
        `CREATE TABLE ${schema}.${table} (unit text, launch text, arm text, at timestamptz, converted int)`,
      );
    const rows = (arm: string, from: number, convertEvery: number) =>
      Array.from({ length: 400 }, (_, i) => {
        const at = new Date(from + 5000 * (i + 1)).toISOString();
        return `('${arm[0] ?? ''}${from}-${i}', 'base', '${arm}', '${at}', ${i % convertEvery === 0 ? 1 : 0})`;
      });
    // Canary: both arms convert half the time; full: only treatment, a quarter.
    await admin.query(
      `INSERT INTO ${schema}.sessions VALUES ${[...rows('treatment', T0, 2), ...rows('control', T0, 2), ...rows('treatment', T1, 4)].join(',')}`,
    );
    // A table that only has rows since full started: no baseline in it.
    await admin.query(
      `INSERT INTO ${schema}.bake_sessions VALUES ${rows('treatment', T1, 2).join(',')}`,
    );
    source = new SqlSource({ name: 'sql', kind: 'sql', url: url ?? '', timeoutMs: 5000 });

    const parsed = parsePlan(`launch: base
owner: payments
flag: base
phases:
  - { name: canary, traffic: 50%, min_units: 10 }
  - { name: full, traffic: 100%, min_units: 10, bake: 1h }
kpis:
  user-impact:
    - name: conversion
      kind: occurrence
      source: sql
      sql: |${sqlOf(`${schema}.sessions`)}
      guard: { max_decrease: 10% }
    - name: bake_only
      kind: occurrence
      source: sql
      sql: |${sqlOf(`${schema}.bake_sessions`)}
      guard: { max_decrease: 10% }
`);
    if (!parsed.valid) throw new Error(parsed.errors.map(formatPlanError).join('\n'));
    plan = parsed.plan;
    store = await openStore({ url: 'sqlite::memory:' });
    const v = await store.putPlan({
      name: 'base',
      source: '',
      format: 'yaml',
      plan,
      createdBy: 'alice',
    });
    await store.createLaunch({
      id: 'L1',
      planName: 'base',
      planVersion: v.version,
      salt: 's',
      createdBy: 'alice',
      traffic: 0.5,
    });
  });

  afterAll(async () => {
    await source?.close();
    await store?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('judges the bake against the canary control read from the source, and an empty baseline is insufficient', async () => {
    const advance = {
      type: 'advance',
      from: 0,
      to: 1,
      fromPhase: 'canary',
      toPhase: 'full',
      traffic: 1,
      startsBake: true,
      rule: 'phase-ready',
      reason: 'canary met every condition',
      phase: 'canary',
      at: T1,
    } as Decision;
    await store.appendLaunchEvent(
      {
        launchId: 'L1',
        type: DECISION_EVENT,
        actor: 'controller',
        data: advance,
        at: new Date(T1).toISOString(),
      },
      1,
    );
    const state = applyDecision(initialLaunchState(plan, { planVersion: 1, now: T0 }), advance);
    expect(state).toMatchObject({ phaseIndex: 1, traffic: 1 });

    const evidence = await gatherEvidence(
      store,
      'L1',
      plan,
      state,
      NOW,
      new Map([['sql', source]]),
    );
    const conversion = evidence.guards.find((g) => g.kpi === 'conversion');
    // The control is the canary's 400 control units (half converted), not anything of full.
    expect(conversion?.units).toEqual({ treatment: 400, control: 400 });
    expect(conversion?.estimate).toEqual({ treatment: 0.25, control: 0.5 });
    expect(conversion?.comparison?.baseline).toBe('canary');
    expect(conversion?.verdict).toBe('breach');
    expect(conversion?.reason).toMatch(/control units of canary, the baseline/);

    const bakeOnly = evidence.guards.find((g) => g.kpi === 'bake_only');
    expect(bakeOnly?.verdict).toBe('insufficient-evidence');
    expect(bakeOnly?.reason).toMatch(
      /^no baseline for KPI bake_only: the control arm of canary could not be read \(.*no control data\)$/,
    );
    expect(bakeOnly?.comparison?.baseline).toBe('canary');
    expect(bakeOnly?.source).toMatchObject({ name: 'sql', kind: 'sql' });
  });
});
