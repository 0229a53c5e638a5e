import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGuard } from '../../src/statistics/index.js';
import type { ArmAggregates, GuardResult } from '../../src/statistics/index.js';
import { KPIS, aggregate } from './support/aggregates.js';

function numbersOf(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => numbersOf(x, out));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => numbersOf(x, out));
  return out;
}

describe('evaluateGuard on arbitrary aggregates', () => {
  it('never throws, always gives a verdict with a reason, and never reports NaN', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KPIS),
        aggregate,
        fc.option(aggregate, { nil: undefined }),
        fc.constantFrom('confidence-sequence' as const, 'msprt' as const),
        fc.integer({ min: 0, max: 5000 }),
        (kpi, treatment, control, method, minUnits) => {
          const data: ArmAggregates =
            control === undefined ? { treatment } : { treatment, control };
          let r: GuardResult | undefined;
          expect(() => {
            r = evaluateGuard(kpi, data, { alpha: 0.01, launchAlpha: 0.05, method, minUnits });
          }).not.toThrow();
          if (r === undefined) return;
          expect(['pass', 'breach', 'insufficient-evidence']).toContain(r.verdict);
          expect(r.reason.length).toBeGreaterThan(0);
          expect(r.reason).not.toMatch(/could not evaluate/);
          for (const x of numbersOf({ ...r, reason: undefined }))
            expect(Number.isNaN(x)).toBe(false);
          if (r.verdict === 'pass') {
            expect(
              Math.min(
                r.units.treatment,
                kpi.kind === 'slo-burn' || kpi.guard.compare === undefined
                  ? Infinity
                  : r.units.control,
              ),
            ).toBeGreaterThanOrEqual(kpi.kind === 'slo-burn' ? 0 : minUnits);
          }
        },
      ),
      { numRuns: 3000, seed: 20241125 },
    );
  });
});
