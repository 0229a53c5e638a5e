/**
 * The root w of w²/2 + log Φ(w) = target, which gives the one-sided mixture
 * multiplier (mixture-boundary.ts). The root depends on the target alone, so a
 * table of roots at targets k/256 (each solved once, on first use, with the
 * derivatives of the root there) starts Newton's method so close (about 1e-11)
 * that one step lands on the root's last bits. Before it (ADR 0039) every look
 * solved from a cold start in three to four steps, each a tail evaluation.
 * The start is a function of the target only, never of earlier solves, so the
 * answer is the same whatever ran before it (byte-identical rehearsals whatever
 * the number of threads). ADR 0040.
 */
import { logNormalCdf, normalDensity, normalSurvival } from './normal-distribution.js';

/** Table cells per unit of target. */
const CELLS = 256;
/** Targets in [0, LIMIT / CELLS) start from the table (w up to about 8); others solve cold. */
const LIMIT = 32 * CELLS;
// Per cell k: the root at k/CELLS, its first and second derivatives in the target
// (NaN until first used).
const rootAt = new Float64Array(LIMIT + 1).fill(NaN);
const slopeAt = new Float64Array(LIMIT + 1);
const curveAt = new Float64Array(LIMIT + 1);

/**
 * A Newton step smaller than this (relative) leaves an error below step²/(2w),
 * under a hundredth of the last bit: f'' ≤ 1 and f' > w for w > 0.
 */
const CONVERGED = 1e-9;

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
  let w0 = rootAt[k] as number;
  if (w0 !== w0) w0 = fillCell(k);
  const dt = target - k / CELLS;
  let w = w0 + dt * ((slopeAt[k] as number) + 0.5 * dt * (curveAt[k] as number));
  for (let i = 0; i < 50; i++) {
    const step = newtonStep(w, target);
    w -= step;
    if (Math.abs(step) <= CONVERGED * Math.max(1, Math.abs(w))) break;
  }
  return w;
}

function fillCell(k: number): number {
  const w = coldMixtureRoot(k / CELLS);
  // f(w) = w²/2 + log Φ(w); m = φ/Φ; f' = w + m; f'' = 1 + m' with m' = −m(w + m).
  const m = Math.exp(-0.5 * w * w - 0.5 * Math.log(2 * Math.PI) - logNormalCdf(w));
  const d1 = w + m;
  const d2 = 1 - m * (w + m);
  rootAt[k] = w;
  slopeAt[k] = 1 / d1;
  curveAt[k] = -d2 / (d1 * d1 * d1);
  return w;
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
