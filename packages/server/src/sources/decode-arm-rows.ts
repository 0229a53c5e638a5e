/**
 * Per-arm sums as rows (a SQL result, or the rows of an http response) turned into
 * the aggregates the guards read. sql and http share it, so one column contract
 * holds for both: docs/metric-sources.md, "Per-arm sums".
 */
import type { ArmAggregates, Kpi, KpiAggregate } from '@threshold/core';

/** The two arms, in the order sources report them. */
export const ARMS = ['treatment', 'control'] as const;
export type Arm = (typeof ARMS)[number];

/** One row: column name to value (numbers may arrive as strings, e.g. PostgreSQL numeric). */
export type SumsRow = Record<string, unknown>;

/** Columns of one kind, in the order messages list them. */
export const MOMENT_COLUMNS = ['units', 'sum', 'sum_squares'] as const;
export const RATIO_COLUMNS = [
  'units',
  'sum_numerator',
  'sum_denominator',
  'sum_numerator_squares',
  'sum_denominator_squares',
  'sum_products',
] as const;

/** The columns a KPI's rows must carry. */
export function columnsOf(kind: Kpi['kind']): readonly string[] {
  return kind === 'ratio' ? RATIO_COLUMNS : MOMENT_COLUMNS;
}

/** Decoded aggregates, or why the rows do not give them. */
export type DecodedArms = { ok: true; data: ArmAggregates } | { ok: false; reason: string };

/**
 * Decode the rows of a KPI. `perArm` holds one result per arm when the template
 * names `{{arm}}` (each must be one row); otherwise `rows` is one result with an
 * `arm` column. `what` names the rows in messages ("the query", "the response").
 */
export function decodeArmRows(
  kpi: Pick<Kpi, 'kind'>,
  input: { perArm: Record<Arm, SumsRow[]> } | { rows: SumsRow[] },
  what: string,
): DecodedArms {
  const byArm: Partial<Record<Arm, SumsRow>> = {};
  if ('perArm' in input) {
    for (const arm of ARMS) {
      const rows = input.perArm[arm];
      if (rows.length === 0) continue;
      if (rows.length > 1)
        return {
          ok: false,
          reason: `${what} returned ${String(rows.length)} rows for arm ${arm}; with {{arm}} it must return one row of sums`,
        };
      const row = rows[0] as SumsRow;
      if (Object.hasOwn(row, 'arm') && row.arm !== arm)
        return {
          ok: false,
          reason: `${what} for arm ${arm} returned a row with arm ${JSON.stringify(row.arm)}`,
        };
      byArm[arm] = row;
    }
  } else {
    for (const row of input.rows) {
      if (!Object.hasOwn(row, 'arm'))
        return {
          ok: false,
          reason: `${what} returned columns ${columnList(row)} but no arm column: return a row per arm (GROUP BY arm), or use {{arm}}`,
        };
      const arm = row.arm;
      if (arm !== 'treatment' && arm !== 'control')
        return {
          ok: false,
          reason: `${what} returned a row with arm ${JSON.stringify(arm)}; arms are treatment and control`,
        };
      if (byArm[arm] !== undefined)
        return { ok: false, reason: `${what} returned more than one row for arm ${arm}` };
      byArm[arm] = row;
    }
  }
  const treatmentRow = byArm.treatment;
  if (treatmentRow === undefined)
    return { ok: false, reason: `${what} returned no rows for arm treatment` };
  const treatment = decodeRow(kpi.kind, treatmentRow, what, 'treatment');
  if (!treatment.ok) return treatment;
  const controlRow = byArm.control;
  // Hard limits read the treatment arm only. A comparison without a control row
  // says "no control arm to compare with": insufficient evidence, except at 100%
  // where there is no control and the comparison was judged in earlier phases.
  if (controlRow === undefined) return { ok: true, data: { treatment: treatment.value } };
  const control = decodeRow(kpi.kind, controlRow, what, 'control');
  if (!control.ok) return control;
  return { ok: true, data: { treatment: treatment.value, control: control.value } };
}

type Decoded = { ok: true; value: KpiAggregate } | { ok: false; reason: string };

function decodeRow(kind: Kpi['kind'], row: SumsRow, what: string, arm: Arm): Decoded {
  const needed = columnsOf(kind);
  const missing = needed.filter((c) => !Object.hasOwn(row, c));
  if (missing.length > 0)
    return {
      ok: false,
      reason: `${what} returned columns ${columnList(row)}; a KPI of kind ${kind} needs ${needed.join(', ')} (missing ${missing.join(', ')})`,
    };
  const units = numberOf(row.units);
  if (units === null || units < 0)
    return {
      ok: false,
      reason: `${what} returned units ${JSON.stringify(row.units)} for arm ${arm}; units must be a number ≥ 0`,
    };
  const values: Record<string, number> = {};
  for (const column of needed) {
    const raw = row[column];
    // SUM over no rows is NULL: with no units every sum is 0.
    const value = raw === null && units === 0 ? 0 : numberOf(raw);
    if (value === null)
      return {
        ok: false,
        reason: `${what} returned ${column} ${JSON.stringify(raw)} for arm ${arm}; expected a finite number`,
      };
    values[column] = value;
  }
  const v = (c: string) => values[c] ?? 0;
  if (kind === 'ratio')
    return {
      ok: true,
      value: {
        kind,
        units,
        sumNumerator: v('sum_numerator'),
        sumDenominator: v('sum_denominator'),
        sumNumeratorSquares: v('sum_numerator_squares'),
        sumDenominatorSquares: v('sum_denominator_squares'),
        sumProducts: v('sum_products'),
      },
    };
  if (kind === 'occurrence' || kind === 'count' || kind === 'mean')
    return { ok: true, value: { kind, units, sum: v('sum'), sumSquares: v('sum_squares') } };
  return { ok: false, reason: `kind ${kind} has no per-arm sums` };
}

/** A finite number from a number, a bigint or a numeric string; null otherwise. */
function numberOf(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw))
    return Number(raw);
  return null;
}

function columnList(row: SumsRow): string {
  const keys = Object.keys(row);
  return keys.length === 0 ? '(none)' : keys.join(', ');
}
