/** Checks between the columns of one history row: a variance cannot be negative, parts cannot exceed wholes. */
import type { ColumnPlan, Columns, Field } from './parse-history.js';

/** Relative slack for checks between sums that went through decimal text. */
const SLACK = 1e-9;

/** Checks between the columns of one row (a variance cannot be negative, parts cannot exceed wholes). */
export function checkRow(
  columns: Columns,
  values: Float64Array[],
  row: number,
  fields: Field[],
  lineNo: number,
  fail: (line: number, col: number, column: string, message: string) => void,
): void {
  const get = (name: string): { v: number; c: ColumnPlan } | undefined => {
    const k = columns.byName.get(name);
    const c = k === undefined ? undefined : columns.list[k];
    return c === undefined || k === undefined
      ? undefined
      : { v: (values[k] as Float64Array)[row] as number, c };
  };
  const at = (c: ColumnPlan) => (fields[c.index] as Field).col;
  const units = get('units')?.v ?? 0;
  for (const kpi of columns.kpis) {
    const f = (field: string) => get(`${kpi.name}.${field}`);
    const atMost = (part: string, whole: number, wholeName: string) => {
      const p = f(part);
      if (p !== undefined && p.v > whole)
        fail(lineNo, at(p.c), p.c.name, `${p.v} exceeds ${wholeName} (${whole})`);
    };
    const variance = (sum: string, sumSq: string, n: number, nName: string) => {
      const s = f(sum);
      const q = f(sumSq);
      if (s === undefined || q === undefined) return;
      if (n === 0 && (s.v !== 0 || q.v !== 0)) {
        fail(lineNo, at(s.c), s.c.name, `must be 0 when ${nName} is 0`);
        return;
      }
      if (n > 0 && q.v < (s.v * s.v) / n - SLACK * Math.max(1, q.v))
        fail(
          lineNo,
          at(q.c),
          q.c.name,
          `${q.v} is below ${s.c.name}²/${nName} = ${(s.v * s.v) / n}: the per-unit variance would be negative`,
        );
    };
    switch (kpi.kind) {
      case 'occurrence':
        atMost('occurred', units, 'units');
        break;
      case 'count':
        variance('sum', 'sum_sq', units, 'units');
        break;
      case 'mean': {
        atMost('units', units, 'units');
        variance('sum', 'sum_sq', f('units')?.v ?? 0, `${kpi.name}.units`);
        break;
      }
      case 'ratio': {
        variance('num', 'num_sq', units, 'units');
        variance('den', 'den_sq', units, 'units');
        const yy = f('num_sq');
        const xx = f('den_sq');
        const xy = f('num_den');
        if (
          yy !== undefined &&
          xx !== undefined &&
          xy !== undefined &&
          xy.v * xy.v > yy.v * xx.v * (1 + SLACK) + SLACK
        )
          fail(
            lineNo,
            at(xy.c),
            xy.c.name,
            `${xy.v} is impossible: its square exceeds ${yy.c.name} × ${xx.c.name}`,
          );
        break;
      }
      case 'quantile': {
        const withValues = f('units');
        if (withValues !== undefined) {
          atMost('units', units, 'units');
          const n = f('values');
          if (n !== undefined && n.v < withValues.v)
            fail(
              lineNo,
              at(n.c),
              n.c.name,
              `${n.v} values from ${withValues.v} units with a value: each has at least one`,
            );
        }
        break;
      }
      case 'slo-burn': {
        const total = f('total');
        if (total !== undefined) atMost('bad', total.v, total.c.name);
        break;
      }
    }
  }
}
