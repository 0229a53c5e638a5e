import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parsePlan } from '../src/index.js';
import type { PlanParseResult } from '../src/index.js';

const VALID = `launch: checkout-v2
owner: payments-team
phases:
  - { name: canary, traffic: 1%, min_duration: 30m, audience: ["country in [NL, SE]"] }
  - { name: half, traffic: 50%, signoff: [product] }
  - { name: full, traffic: 100%, bake: 1d }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase: 10% }, on_breach: rollback }
    - { name: p95, kind: quantile, q: 0.95, event: latency, guard: { max_increase: 5%, max: 800 }, on_breach: pause }
  user-impact:
    - { name: conversion, kind: ratio, numerator: purchase, denominator: visit, guard: { max_decrease: 2% }, on_breach: { ask: [product] } }
risks:
  - { id: R1, title: Timeouts, likelihood: 3, impact: major, owner: sre, watch: [error_rate], contingency: [rollback, { notify: sre }] }
signoff:
  roles: { product: 1, sre: 2 }
readiness:
  - { check: Load test, owner: sre, blocking: true, evidence: "https://example.com/run/1" }
`;

/** What every result must look like, whatever the input. */
function wellFormed(r: PlanParseResult): void {
  expect(typeof r.valid).toBe('boolean');
  if (r.valid) {
    expect(r.errors).toEqual([]);
    return;
  }
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.col).toBeGreaterThanOrEqual(1);
    expect(typeof e.path).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message).not.toMatch(/\n\s+at /);
  }
}

describe('parsePlan never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => wellFormed(parsePlan(s))),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary YAML documents', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        let text: string;
        try {
          text = stringify(value);
        } catch {
          return; // not representable as YAML: nothing to test
        }
        wellFormed(parsePlan(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('on a valid plan with any line replaced, removed or cut', () => {
    const lines = VALID.split('\n');
    expect(parsePlan(VALID).valid).toBe(true);
    fc.assert(
      fc.property(
        fc.nat(lines.length - 1),
        fc.oneof(
          fc.constant(''),
          fc.string({ maxLength: 40 }),
          fc.constantFrom('  - x', 'traffic: -1', '{', ']', '&a *a', 'kpis: 7'),
        ),
        fc.nat(200),
        (i, replacement, cut) => {
          const mutated = [...lines];
          mutated[i] = replacement;
          wellFormed(parsePlan(mutated.join('\n')));
          wellFormed(parsePlan(VALID.slice(0, cut * 4)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('on random values placed at every key of a valid plan', () => {
    const keys = [...VALID.matchAll(/(\w[\w-]*):/g)].map((m) => m[1] ?? '');
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything({ maxDepth: 2 }), (key, value) => {
        let json: string;
        try {
          json = JSON.stringify(value) ?? 'null';
        } catch {
          return;
        }
        wellFormed(parsePlan(VALID.replace(new RegExp(`${key}: [^,}\\n]*`), `${key}: ${json}`)));
      }),
      { numRuns: 1000 },
    );
  });
});
