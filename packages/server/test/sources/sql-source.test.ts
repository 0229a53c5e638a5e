/**
 * The sql source on real PostgreSQL (THRESHOLD_TEST_DATABASE_URL): per-arm sums
 * from a table, bind parameters, and every way a query can fail turned into a
 * reason in words (never a pass).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { evaluateGuards, formatPlanError, parsePlan } from '@threshold/core';
import type { Kpi, Plan } from '@threshold/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceReadRequest } from '../../src/sources/metric-source.js';
import { SqlSource } from '../../src/sources/sql-source.js';
import { metricSourceContract } from './metric-source-contract.js';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];

/** A plan whose user-impact KPIs are the given YAML items. */
export function planWith(kpis: string): Plan {
  const r = parsePlan(`launch: checkout-v2
owner: payments
phases:
  - { name: canary, traffic: 10%, min_units: 10 }
  - { name: full, traffic: 100% }
kpis:
  user-impact:
${kpis}`);
  if (!r.valid) throw new Error(r.errors.map(formatPlanError).join('\n'));
  return r.plan;
}

function kpiOf(plan: Plan, name: string): Kpi {
  const kpi = plan.kpis['user-impact'].find((k) => k.name === name);
  if (kpi === undefined) throw new Error(`no KPI ${name}`);
  return kpi;
}

const T0 = Date.parse('2026-12-01T10:00:00Z');

if (url === undefined || url === '') {
  console.warn(
    'sql source on PostgreSQL SKIPPED: set THRESHOLD_TEST_DATABASE_URL=postgres://… to run it',
  );
  describe.skip('sql source (THRESHOLD_TEST_DATABASE_URL not set)', () => {
    it('needs THRESHOLD_TEST_DATABASE_URL', () => {});
  });
} else {
  const schema = `thr_sql_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  const sources: SqlSource[] = [];
  const open = (timeoutMs = 5000, at = url) => {
    const s = new SqlSource({ name: 'sql', kind: 'sql', url: at, timeoutMs });
    sources.push(s);
    return s;
  };
  const request = (kpis: Kpi[], over: Partial<SourceReadRequest> = {}): SourceReadRequest => ({
    launchId: 'L1',
    launch: 'checkout-v2',
    phase: 'canary',
    phaseStartedAt: T0,
    nowMs: T0 + 3_600_000,
    kpis,
    ...over,
  });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(
      `CREATE TABLE ${schema}.sessions (unit text, launch text, arm text, at timestamptz, converted int, spend double precision, items int)`,
    );
    // Treatment: units t0..t39, a quarter convert; control: c0..c39, half convert.
    // One row per unit inside the hour after T0, and a decoy before the phase.
    const rows: string[] = [];
    for (let i = 0; i < 40; i++) {
      const at = new Date(T0 + 60_000 * (i + 1)).toISOString();
      rows.push(
        `('t${i}', 'checkout-v2', 'treatment', '${at}', ${i % 4 === 0 ? 1 : 0}, ${i}, ${1 + (i % 3)})`,
      );
      rows.push(`('c${i}', 'checkout-v2', 'control', '${at}', ${i % 2}, ${2 * i}, ${2 + (i % 3)})`);
    }
    rows.push(
      `('old', 'checkout-v2', 'treatment', '${new Date(T0 - 1000).toISOString()}', 1, 0, 1)`,
    );
    rows.push(
      `('x', 'other-launch', 'treatment', '${new Date(T0 + 1000).toISOString()}', 1, 0, 1)`,
    );
    await admin.query(`INSERT INTO ${schema}.sessions VALUES ${rows.join(',')}`);
  });

  afterAll(async () => {
    for (const s of sources) await s.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const conversionSql = (s: string) => `
        select count(*) as units, sum(converted) as sum, sum(converted * converted) as sum_squares
        from ${s}.sessions
        where launch = {{launch}} and arm = {{arm}} and at >= {{since}} and at < {{now}}`;

  // The shared contract, on the same table: conversion by {{arm}}, items per
  // session from one GROUP BY arm query.
  let hanging: Server | undefined;
  const sockets = new Set<Socket>();
  metricSourceContract('sql (PostgreSQL)', {
    setup() {
      const plan = planWith(`    - name: conversion
      kind: occurrence
      source: sql
      sql: |${conversionSql(schema)}
      guard: { max_decrease: 5% }
    - name: items
      kind: count
      source: sql
      sql: |
        select arm, count(*) as units, sum(items) as sum, sum(items * items) as sum_squares
        from ${schema}.sessions where launch = {{launch}} and at >= {{since}} group by arm
      guard: { max_increase: 5% }
    - name: nobody
      kind: count
      source: sql
      sql: select arm, count(*) as units, sum(items) as sum, sum(items * items) as sum_squares from ${schema}.sessions where launch = 'nobody' group by arm
      guard: { max_increase: 5% }
    - name: broken
      kind: count
      source: sql
      sql: select arm, count(*) as units, 0 as sum, 0 as sum_squares from ${schema}.no_such_table group by arm
      guard: { max_increase: 5% }
`);
      // Items cycle 1,2,3 (treatment) and 2,3,4 (control) over 40 units: means 79/40 and 119/40.
      return Promise.resolve({
        source: open(),
        request: request([]),
        healthy: [
          {
            kpi: kpiOf(plan, 'conversion'),
            expect: { treatment: 0.25, control: 0.5 },
            tolerance: 1e-9,
          },
          {
            kpi: kpiOf(plan, 'items'),
            expect: { treatment: 79 / 40, control: 119 / 40 },
            tolerance: 1e-9,
          },
        ],
        empty: kpiOf(plan, 'nobody'),
        broken: kpiOf(plan, 'broken'),
      });
    },
    async unreachable() {
      return open(2000, `postgres://postgres@127.0.0.1:${String(await closedPort())}/nothing`);
    },
    async hanging() {
      // Accepts TCP connections and never says a word: the connection deadline must fire.
      hanging = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => hanging?.listen(0, '127.0.0.1', resolve));
      const port = (hanging.address() as { port: number }).port;
      return open(1000, `postgres://postgres@127.0.0.1:${String(port)}/nothing`);
    },
    async teardown() {
      for (const socket of sockets) socket.destroy();
      if (hanging !== undefined)
        await new Promise<void>((resolve) => hanging?.close(() => resolve()));
    },
  });

  describe('sql source on PostgreSQL', () => {
    it('reads per-arm sums with {{arm}} bound once per arm, and the guard judges them', async () => {
      const plan = planWith(`    - name: conversion
      kind: occurrence
      source: sql
      sql: |${conversionSql(schema)}
      guard: { max_decrease: 5% }
`);
      const kpi = kpiOf(plan, 'conversion');
      const reading = await open().read(request([kpi]));
      const r = reading.kpis['conversion'];
      expect(r).toMatchObject({
        ok: true,
        basis: 'per-unit',
        data: {
          treatment: { kind: 'occurrence', units: 40, sum: 10, sumSquares: 10 },
          control: { kind: 'occurrence', units: 40, sum: 20, sumSquares: 20 },
        },
      });
      if (r?.ok !== true) return;
      // The evidence shows the SQL with its bind values, never spliced in.
      expect(r.queries?.['treatment']).toContain('arm = $2');
      expect(r.queries?.['treatment']).toContain(`$2 = "treatment"`);
      const [verdict] = evaluateGuards(plan, { conversion: r.data });
      expect(verdict?.kpi).toBe('conversion');
      expect(verdict?.estimate).toEqual({ treatment: 0.25, control: 0.5 });
    });

    it('reads a ratio from one GROUP BY arm query, honouring the window through {{since}}', async () => {
      const plan = planWith(`    - name: spend_per_item
      kind: ratio
      source: sql
      window: 20m
      sql: |
        select arm, count(*) as units, sum(spend) as sum_numerator, sum(items) as sum_denominator,
               sum(spend * spend) as sum_numerator_squares, sum(items * items) as sum_denominator_squares,
               sum(spend * items) as sum_products
        from ${schema}.sessions
        where launch = {{launch}} and at >= {{since}} and at < {{now}}
        group by arm
      guard: { max_increase: 10% }
`);
      const kpi = kpiOf(plan, 'spend_per_item');
      // now = T0 + 30m: the window starts at T0 + 10m, so units 9..28 (at T0 + 10m … 29m).
      const reading = await open().read(request([kpi], { nowMs: T0 + 30 * 60_000 }));
      const r = reading.kpis['spend_per_item'];
      const ids = Array.from({ length: 20 }, (_, k) => k + 9);
      const sum = (f: (i: number) => number) => ids.reduce((a, i) => a + f(i), 0);
      expect(r).toMatchObject({
        ok: true,
        data: {
          treatment: {
            kind: 'ratio',
            units: 20,
            sumNumerator: sum((i) => i),
            sumDenominator: sum((i) => 1 + (i % 3)),
            sumNumeratorSquares: sum((i) => i * i),
            sumDenominatorSquares: sum((i) => (1 + (i % 3)) ** 2),
            sumProducts: sum((i) => i * (1 + (i % 3))),
          },
          control: { kind: 'ratio', units: 20, sumNumerator: sum((i) => 2 * i) },
        },
      });
      expect(r?.queries?.['arms']).toMatch(/\$2 = 2026-12-01T10:10:00\.000Z/);
    });

    it('binds values, so a launch name full of SQL is only a value', async () => {
      const kpi = kpiOf(
        planWith(`    - { name: conversion, kind: occurrence, source: sql, sql: "${conversionSql(schema).replace(/\s+/g, ' ').trim()}", guard: { max: 1 } }
`),
        'conversion',
      );
      const reading = await open().read(
        request([kpi], { launch: `checkout-v2' or '1'='1'; drop table ${schema}.sessions; --` }),
      );
      expect(reading.kpis['conversion']).toMatchObject({
        ok: true,
        data: { treatment: { units: 0, sum: 0, sumSquares: 0 } },
      });
      const count = await admin.query(`select count(*)::int as n from ${schema}.sessions`);
      expect(count.rows[0]).toEqual({ n: 82 });
    });

    it('refuses a query that writes: the READ ONLY transaction stops it and says so', async () => {
      const plan = planWith(`    - name: sneaky
      kind: count
      source: sql
      sql: |
        with gone as (delete from ${schema}.sessions where arm = {{arm}} returning 1)
        select count(*) as units, count(*) as sum, count(*) as sum_squares from gone
      guard: { max: 1 }
    - name: blunt
      kind: count
      source: sql
      sql: update ${schema}.sessions set items = 0 returning arm, 1 as units, 1 as sum, 1 as sum_squares
      guard: { max: 1 }
`);
      const reading = await open().read(request([kpiOf(plan, 'sneaky'), kpiOf(plan, 'blunt')]));
      const refused = (statement: string) =>
        expect.stringMatching(
          new RegExp(
            `^sql \\(postgres\\) at postgres://.*: refused a write: a sql KPI runs in a READ ONLY transaction \\(cannot execute ${statement} in a read-only transaction\\)$`,
          ),
        );
      expect(reading.kpis).toEqual({
        // PostgreSQL refuses a data-modifying WITH as a whole, naming the SELECT.
        sneaky: { ok: false, reason: refused('SELECT'), queries: expect.any(Object) },
        blunt: { ok: false, reason: refused('UPDATE'), queries: expect.any(Object) },
      });
      const count = await admin.query(
        `select count(*)::int as n, min(items)::int as items from ${schema}.sessions`,
      );
      expect(count.rows[0]).toEqual({ n: 82, items: 1 });
    });

    it('stops a slow query at the statement timeout, with the reason in words', async () => {
      const plan = planWith(`    - name: slow
      kind: count
      source: sql
      sql: select arm, 1 as units, 1 as sum, 1 as sum_squares from (values ('treatment'), ('control')) v(arm), pg_sleep(30)
      guard: { max: 5 }
`);
      const source = open(1000);
      const reading = await source.read(request([kpiOf(plan, 'slow')]));
      expect(reading.kpis['slow']).toMatchObject({
        ok: false,
        reason: expect.stringMatching(
          /: timed out after 1s \(statement_timeout\): make the query cheaper or raise the source's timeout$/,
        ),
      });
      expect(source.health()).toMatchObject({
        state: 'failing',
        lastError: expect.stringContaining('timed out after 1s'),
      });
    });

    it('names the columns when a query returns the wrong ones', async () => {
      const plan = planWith(`    - name: wrong
      kind: mean
      source: sql
      sql: select count(*) as n, sum(spend) as total, sum(spend * spend) as sum_squares from ${schema}.sessions where arm = {{arm}}
      guard: { max: 5 }
`);
      const kpi = kpiOf(plan, 'wrong');
      const source = open();
      const reading = await source.read(request([kpi]));
      expect(reading.kpis['wrong']).toMatchObject({
        ok: false,
        reason: expect.stringMatching(
          /: the sql of wrong returned columns n, total, sum_squares; a KPI of kind mean needs units, sum, sum_squares \(missing units, sum\)$/,
        ),
      });
      // The same problem is found before a launch, without reading any rows.
      expect(await source.check(kpi)).toEqual([
        {
          field: 'sql',
          message:
            'the query returns columns n, total, sum_squares; a KPI of kind mean needs units, sum, sum_squares (missing units, sum)',
        },
      ]);
    });

    it('points at the line and column of a query that does not parse', async () => {
      const plan = planWith(`    - name: typo
      kind: count
      source: sql
      sql: |
        select arm, count(*) as units,
          sum(items) as sum, sum(items * items) as sum_squares
        form ${schema}.sessions where launch = {{launch}} group by arm
      guard: { max: 5 }
`);
      const problems = await open().check(kpiOf(plan, 'typo'));
      expect(problems).toEqual([
        {
          field: 'sql',
          message: expect.stringMatching(
            /query failed: syntax error at or near "form" \(SQLSTATE 42601\)$/,
          ),
          position: { line: 3, column: 1 },
        },
      ]);
    });

    it('treats an empty result as insufficient evidence, never a pass', async () => {
      const plan = planWith(`    - name: none
      kind: count
      source: sql
      sql: select arm, count(*) as units, sum(items) as sum, sum(items * items) as sum_squares from ${schema}.sessions where launch = 'nobody' group by arm
      guard: { max_increase: 5% }
    - name: zero
      kind: count
      source: sql
      sql: select count(*) as units, sum(items) as sum, sum(items * items) as sum_squares from ${schema}.sessions where launch = 'nobody' and arm = {{arm}}
      guard: { max_increase: 5% }
`);
      const reading = await open().read(request([kpiOf(plan, 'none'), kpiOf(plan, 'zero')]));
      // No rows at all: the reason says so.
      expect(reading.kpis['none']).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/: the sql of none returned no rows for arm treatment$/),
      });
      // One row of zero units (SUM over nothing is NULL): data, but too little for a verdict.
      const zero = reading.kpis['zero'];
      expect(zero).toMatchObject({
        ok: true,
        data: { treatment: { units: 0, sum: 0, sumSquares: 0 } },
      });
      if (zero?.ok !== true) return;
      const verdicts = evaluateGuards(plan, { zero: zero.data });
      expect(verdicts.map((v) => [v.kpi, v.verdict])).toEqual([
        ['none', 'insufficient-evidence'],
        ['zero', 'insufficient-evidence'],
      ]);
    });

    it('says a database that is not there is unreachable', async () => {
      const port = await closedPort();
      const source = open(2000, `postgres://postgres@127.0.0.1:${port}/nothing`);
      const plan =
        planWith(`    - { name: c, kind: count, source: sql, sql: "select 1 as units, 1 as sum, 1 as sum_squares, {{arm}}::text as arm", guard: { max: 5 } }
`);
      const reading = await source.read(request([kpiOf(plan, 'c')]));
      expect(reading.kpis['c']).toMatchObject({
        ok: false,
        reason: expect.stringMatching(
          new RegExp(
            `^sql \\(postgres\\) at postgres://postgres@127\\.0\\.0\\.1:${port}/nothing: unreachable: .*ECONNREFUSED`,
          ),
        ),
      });
    });
  });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
