/**
 * Aggregates from raw values, for tests, the rehearsal and sources that report
 * per-unit values: the same sufficient statistics the store computes.
 */
import type { KpiAggregate, MomentAggregate, RatioAggregate } from './kpi-aggregate.js';

function finite(value: number, field: string): number {
  if (!Number.isFinite(value))
    throw new RangeError(`${field} must be a finite number, got ${String(value)}`);
  return value;
}

/** Moments of per-unit values (one value per unit). */
export function momentOf(values: readonly number[]): MomentAggregate {
  let sum = 0;
  let sumSquares = 0;
  values.forEach((v, i) => {
    finite(v, `values[${i}]`);
    sum += v;
    sumSquares += v * v;
  });
  return { units: values.length, sum, sumSquares };
}

/** Occurrence KPI of `units` exposed units of which `occurred` did the thing (x_i ∈ {0,1}, so Σx² = Σx). */
export function occurrenceOf(units: number, occurred: number): MomentAggregate {
  if (!(Number.isInteger(units) && units >= 0))
    throw new RangeError(`units must be a non-negative integer, got ${String(units)}`);
  if (!(Number.isInteger(occurred) && occurred >= 0 && occurred <= units))
    throw new RangeError(
      `occurred must be an integer from 0 to units (${units}), got ${String(occurred)}`,
    );
  return { units, sum: occurred, sumSquares: occurred };
}

/** Ratio aggregate of per-unit [numerator, denominator] pairs. */
export function ratioOf(pairs: readonly (readonly [number, number])[]): RatioAggregate {
  const out: RatioAggregate = {
    units: pairs.length,
    sumNumerator: 0,
    sumDenominator: 0,
    sumNumeratorSquares: 0,
    sumDenominatorSquares: 0,
    sumProducts: 0,
  };
  pairs.forEach(([y, x], i) => {
    finite(y, `pairs[${i}][0]`);
    finite(x, `pairs[${i}][1]`);
    out.sumNumerator += y;
    out.sumDenominator += x;
    out.sumNumeratorSquares += y * y;
    out.sumDenominatorSquares += x * x;
    out.sumProducts += y * x;
  });
  return out;
}

/** One raw event: the unit it belongs to and, for mean KPIs, its value. */
export interface UnitEvent {
  unit: string;
  value?: number;
}

/**
 * The aggregate of an occurrence, count or mean KPI from raw events, reduced to
 * one value per unit first: a unit with 1,000 events is still one sample.
 * - occurrence: 1 if the unit has any event, else 0, over all exposed units;
 * - count: the unit's number of events, over all exposed units (zeros included);
 * - mean: the mean of the unit's event values, over units with at least one value.
 * Events of units that were not exposed are ignored (they are not in the arm).
 */
export function aggregateEvents(
  kind: 'occurrence' | 'count' | 'mean',
  exposedUnits: Iterable<string>,
  events: Iterable<UnitEvent>,
): KpiAggregate {
  const perUnit = new Map<string, { n: number; sum: number }>();
  for (const u of exposedUnits) perUnit.set(u, { n: 0, sum: 0 });
  let i = 0;
  for (const e of events) {
    const slot = perUnit.get(e.unit);
    if (slot !== undefined) {
      slot.n += 1;
      if (kind === 'mean') {
        if (e.value === undefined)
          throw new RangeError(`events[${i}].value is required for kind mean`);
        slot.sum += finite(e.value, `events[${i}].value`);
      }
    }
    i++;
  }
  const values: number[] = [];
  for (const { n, sum } of perUnit.values()) {
    if (kind === 'occurrence') values.push(n > 0 ? 1 : 0);
    else if (kind === 'count') values.push(n);
    else if (n > 0) values.push(sum / n);
  }
  return { kind, ...momentOf(values) };
}
