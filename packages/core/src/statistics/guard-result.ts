/** What a guard concludes at one look, with the evidence a person needs to trust it. */
import type { KpiCategory, KpiKind } from '../plan/index.js';

/** Verdict of one KPI at one look; missing or thin data is never a pass. */
export type Verdict = 'pass' | 'breach' | 'insufficient-evidence';

/**
 * One guard's result at one look. Numbers are plain (fractions, not percent strings).
 * An interval bound that the data cannot limit yet (quantiles with too few values
 * beyond the quantile, relative changes against a control near 0) is ±Infinity;
 * JSON.stringify writes it as null.
 */
export interface GuardResult {
  kpi: string;
  category: KpiCategory;
  kind: KpiKind;
  verdict: Verdict;
  /** One sentence a person can read: why this verdict, in numbers. */
  reason: string;
  /** Which rule produced the verdict. */
  rule: 'compare' | 'max' | 'min' | 'burn-rate' | 'min-sample';
  /** Treatment (and control) point estimates of the KPI's value. */
  estimate: { treatment: number | null; control: number | null };
  /**
   * For comparisons: the difference treatment − control (absolute) or
   * treatment / control − 1 (relative), its anytime-valid interval at this look,
   * and the margin in the same scale, oriented as in the plan (`bad` direction).
   */
  comparison?: {
    bad: 'increase' | 'decrease';
    relative: boolean;
    difference: number | null;
    interval: [number, number] | null;
    margin: number;
    /**
     * The margin as a difference: +margin when `bad` is increase, −margin when it is
     * decrease. Breach when the whole interval is past it on the bad side.
     */
    threshold?: number;
    /**
     * In a phase without a control arm: the earlier phase whose control arm was
     * the baseline compared against (a fixed sample, not a concurrent arm).
     */
    baseline?: string;
  };
  /** Hard limit checked against the treatment arm, with the treatment's interval. */
  limit?: { max?: number; min?: number; interval: [number, number] | null };
  /** Burn rate per window pair (slo-burn). */
  burn?: { long: number; short: number; factor: number; longRate: number; shortRate: number }[];
  /** Units per arm behind the estimate. */
  units: { treatment: number; control: number };
  /**
   * This guard's share of the launch-wide false alarm budget at this look (its
   * KPI's share in this phase, and for a windowed KPI in this window), the
   * budget for the whole launch, and the number of phases it is split across.
   */
  alpha: { guard: number; launch: number; phases?: number };
  /** Test used, e.g. 'asymptotic-confidence-sequence' or 'msprt'. */
  method: string;
  /**
   * For method msprt: log Λ of the mixture SPRT of H₀ "difference = threshold", and
   * its always-valid p-value min(1, 1/Λ) (1 when the estimate is on the good side).
   */
  evidence?: { statistic: 'msprt-log-likelihood-ratio'; value: number; pValue: number };
  /**
   * Where the data came from and what one sample is (ADR 0015): `per-unit` for the
   * SDK's events; `per-interval` when each query step of a metrics engine is one
   * sample; `request-counts` for burn-rate windows. `queries` are what was asked,
   * per arm, after templating.
   */
  source?: {
    name: string;
    kind: string;
    basis: string;
    note?: string;
    queries?: Record<string, string>;
  };
}

/** Sample-ratio mismatch check of observed units per arm against the planned split. */
export interface SrmResult {
  healthy: boolean;
  /** Chi-squared p-value (1 when there are no units yet). */
  pValue: number;
  threshold: number;
  observed: { treatment: number; control: number };
  expectedShare: { treatment: number; control: number };
  reason: string;
}
