import { describe, expect, it } from 'vitest';
import { formatPlanError, parsePlan, parseSourceTemplate } from '../src/index.js';

const plan = (kpi: string) => `launch: checkout-v2
owner: payments-team
phases:
  - { name: canary, traffic: 1% }
  - { name: full, traffic: 100% }
kpis:
  user-impact:
${kpi}`;

function errors(source: string): string[] {
  const r = parsePlan(source, { file: 'p.yaml' });
  expect(r.valid).toBe(false);
  return r.valid ? [] : r.errors.map(formatPlanError);
}

describe('source sql and http in the plan', () => {
  it('accepts a sql KPI with bind placeholders and keeps the query', () => {
    const r = parsePlan(
      plan(`    - name: conversion
      kind: occurrence
      source: sql
      window: 1h
      sql: |
        select count(*) as units, sum(converted::int) as sum, sum(converted::int) as sum_squares
        from sessions where arm = {{arm}} and at >= {{since}} and at < {{now}} -- don't quote them
      guard: { max_decrease: 2% }
`),
    );
    if (!r.valid) throw new Error(r.errors.map(formatPlanError).join('\n'));
    const kpi = r.plan.kpis['user-impact'][0];
    expect(kpi?.source).toBe('sql');
    expect(kpi?.sql).toContain('{{arm}}');
  });

  it('refuses kinds without per-unit sums, unknown and quoted placeholders, and a window without {{since}}', () => {
    expect(
      errors(
        plan(
          `    - { name: p95, kind: quantile, q: 0.95, source: sql, sql: "select 1", guard: { max: 1 } }\n`,
        ),
      ),
    ).toEqual([
      'p.yaml:8:26: kpis.user-impact[0].kind: source sql returns per-arm sums, so it carries kinds occurrence, count, mean, ratio; kind quantile needs source events or prometheus',
    ]);
    expect(
      errors(
        plan(
          `    - { name: c, kind: mean, source: sql, sql: "select * from t where a = {{armm}}", guard: { max: 1 } }\n`,
        ),
      ),
    ).toEqual([
      'p.yaml:8:48: kpis.user-impact[0].sql: unknown placeholder {{armm}}: use {{launch}}, {{launch_id}}, {{phase}}, {{arm}}, {{phase_start}}, {{since}}, {{now}}',
    ]);
    expect(
      errors(
        plan(
          `    - { name: c, kind: mean, source: sql, sql: "select * from t where a = '{{arm}}'", guard: { max: 1 } }\n`,
        ),
      ),
    ).toEqual([
      "p.yaml:8:48: kpis.user-impact[0].sql: {{arm}} is a bind parameter: write it without quotes (arm = {{arm}}, not arm = '{{arm}}')",
    ]);
    expect(
      errors(
        plan(
          `    - { name: c, kind: mean, source: sql, window: 1h, sql: "select 1", guard: { max: 1 } }\n`,
        ),
      ),
    ).toEqual([
      'p.yaml:8:51: kpis.user-impact[0].window: a sql KPI with a window must filter on {{since}} (the start of the window) in its sql',
    ]);
    expect(errors(plan(`    - { name: c, kind: mean, source: sql, guard: { max: 1 } }\n`))).toEqual(
      ['p.yaml:8:38: kpis.user-impact[0].source: source sql needs a query (sql: ...)'],
    );
    expect(
      errors(
        plan(
          `    - { name: c, kind: mean, source: sql, sql: "select 1", query: "up", guard: { max: 1 } }\n`,
        ),
      ),
    ).toEqual([
      'p.yaml:8:67: kpis.user-impact[0].query: query belongs to source prometheus, not sql',
    ]);
  });

  it('checks an http url and select the same way', () => {
    expect(
      errors(
        plan(
          `    - { name: c, kind: slo-burn, source: http, url: "https://x.example/{{arm}}", guard: { burn_rate: { slo: 99% } } }\n`,
        ),
      ),
    ).toEqual([
      'p.yaml:8:24: kpis.user-impact[0].kind: source http returns per-arm sums, so it carries kinds occurrence, count, mean, ratio; kind slo-burn needs source events or prometheus',
    ]);
    expect(
      errors(
        plan(
          `    - { name: c, kind: mean, source: http, url: "https://x.example/a?arm={{arm}}", select: "data[0]", guard: { max: 1 } }\n`,
        ),
      ),
    ).toEqual([
      'p.yaml:8:92: kpis.user-impact[0].select: select is a dotted path such as data.aggregates (letters, digits, _ and -)',
    ]);
  });

  it('takes an http url as a path under the configured source, or a full http(s) URL', () => {
    const r = parsePlan(
      plan(
        `    - { name: c, kind: mean, source: http, url: "search/cost?arm={{arm}}", guard: { max: 1 } }\n`,
      ),
    );
    expect(r.valid).toBe(true);
    expect(
      errors(
        plan(`    - { name: c, kind: mean, source: http, url: "ftp://x/y", guard: { max: 1 } }\n`),
      ),
    ).toEqual([
      "p.yaml:8:49: kpis.user-impact[0].url: url must be a path under the http source's url (search/cost?arm={{arm}}) or an http(s) URL under it",
    ]);
  });

  it('parseSourceTemplate cuts text and placeholders apart', () => {
    const t = parseSourceTemplate('a = {{ arm }} and b >= {{since}}', { sql: true });
    expect(t).toEqual({
      ok: true,
      parts: [{ text: 'a = ' }, { name: 'arm' }, { text: ' and b >= ' }, { name: 'since' }],
      names: new Set(['arm', 'since']),
    });
    expect(parseSourceTemplate('x {{arm', {})).toEqual({
      ok: false,
      message: 'unbalanced {{ }}: placeholders look like {{arm}}',
    });
    expect(parseSourceTemplate("it''s {{arm}}", { sql: true }).ok).toBe(true);
  });
});
