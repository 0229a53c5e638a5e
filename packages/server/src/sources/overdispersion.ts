/** How much more per-interval error counts vary than independent requests would make them (ADR 0015). */

/**
 * Mean of χ²(1) below its 90% quantile (2.7055): P(χ²(3) < 2.7055) / 0.9. A
 * 10%-trimmed mean of χ²(1) ratios divided by it estimates their scale.
 */
const CHI2_1_TRIMMED_MEAN = 0.5608 / 0.9;

/**
 * Overdispersion φ ≥ 1 of per-interval (bad, total) counts: how much more the
 * error ratio varies between neighbouring intervals than independent requests
 * would make it. Each pair of neighbours gives d²/Var(d), d the difference of
 * their ratios and Var(d) = p(1−p)(1/x₁ + 1/x₂) at their pooled p, a χ²(1)
 * under independence; φ is their 10%-trimmed mean, rescaled. Neighbour
 * differences and the trimming keep a level shift (the regression a burn-rate
 * guard exists to catch) from passing for noise; clustering that runs through
 * the phase (retries, sessions, a shared dependency) raises every pair and so φ.
 */
export function overdispersion(pairs: readonly (readonly [number, number])[]): number {
  const ratios: number[] = [];
  for (let i = 1; i < pairs.length; i++) {
    const [y1, x1] = pairs[i - 1] as readonly [number, number];
    const [y2, x2] = pairs[i] as readonly [number, number];
    if (!(x1 > 0 && x2 > 0)) continue;
    const p = (y1 + y2) / (x1 + x2);
    if (!(p > 0 && p < 1)) continue;
    const d = y2 / x2 - y1 / x1;
    ratios.push((d * d) / (p * (1 - p) * (1 / x1 + 1 / x2)));
  }
  if (ratios.length < 2) return 1;
  ratios.sort((a, b) => a - b);
  const kept = ratios.slice(0, Math.max(1, Math.floor(0.9 * ratios.length)));
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  return Math.max(1, mean / CHI2_1_TRIMMED_MEAN);
}
