/** The per-arm sums contract shared by the sql and http sources. */
import { describe, expect, it } from 'vitest';
import { decodeArmRows } from '../../src/sources/decode-arm-rows.js';

const mean = { kind: 'mean' } as const;
const ratio = { kind: 'ratio' } as const;
const row = (arm: string, units: unknown, sum: unknown = 10, sumSquares: unknown = 30) => ({
  arm,
  units,
  sum,
  sum_squares: sumSquares,
});

describe('decodeArmRows', () => {
  it('reads numbers, numeric strings and bigints, in any row order', () => {
    expect(
      decodeArmRows(
        mean,
        { rows: [row('control', '12', '6.5', '1e1'), row('treatment', 10n)] },
        'q',
      ),
    ).toEqual({
      ok: true,
      data: {
        treatment: { kind: 'mean', units: 10, sum: 10, sumSquares: 30 },
        control: { kind: 'mean', units: 12, sum: 6.5, sumSquares: 10 },
      },
    });
  });

  it('reads a ratio from its six columns', () => {
    const r = {
      units: 4,
      sum_numerator: 2,
      sum_denominator: 8,
      sum_numerator_squares: 2,
      sum_denominator_squares: 20,
      sum_products: 5,
    };
    expect(
      decodeArmRows(
        ratio,
        { perArm: { treatment: [r], control: [{ ...r, arm: 'control' }] } },
        'q',
      ),
    ).toMatchObject({
      ok: true,
      data: { treatment: { kind: 'ratio', units: 4, sumProducts: 5, sumDenominatorSquares: 20 } },
    });
  });

  it('reads NULL sums as 0 only when there are no units', () => {
    expect(decodeArmRows(mean, { rows: [row('treatment', 0, null, null)] }, 'q')).toEqual({
      ok: true,
      data: { treatment: { kind: 'mean', units: 0, sum: 0, sumSquares: 0 } },
    });
    expect(decodeArmRows(mean, { rows: [row('treatment', 3, null)] }, 'the sql of x')).toEqual({
      ok: false,
      reason: 'the sql of x returned sum null for arm treatment; expected a finite number',
    });
  });

  it('names what is wrong with the rows', () => {
    const reason = (input: Parameters<typeof decodeArmRows>[1]) => {
      const r = decodeArmRows(mean, input, 'q');
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason({ rows: [{ units: 1, sum: 1, sum_squares: 1 }] })).toBe(
      'q returned columns units, sum, sum_squares but no arm column: return a row per arm (GROUP BY arm), or use {{arm}}',
    );
    expect(reason({ rows: [row('canary', 1)] })).toBe(
      'q returned a row with arm "canary"; arms are treatment and control',
    );
    expect(reason({ rows: [row('treatment', 1), row('treatment', 2)] })).toBe(
      'q returned more than one row for arm treatment',
    );
    expect(reason({ rows: [row('treatment', -1)] })).toBe(
      'q returned units -1 for arm treatment; units must be a number ≥ 0',
    );
    expect(reason({ rows: [row('treatment', 'many')] })).toBe(
      'q returned units "many" for arm treatment; units must be a number ≥ 0',
    );
    expect(
      reason({ perArm: { treatment: [row('treatment', 1), row('treatment', 1)], control: [] } }),
    ).toBe('q returned 2 rows for arm treatment; with {{arm}} it must return one row of sums');
    expect(reason({ perArm: { treatment: [row('control', 1)], control: [] } })).toBe(
      'q for arm treatment returned a row with arm "control"',
    );
    expect(reason({ rows: [] })).toBe('q returned no rows for arm treatment');
  });

  it('gives the treatment arm alone when there is no control row (hard limits, or 100%)', () => {
    expect(decodeArmRows(mean, { rows: [row('treatment', 5)] }, 'q')).toEqual({
      ok: true,
      data: { treatment: { kind: 'mean', units: 5, sum: 10, sumSquares: 30 } },
    });
  });
});
