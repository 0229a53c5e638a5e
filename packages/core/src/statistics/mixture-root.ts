/**
 * The root w of w²/2 + log Φ(w) = target, which gives the one-sided mixture
 * multiplier (mixture-boundary.ts). The root depends on the target alone, so it
 * is read from a table of roots at targets k/256, each cell holding the root's
 * Taylor polynomial of degree 5 in the target (solved once, on first use, by
 * the cold solve). Why no Newton step any more: the step cost a normal tail
 * evaluation (erfc) a solve, most of a solve's cost, while the polynomial is
 * ten multiply-adds (about 15 ns a solve instead of 150-180 ns). Within half a
 * cell (|dt| ≤ 1/512) the remainder w⁽⁶⁾dt⁶/720 is below 1e-19 (|w⁽⁶⁾| < 1,
 * largest at target 0), a thousandth of the last bit, so the answer differs
 * from the cold solve by rounding alone: at most 4.4e-16 relative over 2
 * million random targets in [0, 32), about one target in three by one or two
 * ulps (ADR 0040's bar: verdicts identical, roots to their last bits;
 * mixture-root.property.test.ts).
 * The polynomial is a function of the target only, never of earlier solves, so
 * the answer is the same whatever ran before it (byte-identical rehearsals
 * whatever the number of threads). Before the table (ADR 0039) every look solved
 * from a cold start in three to four tail evaluations; ADR 0040 took one Newton
 * step from a second-order expansion at cells k/256.
 */
import { logNormalCdf, normalDensity, normalSurvival } from './normal-distribution.js';

/** Table cells per unit of target. */
const CELLS = 256;
/** Targets in [0, LIMIT / CELLS) read the table (w up to about 8); others solve cold. */
const LIMIT = 32 * CELLS;
/** Coefficients a cell: the root at k/CELLS and its derivatives in the target over 1!…5!. */
const STRIDE = 6;
// 8,193 cells × 6 doubles = 393 KB, all zero until a cell is first used (the root
// is above 0.5 for every target ≥ 0, so 0 marks an empty cell). Coarse cells of a
// higher degree rather than fine cells of a lower one: the bench plan's launches
// use about 1,000 cells (48 KB), which stay in cache; cells k/1024 of degree 4,
// as exact, read 4 times the memory and were a third slower a solve.
const table = new Float64Array((LIMIT + 1) * STRIDE);

let cold = false;

/**
 * Test hook: solve every root from the cold start with the stopping rule of
 * ADR 0039 (the engine before the table), to compare the two.
 */
export function useColdMixtureRoot(on: boolean): void {
  cold = on;
}

/** The root w of w²/2 + log Φ(w) = target. */
export function mixtureRoot(target: number): number {
  if (cold) return coldMixtureRoot(target);
  const k = Math.round(target * CELLS);
  if (!(k >= 0 && k <= LIMIT)) return coldMixtureRoot(target);
  const i = k * STRIDE;
  if ((table[i] as number) === 0) fillCell(k);
  // k/CELLS is exact and within a factor 2 of target (k ≥ 1), or 0: dt is exact.
  const dt = target - k / CELLS;
  const c5 = table[i + 5] as number;
  const c4 = table[i + 4] as number;
  const c3 = table[i + 3] as number;
  const c2 = table[i + 2] as number;
  const c1 = table[i + 1] as number;
  return (table[i] as number) + dt * (c1 + dt * (c2 + dt * (c3 + dt * (c4 + dt * c5))));
}

/**
 * The root at k/CELLS by the cold solve, with its derivatives in the target from
 * those of f(w) = w²/2 + log Φ(w): with m = φ/Φ, m' = −m(w + m), so
 *   f' = w + m,  f'' = 1 + m',  f''' = m'' = −(m'f' + m f''),
 *   f'''' = m''' = −(m''f' + 2m'f'' + m m''),
 *   f⁽⁵⁾ = m'''' = −(m'''f' + 3m''f'' + 3m'f''' + m f''''),
 * and for the inverse function
 *   w' = 1/f',  w'' = −f''/f'³,  w''' = (3f''² − f'f''')/f'⁵,
 *   w'''' = (−15f''³ + 10f'f''f''' − f'²f'''')/f'⁷,
 *   w⁽⁵⁾ = (105f''⁴ − 105f'f''²f''' + 10f'²f'''² + 15f'²f''f'''' − f'³f⁽⁵⁾)/f'⁹
 * (checked: the degree-4 and degree-5 polynomials' errors fall 32- and 64-fold
 * as dt halves).
 */
function fillCell(k: number): void {
  const w = coldMixtureRoot(k / CELLS);
  const m = Math.exp(-0.5 * w * w - 0.5 * Math.log(2 * Math.PI) - logNormalCdf(w));
  const d1 = w + m;
  const m1 = -m * d1;
  const d2 = 1 + m1;
  const d3 = -(m1 * d1 + m * d2);
  const d4 = -(d3 * d1 + 2 * m1 * d2 + m * d3);
  const d5 = -(d4 * d1 + 3 * d3 * d2 + 3 * m1 * d3 + m * d4);
  const p2 = d1 * d1;
  const p3 = p2 * d1;
  const p5 = p3 * p2;
  const p7 = p5 * p2;
  const p9 = p7 * p2;
  const i = k * STRIDE;
  table[i + 1] = 1 / d1;
  table[i + 2] = -d2 / p3 / 2;
  table[i + 3] = (3 * d2 * d2 - d1 * d3) / p5 / 6;
  table[i + 4] = (-15 * d2 * d2 * d2 + 10 * d1 * d2 * d3 - p2 * d4) / p7 / 24;
  table[i + 5] =
    (105 * d2 * d2 * d2 * d2 -
      105 * d1 * d2 * d2 * d3 +
      10 * p2 * d3 * d3 +
      15 * p2 * d2 * d4 -
      p3 * d5) /
    p9 /
    120;
  // The root last: a cell counts as filled once it is nonzero.
  table[i] = w;
}

/** The Newton step (f(w) − target)/f'(w). */
function newtonStep(w: number, target: number): number {
  let logCdf: number;
  let mills: number; // φ(w)/Φ(w)
  if (w > 0) {
    // One tail evaluation serves both terms (it is most of the cost of a solve).
    const tail = normalSurvival(w);
    logCdf = Math.log1p(-tail);
    mills = normalDensity(w) / (1 - tail);
  } else {
    logCdf = logNormalCdf(w);
    mills = Math.exp(-0.5 * w * w - 0.5 * Math.log(2 * Math.PI) - logCdf);
  }
  return (0.5 * w * w + logCdf - target) / (w + mills);
}

/**
 * The solve of ADR 0039, kept as the table's source and the tests' reference:
 * from the root without the log Φ term (the two-sided boundary at 2α), until a
 * step is below 1e-15 relative.
 */
export function coldMixtureRoot(target: number): number {
  let w = target > 0 ? Math.sqrt(2 * target) : 0;
  for (let i = 0; i < 50; i++) {
    const step = newtonStep(w, target);
    w -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(w))) break;
  }
  return w;
}
