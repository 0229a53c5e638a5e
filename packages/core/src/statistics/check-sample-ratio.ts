/**
 * Sample-ratio mismatch (SRM): are the units per arm what the planned split says?
 * A broken split (a redirect that drops users, a crash that loses the exposure
 * event in one arm) biases every comparison, so the launch holds when it is flagged.
 *
 * The check runs at every look, so a fixed-horizon test would eventually flag a
 * healthy split (a chi-squared test at p < 0.001 every 5 minutes for a week held
 * 2–5% of healthy launches in the rehearsal). The decision is therefore made by an
 * anytime-valid test: the Dirichlet–multinomial mixture of M. Lindon and A. Malek,
 * "Anytime-valid inference for multinomial count data", NeurIPS 2022. Its Bayes
 * factor against the planned split is a nonnegative martingale under the plan, so
 * by Ville's inequality the chance that it EVER reaches 1/threshold is at most the
 * threshold, however many looks there are. The chi-squared p-value is still
 * reported: it is the number people know, but it does not decide.
 */
import { formatCount, formatValue } from './format-number.js';
import type { SrmResult } from './guard-result.js';
import { logGamma } from './log-gamma.js';
import { chiSquaredSurvival1 } from './normal-distribution.js';

/** The plan's default SRM threshold. */
export const DEFAULT_SRM_THRESHOLD = 0.001;

/**
 * Concentration k of the Dirichlet prior, centred on the plan: α₀ = k·θ₀. It is the
 * default of Lindon's reference implementation (savvi, `Multinomial(k=100)`): the
 * prior then weighs like 100 units, so the test is most sensitive to mismatches of
 * a few percent points, and a 51%/49% split against 50%/50% is flagged within some
 * tens of thousands of units. It only moves power, never validity.
 */
export const SRM_PRIOR_CONCENTRATION = 100;

/** The sequential evidence behind an SRM verdict (fields added to SrmResult). */
export interface SequentialSrmResult extends SrmResult {
  /** Which test decided `healthy`. */
  method?: 'dirichlet-multinomial-mixture';
  /**
   * ln of the mixture Bayes factor (posterior odds against prior odds) of "some other
   * split" against the planned one; flagged when it reaches ln(1/threshold).
   */
  logBayesFactor?: number;
  /** min(1, 1/Bayes factor): a p-value valid at any look, however many looks there are. */
  anytimePValue?: number;
}

/** A Bayes factor from its log; past a double's range (e^709) as a power of e. */
function formatBayesFactor(logBf: number): string {
  return logBf > 700 ? `e^${formatValue(logBf)}` : formatValue(Math.exp(logBf));
}

function checkArmCounts(value: { treatment: number; control: number }, field: string): void {
  // Both arms read by name (not by a key from a list): this runs at every look.
  checkArmCount(value?.treatment, field, 'treatment');
  checkArmCount(value?.control, field, 'control');
}

function checkArmCount(v: unknown, field: string, arm: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new RangeError(`${field}.${arm} must be a non-negative finite number, got ${String(v)}`);
}

/**
 * ln of the Dirichlet–multinomial Bayes factor of Lindon & Malek (2022, eq. 6) with
 * prior α = k·θ₀ over the arms with a planned share:
 *   ln BF = ln Γ(Σα) − ln Γ(Σα + n) + Σᵢ [ln Γ(αᵢ + xᵢ) − ln Γ(αᵢ) − xᵢ ln θ₀ᵢ].
 * Infinity when an arm planned to be empty has units (impossible under the plan).
 */
export function srmLogBayesFactor(
  observed: { treatment: number; control: number },
  share: { treatment: number; control: number },
  concentration: number = SRM_PRIOR_CONCENTRATION,
): number {
  const prior = priorOf(share, concentration);
  let logBf = 0;
  let n = 0;
  // The last ln Γ taken: with one arm planned (100%, no control arm) Σα + n is that
  // arm's α + x, the same double, so its ln Γ is not taken twice.
  let lastArgument = Number.NaN;
  let lastLogGamma = Number.NaN;
  for (let arm = 0; arm < 2; arm++) {
    const x = arm === 0 ? observed.treatment : observed.control;
    if (prior.theta[arm] === 0) {
      if (x > 0) return Infinity;
      continue;
    }
    lastArgument = (prior.a[arm] as number) + x;
    lastLogGamma = logGamma(lastArgument);
    logBf += lastLogGamma - (prior.logGammaA[arm] as number) - x * (prior.logTheta[arm] as number);
    n += x;
  }
  const total = prior.sum + n;
  return logBf + prior.logGammaSum - (total === lastArgument ? lastLogGamma : logGamma(total));
}

/** The prior's terms that depend on the planned split alone (see srmLogBayesFactor). */
interface SrmPrior {
  shareT: number;
  shareC: number;
  concentration: number;
  /** Per arm (treatment, control): θ, α = k·θ, ln Γ(α), ln θ. */
  theta: Float64Array;
  a: Float64Array;
  logGammaA: Float64Array;
  logTheta: Float64Array;
  /** Σα over the arms with a share, and ln Γ of it. */
  sum: number;
  logGammaSum: number;
}

// The last split's prior: the split changes only with the phase, and the check runs at
// every look. The same functions of the same numbers, so the same doubles.
let lastPrior: SrmPrior | null = null;

function priorOf(share: { treatment: number; control: number }, concentration: number): SrmPrior {
  const p = lastPrior;
  if (
    p !== null &&
    p.shareT === share.treatment &&
    p.shareC === share.control &&
    p.concentration === concentration
  )
    return p;
  const total = share.treatment + share.control;
  const prior: SrmPrior = {
    shareT: share.treatment,
    shareC: share.control,
    concentration,
    theta: new Float64Array(2),
    a: new Float64Array(2),
    logGammaA: new Float64Array(2),
    logTheta: new Float64Array(2),
    sum: 0,
    logGammaSum: 0,
  };
  let sum = 0;
  for (let arm = 0; arm < 2; arm++) {
    const theta = (arm === 0 ? share.treatment : share.control) / total;
    prior.theta[arm] = theta;
    if (theta === 0) continue;
    const a = concentration * theta;
    prior.a[arm] = a;
    prior.logGammaA[arm] = logGamma(a);
    prior.logTheta[arm] = Math.log(theta);
    sum += a;
  }
  prior.sum = sum;
  prior.logGammaSum = logGamma(sum);
  lastPrior = prior;
  return prior;
}

/**
 * The result object, written out key by key: V8 (Node 20) builds a spread followed
 * by more keys (`{ ...base, healthy }`) property by property at about 1 µs each,
 * and the split check runs at every look of every simulated launch.
 */
function srmResult(
  threshold: number,
  observed: { treatment: number; control: number },
  expectedShare: { treatment: number; control: number },
  healthy: boolean,
  pValue: number,
  logBayesFactor: number,
  anytimePValue: number,
  reason: string,
): SequentialSrmResult {
  return {
    threshold,
    observed: { treatment: observed.treatment, control: observed.control },
    expectedShare: { treatment: expectedShare.treatment, control: expectedShare.control },
    method: 'dirichlet-multinomial-mixture',
    healthy,
    pValue,
    logBayesFactor,
    anytimePValue,
    reason,
  };
}

/**
 * Observed units per arm against the planned shares (normalized to sum to 1; e.g.
 * 1%/99% for a canary against the rest, 5%/5% for a holdout). Flagged when the
 * mixture Bayes factor reaches 1/threshold (anytime-valid, see the module comment);
 * `pValue` is Pearson's chi-squared p-value (one degree of freedom), for reading.
 * Throws a RangeError naming the field for negative or non-finite inputs.
 * `explain: false` leaves `reason` empty (every number is the same).
 */
export function checkSampleRatio(
  observed: { treatment: number; control: number },
  expectedShare: { treatment: number; control: number },
  threshold: number = DEFAULT_SRM_THRESHOLD,
  options?: { explain?: boolean },
): SequentialSrmResult {
  const explain = options?.explain !== false;
  checkArmCounts(observed, 'observed');
  checkArmCounts(expectedShare, 'expectedShare');
  if (!(threshold > 0 && threshold < 1))
    throw new RangeError(`threshold must be between 0 and 1, got ${String(threshold)}`);
  const shareTotal = expectedShare.treatment + expectedShare.control;
  if (!(shareTotal > 0))
    throw new RangeError('expectedShare must give at least one arm a positive share');
  const n = observed.treatment + observed.control;
  if (n === 0)
    return srmResult(
      threshold,
      observed,
      expectedShare,
      true,
      1,
      0,
      1,
      'no units yet, so no sample-ratio check',
    );
  let chi2 = 0;
  let impossible = false;
  // Both arms written out: this runs at every look of every simulated launch.
  const expectedT = (n * expectedShare.treatment) / shareTotal;
  const expectedC = (n * expectedShare.control) / shareTotal;
  // An arm planned to be empty that has units is a broken split outright.
  if (expectedT === 0) impossible = observed.treatment > 0;
  else chi2 += ((observed.treatment - expectedT) * (observed.treatment - expectedT)) / expectedT;
  if (expectedC === 0) impossible ||= observed.control > 0;
  else chi2 += ((observed.control - expectedC) * (observed.control - expectedC)) / expectedC;
  const pValue = impossible ? 0 : chiSquaredSurvival1(chi2);
  const logBayesFactor = srmLogBayesFactor(observed, expectedShare);
  const anytimePValue = Math.min(1, Math.exp(-logBayesFactor));
  // Compared in logs: the Bayes factor itself overflows a double past e^709.
  const healthy = logBayesFactor < -Math.log(threshold);
  // explain: false (the rehearsal's looks): the same numbers, no sentence.
  if (!explain)
    return srmResult(
      threshold,
      observed,
      expectedShare,
      healthy,
      pValue,
      logBayesFactor,
      anytimePValue,
      '',
    );
  const planned = `${formatValue((100 * expectedShare.treatment) / shareTotal)}%/${formatValue((100 * expectedShare.control) / shareTotal)}%`;
  const seen = `${formatCount(observed.treatment)} treatment and ${formatCount(observed.control)} control units`;
  const evidence = impossible
    ? 'an arm planned to be empty has units'
    : `sequential Bayes factor ${formatBayesFactor(logBayesFactor)} against ${formatValue(1 / threshold)} needed, anytime p = ${formatValue(anytimePValue)}; chi-squared ${formatValue(chi2)}, p = ${formatValue(pValue)} at this look alone`;
  return srmResult(
    threshold,
    observed,
    expectedShare,
    healthy,
    pValue,
    logBayesFactor,
    anytimePValue,
    healthy
      ? `split as planned: ${seen} against ${planned} (${evidence})`
      : `sample-ratio mismatch: ${seen} against a planned ${planned} (${evidence}); the split is broken and every comparison is suspect`,
  );
}
