/**
 * Sample-ratio mismatch (SRM): are the units per arm what the planned split says?
 * A broken split (a redirect that drops users, a crash that loses the exposure
 * event in one arm) biases every comparison, so the launch holds when it is flagged.
 */
import { formatCount, formatValue } from './format-number.js';
import type { SrmResult } from './guard-result.js';
import { chiSquaredSurvival1 } from './normal-distribution.js';

/** The plan's default SRM threshold. */
export const DEFAULT_SRM_THRESHOLD = 0.001;

function checkArmCounts(value: { treatment: number; control: number }, field: string): void {
  for (const arm of ['treatment', 'control'] as const) {
    const v = value?.[arm];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new RangeError(
        `${field}.${arm} must be a non-negative finite number, got ${String(v)}`,
      );
  }
}

/**
 * Pearson's chi-squared goodness-of-fit test (one degree of freedom) of observed
 * units per arm against the planned shares (normalized to sum to 1; e.g. 1%/99% for
 * a canary against the rest, 5%/5% for a holdout). Flagged when p < threshold.
 * Throws a RangeError naming the field for negative or non-finite inputs.
 */
export function checkSampleRatio(
  observed: { treatment: number; control: number },
  expectedShare: { treatment: number; control: number },
  threshold: number = DEFAULT_SRM_THRESHOLD,
): SrmResult {
  checkArmCounts(observed, 'observed');
  checkArmCounts(expectedShare, 'expectedShare');
  if (!(threshold > 0 && threshold < 1))
    throw new RangeError(`threshold must be between 0 and 1, got ${String(threshold)}`);
  const shareTotal = expectedShare.treatment + expectedShare.control;
  if (!(shareTotal > 0))
    throw new RangeError('expectedShare must give at least one arm a positive share');
  const n = observed.treatment + observed.control;
  const base = { threshold, observed: { ...observed }, expectedShare: { ...expectedShare } };
  const planned = `${formatValue((100 * expectedShare.treatment) / shareTotal)}%/${formatValue((100 * expectedShare.control) / shareTotal)}%`;
  const seen = `${formatCount(observed.treatment)} treatment and ${formatCount(observed.control)} control units`;
  if (n === 0)
    return { ...base, healthy: true, pValue: 1, reason: 'no units yet, so no sample-ratio check' };
  let chi2 = 0;
  let impossible = false;
  for (const arm of ['treatment', 'control'] as const) {
    const expected = (n * expectedShare[arm]) / shareTotal;
    if (expected === 0) {
      // An arm planned to be empty that has units is a broken split outright.
      if (observed[arm] > 0) impossible = true;
      continue;
    }
    const d = observed[arm] - expected;
    chi2 += (d * d) / expected;
  }
  const pValue = impossible ? 0 : chiSquaredSurvival1(chi2);
  const healthy = pValue >= threshold;
  const stat = impossible
    ? 'an arm planned to be empty has units'
    : `chi-squared ${formatValue(chi2)}, p = ${formatValue(pValue)}`;
  return {
    ...base,
    healthy,
    pValue,
    reason: healthy
      ? `split as planned: ${seen} against ${planned} (${stat}, not below ${formatValue(threshold)})`
      : `sample-ratio mismatch: ${seen} against a planned ${planned} (${stat} < ${formatValue(threshold)}); the split is broken and every comparison is suspect`,
  };
}
