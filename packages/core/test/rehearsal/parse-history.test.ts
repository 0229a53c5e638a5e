import { describe, expect, it } from 'vitest';
import { formatHistoryError, historyColumnsOf, parseHistory } from '@threshold/core';
import { ALL_KINDS_PLAN, allKindsCsv } from './fixtures.js';

function errorsOf(csv: string): string[] {
  const r = parseHistory(csv, ALL_KINDS_PLAN, { file: 'h.csv' });
  expect(r.ok).toBe(false);
  return r.errors.map(formatHistoryError);
}

/** Replace one field (by column name) on one data row (0-based). */
function withField(csv: string, row: number, column: string, value: string): string {
  const lines = csv.split('\n');
  const header = (lines[0] ?? '').split(',');
  const at = header.indexOf(column);
  const fields = (lines[row + 1] ?? '').split(',');
  fields[at] = value;
  lines[row + 1] = fields.join(',');
  return lines.join('\n');
}

describe('parseHistory', () => {
  it('reads a valid history into columns', () => {
    const r = parseHistory(allKindsCsv(4), ALL_KINDS_PLAN, { file: 'h.csv' });
    expect(r.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.history.length).toBe(4);
    expect(r.history.intervalMs).toBe(60_000);
    expect(r.history.start).toBe(Date.UTC(2026, 2, 2));
    expect([...r.history.units]).toEqual([100, 100, 100, 100]);
    expect(r.history.columns['p95.log_sd']?.[3]).toBe(0.4);
    expect(Object.keys(r.history.columns)).toHaveLength(16);
  });

  it('names the columns each kind needs', () => {
    expect(historyColumnsOf({ name: 'x', kind: 'ratio' })).toEqual([
      'x.num',
      'x.den',
      'x.num_sq',
      'x.den_sq',
      'x.num_den',
    ]);
  });

  it('ignores comment lines, blank lines, CRLF and columns of other KPIs', () => {
    const csv = `# exported 2026-03-02\n${allKindsCsv(2)}`
      .replace(/\n/g, '\r\n')
      .replace('availability.total', 'availability.total,other_kpi.sum')
      .replace(/,400\r\n/g, ',400,7\r\n');
    const r = parseHistory(`${csv}\r\n\r\n`, ALL_KINDS_PLAN);
    expect(r.errors).toEqual([]);
    expect(r.ok && r.history.columns['other_kpi.sum']).toBe(undefined);
  });

  it('accepts Unix seconds as timestamps', () => {
    const csv = allKindsCsv(2)
      .replace('2026-03-02T00:00:00.000Z', '1772409600')
      .replace('2026-03-02T00:01:00.000Z', '1772409660');
    const r = parseHistory(csv, ALL_KINDS_PLAN);
    expect(r.ok && r.history.start).toBe(1772409600_000);
  });

  it('reports a missing column of a KPI at the header, with every column the kind needs', () => {
    const csv = allKindsCsv().replace(',clicks.num_den', ',clicks.num_dne');
    expect(errorsOf(csv)).toEqual([
      "h.csv:1:140: clicks.num_dne: KPI clicks is of kind ratio, which has columns clicks.num, clicks.den, clicks.num_sq, clicks.den_sq, clicks.num_den (did you mean 'num_den'?)",
    ]);
  });

  it('reports a KPI with no columns at all', () => {
    const csv = allKindsCsv()
      .replace(',errors.sum,errors.sum_sq', '')
      .replace(/,20,40,120/g, ',120');
    expect(errorsOf(csv)).toEqual([
      'h.csv:1:1: errors.sum: missing columns errors.sum, errors.sum_sq: KPI errors (kind count) needs errors.sum, errors.sum_sq',
    ]);
  });

  it('reports missing timestamp and units columns and duplicates', () => {
    const csv = allKindsCsv()
      .replace('timestamp,units', 'time,unit')
      .replace('p95.values', 'conversion.occurred');
    expect(errorsOf(csv)).toEqual([
      'h.csv:1:1: time: not a history column: use timestamp, units or KPI.field (e.g. conversion.occurred)',
      "h.csv:1:6: unit: not a history column: use timestamp, units or KPI.field (e.g. conversion.occurred) (did you mean 'units'?)",
      'h.csv:1:174: conversion.occurred: duplicate column (also column 3)',
      'h.csv:1:1: timestamp: missing column timestamp',
      "h.csv:1:1: units: missing column units (did you mean 'unit'?)",
      'h.csv:1:1: p95.values: missing column p95.values: KPI p95 (kind quantile) needs p95.values, p95.log_mean, p95.log_sd',
    ]);
  });

  it('points at the field of a bad value, by line and column', () => {
    const csv = withField(allKindsCsv(), 1, 'errors.sum', 'lots');
    expect(errorsOf(csv)).toEqual(['h.csv:3:61: errors.sum: "lots" is not a number']);
  });

  it('rejects empty fields, fractional counts and negative sums of squares', () => {
    let csv = withField(allKindsCsv(), 0, 'units', '');
    csv = withField(csv, 1, 'conversion.occurred', '2.5');
    csv = withField(csv, 2, 'clicks.den_sq', '-1');
    expect(errorsOf(csv)).toEqual([
      'h.csv:2:26: units: empty field: write 0 for none',
      'h.csv:3:30: conversion.occurred: must be a whole number of 0 or more, got 2.5',
      'h.csv:4:54: clicks.den_sq: must not be negative, got -1',
    ]);
  });

  it('checks parts against wholes and variances against means', () => {
    let csv = withField(allKindsCsv(), 0, 'conversion.occurred', '101');
    csv = withField(csv, 1, 'errors.sum_sq', '3');
    csv = withField(csv, 2, 'availability.bad', '401');
    expect(errorsOf(csv)).toEqual([
      'h.csv:2:30: conversion.occurred: 101 exceeds units (100)',
      'h.csv:3:64: errors.sum_sq: 3 is below errors.sum²/units = 4: the per-unit variance would be negative',
      'h.csv:4:79: availability.bad: 401 exceeds availability.total (400)',
    ]);
  });

  it('checks that rows come one per interval without gaps', () => {
    const csv = allKindsCsv(4).replace('2026-03-02T00:02:00.000Z', '2026-03-02T00:05:00.000Z');
    expect(errorsOf(csv)).toEqual([
      'h.csv:4:1: timestamp: expected 2026-03-02T00:02:00.000Z (one row every 1m, no gaps), got 2026-03-02T00:05:00.000Z',
    ]);
  });

  it('rejects bad times, short rows, an empty file and a single row', () => {
    const bad = allKindsCsv().replace('2026-03-02T00:01:00.000Z', 'yesterday');
    expect(errorsOf(bad)).toEqual([
      'h.csv:3:1: timestamp: "yesterday" is not a time: use ISO 8601 (2026-03-02T00:00:00Z) or Unix seconds',
    ]);
    const short = allKindsCsv().replace(/,1,400\n$/, '\n');
    expect(errorsOf(short)).toEqual(['h.csv:4:1: expected 18 fields like the header, got 16']);
    expect(errorsOf('')).toEqual([
      'h.csv:1:1: the history is empty: it needs a header line (timestamp,units,...) and rows',
    ]);
    expect(errorsOf(allKindsCsv(1))).toEqual([
      'h.csv:2:1: a history needs at least 2 rows to know its interval, got 1',
    ]);
  });

  it('stops after 50 problems', () => {
    const csv = allKindsCsv(80).replace(/,100,5,/g, ',x,5,');
    const errors = errorsOf(csv);
    expect(errors).toHaveLength(51);
    expect(errors[50]).toMatch(/stopped after 50 problems/);
  });
});
