/**
 * Read a history CSV for a plan: every problem at once, each as FILE:LINE:COL
 * naming the column; never throws, never returns a partial history.
 */
import type { Kpi, KpiKind, Plan } from '../plan/index.js';
import { KPI_CATEGORIES, formatDuration } from '../plan/index.js';
import { didYouMeanSuffix } from '../text/index.js';
import type { History } from './history.js';
import { HISTORY_FIELDS, OPTIONAL_HISTORY_FIELDS } from './history.js';
import { checkRow } from './check-history-row.js';

/** One problem in a history file. */
export interface HistoryError {
  file: string;
  /** 1-based line and column (of the field) of the problem. */
  line: number;
  col: number;
  /** The CSV column concerned, "" for the whole line or file. */
  column: string;
  message: string;
}

/** The outcome of reading a history. */
export type HistoryParseResult =
  | { ok: true; history: History; errors: [] }
  | { ok: false; history?: undefined; errors: HistoryError[] };

/** Options for {@link parseHistory}. */
export interface ParseHistoryOptions {
  /** Name used in error locations (default "history.csv"). */
  file?: string;
}

/** `FILE:LINE:COL: column: message`, the form plan errors use too. */
export function formatHistoryError(e: HistoryError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.column === '' ? '' : `${e.column}: `}${e.message}`;
}

const MAX_ERRORS = 50;
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const UNIX_SECONDS = /^\d{1,12}$/;
const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_-]*\.[a-z_]+$/;

/** What a value of one column must be. */
export type Rule = 'count' | 'nonnegative' | 'finite';

function ruleOf(kind: KpiKind, field: string): Rule {
  if (['occurred', 'units', 'values', 'bad', 'total'].includes(field)) return 'count';
  if (field.endsWith('_sq') || field === 'log_sd') return 'nonnegative';
  if (kind === 'count' && field === 'sum') return 'nonnegative';
  return 'finite';
}

/** One field of a CSV line and its 1-based column. */
export interface Field {
  text: string;
  col: number;
}

/** Split one CSV line on commas (history files hold numbers and times: no quoting). */
function splitLine(line: string): Field[] {
  const out: Field[] = [];
  let start = 0;
  for (;;) {
    const comma = line.indexOf(',', start);
    const end = comma < 0 ? line.length : comma;
    const raw = line.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), col: start + lead + 1 });
    if (comma < 0) return out;
    start = comma + 1;
  }
}

/** The header, worked out: where each column is and what it must hold. */
export interface Columns {
  timestamp: number;
  list: ColumnPlan[];
  /** Column name -> position in `list`. */
  byName: Map<string, number>;
  /** The plan's KPIs (all have their columns once the header passed). */
  kpis: Kpi[];
}

/** One column the history must have, and where it is. */
export interface ColumnPlan {
  name: string;
  kpi: Kpi | null;
  field: string;
  index: number;
  rule: Rule;
}

/** Parse and check a history for the KPIs of `plan`. Columns of other KPIs are ignored. */
export function parseHistory(
  source: string,
  plan: Plan,
  options: ParseHistoryOptions = {},
): HistoryParseResult {
  const file = options.file ?? 'history.csv';
  const errors: HistoryError[] = [];
  const fail = (line: number, col: number, column: string, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ file, line, col, column, message });
  };
  const lines = source.split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (isContent(lines[i] ?? '')) {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) {
    fail(1, 1, '', 'the history is empty: it needs a header line (timestamp,units,...) and rows');
    return { ok: false, errors };
  }
  const header = splitLine(stripBom(lines[headerLine] ?? ''));
  const columns = readHeader(header, plan, headerLine + 1, fail);
  if (columns === null) return { ok: false, errors };

  let rows = 0;
  for (let i = headerLine + 1; i < lines.length; i++) if (isContent(lines[i] ?? '')) rows++;
  const times = new Float64Array(rows);
  const values = columns.list.map(() => new Float64Array(rows));
  let row = 0;
  let intervalMs = 0;
  for (let i = headerLine + 1; i < lines.length && errors.length < MAX_ERRORS; i++) {
    const text = lines[i] ?? '';
    if (!isContent(text)) continue;
    const lineNo = i + 1;
    const fields = splitLine(text);
    if (fields.length !== header.length) {
      fail(lineNo, 1, '', `expected ${header.length} fields like the header, got ${fields.length}`);
      row++;
      continue;
    }
    const tsField = fields[columns.timestamp] as Field;
    const t = parseTime(tsField.text);
    if (t === null) {
      fail(
        lineNo,
        tsField.col,
        'timestamp',
        `"${tsField.text}" is not a time: use ISO 8601 (2026-03-02T00:00:00Z) or Unix seconds`,
      );
    } else {
      times[row] = t;
      if (row === 1) {
        intervalMs = t - (times[0] as number);
        if (!(intervalMs > 0))
          fail(lineNo, tsField.col, 'timestamp', 'rows must be in time order, one per interval');
      } else if (row > 1 && intervalMs > 0) {
        const expected = (times[0] as number) + row * intervalMs;
        if (t !== expected)
          fail(
            lineNo,
            tsField.col,
            'timestamp',
            `expected ${new Date(expected).toISOString()} (one row every ${formatDuration(intervalMs)}, no gaps), got ${tsField.text}`,
          );
      }
    }
    let parsed = true;
    columns.list.forEach((c, k) => {
      const f = fields[c.index] as Field;
      const v = parseValue(f.text, c.rule);
      if (typeof v === 'string') {
        fail(lineNo, f.col, c.name, v);
        parsed = false;
      } else (values[k] as Float64Array)[row] = v;
    });
    // Checks between columns only mean something once every value of the row is valid.
    if (parsed) checkRow(columns, values, row, fields, lineNo, fail);
    row++;
  }
  if (errors.length === 0 && rows < 2)
    fail(
      headerLine + 2,
      1,
      '',
      `a history needs at least 2 rows to know its interval, got ${rows}`,
    );
  if (errors.length >= MAX_ERRORS)
    errors.push({
      file,
      line: errors[errors.length - 1]?.line ?? 1,
      col: 1,
      column: '',
      message: `stopped after ${MAX_ERRORS} problems`,
    });
  if (errors.length > 0) return { ok: false, errors };

  const out: Record<string, Float64Array> = {};
  columns.list.forEach((c, k) => {
    if (c.kpi !== null) out[c.name] = values[k] as Float64Array;
  });
  const unitsIndex = columns.list.findIndex((c) => c.kpi === null && c.field === 'units');
  return {
    ok: true,
    errors: [],
    history: {
      source: file,
      start: times[0] as number,
      intervalMs,
      length: rows,
      units: values[unitsIndex] as Float64Array,
      columns: out,
    },
  };
}

function isContent(line: string): boolean {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

function kpisOf(plan: Plan): Kpi[] {
  return KPI_CATEGORIES.flatMap((c) => plan.kpis[c]);
}

function readHeader(
  header: Field[],
  plan: Plan,
  lineNo: number,
  fail: (line: number, col: number, column: string, message: string) => void,
): Columns | null {
  const kpis = new Map(kpisOf(plan).map((k) => [k.name, k]));
  const seen = new Map<string, number>();
  let timestamp = -1;
  const list: ColumnPlan[] = [];
  /** KPIs with a misspelled column already reported: no second "missing" error for them. */
  const misspelled = new Set<string>();
  let bad = false;
  header.forEach((f, index) => {
    const name = f.text;
    if (seen.has(name)) {
      fail(lineNo, f.col, name, `duplicate column (also column ${(seen.get(name) ?? 0) + 1})`);
      bad = true;
      return;
    }
    seen.set(name, index);
    if (name === 'timestamp') {
      timestamp = index;
      return;
    }
    if (name === 'units') {
      list.push({ name, kpi: null, field: 'units', index, rule: 'count' });
      return;
    }
    if (!COLUMN_NAME.test(name)) {
      fail(
        lineNo,
        f.col,
        name,
        `not a history column: use timestamp, units or KPI.field (e.g. conversion.occurred)${didYouMeanSuffix(name, ['timestamp', 'units'])}`,
      );
      bad = true;
      return;
    }
    const dot = name.lastIndexOf('.');
    const kpi = kpis.get(name.slice(0, dot));
    const field = name.slice(dot + 1);
    // Columns of KPIs this plan does not have belong to other plans: ignored.
    if (kpi === undefined) return;
    const known = [...HISTORY_FIELDS[kpi.kind], ...(OPTIONAL_HISTORY_FIELDS[kpi.kind] ?? [])];
    if (!known.includes(field)) {
      fail(
        lineNo,
        f.col,
        name,
        `KPI ${kpi.name} is of kind ${kpi.kind}, which has columns ${known.map((k) => `${kpi.name}.${k}`).join(', ')}${didYouMeanSuffix(field, known)}`,
      );
      misspelled.add(kpi.name);
      bad = true;
      return;
    }
    list.push({ name, kpi, field, index, rule: ruleOf(kpi.kind, field) });
  });
  const names = header.map((f) => f.text);
  if (timestamp < 0) {
    fail(lineNo, 1, 'timestamp', `missing column timestamp${didYouMeanSuffix('timestamp', names)}`);
    bad = true;
  }
  if (!seen.has('units')) {
    fail(lineNo, 1, 'units', `missing column units${didYouMeanSuffix('units', names)}`);
    bad = true;
  }
  for (const kpi of kpis.values()) {
    const missing = HISTORY_FIELDS[kpi.kind]
      .map((f) => `${kpi.name}.${f}`)
      .filter((n) => !seen.has(n));
    if (missing.length === 0 || misspelled.has(kpi.name)) continue;
    const all = HISTORY_FIELDS[kpi.kind].map((f) => `${kpi.name}.${f}`).join(', ');
    fail(
      lineNo,
      1,
      missing[0] ?? '',
      `missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: KPI ${kpi.name} (kind ${kpi.kind}) needs ${all}${didYouMeanSuffix(missing[0] ?? '', names)}`,
    );
    bad = true;
  }
  if (bad) return null;
  const byName = new Map(list.map((c, k) => [c.name, k]));
  return { timestamp, list, byName, kpis: [...kpis.values()] };
}

function parseTime(text: string): number | null {
  if (UNIX_SECONDS.test(text)) return Number(text) * 1000;
  if (!ISO_TIME.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

function parseValue(text: string, rule: Rule): number | string {
  if (text === '') return 'empty field: write 0 for none';
  const v = Number(text);
  if (!Number.isFinite(v)) return `"${text}" is not a number`;
  if (rule === 'count' && !(Number.isInteger(v) && v >= 0))
    return `must be a whole number of 0 or more, got ${text}`;
  if (rule === 'nonnegative' && v < 0) return `must not be negative, got ${text}`;
  return v;
}
