/** What a chart draws: lines, interval bands and thresholds, one value per look. */

/** A line: one value per look. */
export interface LineSpec {
  kind: 'line';
  key: string;
  label: string;
  role: 'treatment' | 'control' | 'difference' | 'caught';
  values: readonly (number | null)[];
}

/** A shaded band between two values per look (an interval); null is an unbounded end. */
export interface BandSpec {
  kind: 'band';
  key: string;
  label: string;
  role: 'interval';
  lo: readonly (number | null)[];
  hi: readonly (number | null)[];
}

/** A limit line; the side where values are not allowed is hatched. */
export interface ThresholdSpec {
  kind: 'threshold';
  key: string;
  label: string;
  role: 'margin' | 'limit';
  values: readonly (number | null)[];
  beyond: 'above' | 'below' | null;
}

export type SeriesSpec = LineSpec | BandSpec | ThresholdSpec;

/** The values a series draws at look `i` (interval ends included; thresholds are not data). */
export function valuesAt(s: SeriesSpec, i: number): (number | null | undefined)[] {
  return s.kind === 'line' ? [s.values[i]] : s.kind === 'band' ? [s.lo[i], s.hi[i]] : [];
}
