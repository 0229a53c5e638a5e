/** How an interval and the sample size become a verdict, shared by every statistical rule. */
import { mixtureRho2, oneSidedMixtureMultiplier } from './mixture-boundary.js';
import { formatCount } from './format-number.js';
import type { GuardResult, Verdict } from './guard-result.js';

/** Below this many units per arm no verdict is given: the intervals are large-sample approximations. */
export const MIN_UNITS_FOR_VERDICT = 30;

/** Minimum units per arm before a pass when the phase does not say (the plan's min_units default). */
export const DEFAULT_MIN_UNITS = 100;

/** Settings of one statistical rule of one KPI. */
export interface RuleSettings {
  /** False alarm share of this rule. */
  alpha: number;
  method: 'confidence-sequence' | 'msprt';
  /** Units per arm a pass needs. */
  minUnits: number;
  /** Samples at which the confidence sequence is tuned to be tightest (overrides the default). */
  tuneUnits?: number;
  /**
   * false: the verdict-only path. Every number and verdict is computed by the same
   * code; only the reason sentences are left empty, because formatting them is a
   * large part of a look and a rehearsal reads the verdicts alone.
   */
  explain?: boolean;
  /**
   * The control estimate is a fixed baseline (the control arm of this earlier
   * phase), not a concurrent randomized arm: comparisons combine one-arm bounds.
   */
  baseline?: string;
}

/** One rule's conclusion. */
export interface RuleOutcome {
  verdict: Verdict;
  rule: GuardResult['rule'];
  reason: string;
}

/** What an interval says against a threshold before sample-size rules. */
export type Judgement = 'breach' | 'pass' | 'open';

/**
 * Default tuning time of a sequence: where the smallest arm reaches the phase's
 * minimum sample in a balanced split (`arms` = 2 for comparisons, 1 for one arm).
 */
export function defaultTuneUnits(minUnits: number, arms: number): number {
  return arms * Math.max(minUnits, MIN_UNITS_FOR_VERDICT);
}

/** The one-sided asymptotic confidence sequence multiplier at t samples. */
export function sequenceMultiplier(t: number, alpha: number, tuneUnits: number): number {
  return oneSidedMixtureMultiplier(t * mixtureRho2(alpha, tuneUnits), alpha);
}

/**
 * Turn a judgement into a verdict under the sample rules: nothing below
 * MIN_UNITS_FOR_VERDICT units in any arm; a breach from there on (catching a
 * disaster early matters more than waiting for the phase's minimum); a pass only
 * from `minUnits` units per arm.
 */
export function gateVerdict(
  judgement: Judgement,
  arms: { label: string; units: number }[],
  minUnits: number,
  rule: GuardResult['rule'],
  // Reasons are built only for the verdict given: formatting numbers is most of a look's cost.
  // null (the verdict-only path) builds none.
  text: ((judgement: Judgement) => string) | null,
): RuleOutcome {
  const smallest = arms.reduce((a, b) => (b.units < a.units ? b : a));
  if (text === null) return gateQuietly(judgement, smallest.units, minUnits, rule);
  if (smallest.units < MIN_UNITS_FOR_VERDICT) {
    const sofar = judgement === 'breach' ? `looks like a breach (${text('breach')})` : text('open');
    return {
      verdict: 'insufficient-evidence',
      rule: 'min-sample',
      reason: `too few units: ${smallest.label} has ${formatCount(smallest.units)}, no verdict below ${MIN_UNITS_FOR_VERDICT} per arm; so far ${sofar}`,
    };
  }
  if (judgement === 'breach') return { verdict: 'breach', rule, reason: text('breach') };
  if (judgement === 'pass') {
    if (smallest.units < minUnits)
      return {
        verdict: 'insufficient-evidence',
        rule: 'min-sample',
        reason: `too few units for a pass: ${smallest.label} has ${formatCount(smallest.units)} of the ${formatCount(minUnits)} needed; so far ${text('pass')}`,
      };
    return { verdict: 'pass', rule, reason: text('pass') };
  }
  return { verdict: 'insufficient-evidence', rule, reason: text('open') };
}

/**
 * gateVerdict's rules without reasons (the verdict-only path), the same branches in
 * the same order, from the smallest arm's units: no arm list to build at every look.
 */
export function gateQuietly(
  judgement: Judgement,
  smallest: number,
  minUnits: number,
  rule: GuardResult['rule'],
): RuleOutcome {
  if (smallest < MIN_UNITS_FOR_VERDICT) return quietOutcome('insufficient-evidence', 'min-sample');
  if (judgement === 'breach') return quietOutcome('breach', rule);
  if (judgement === 'pass' && smallest < minUnits)
    return quietOutcome('insufficient-evidence', 'min-sample');
  return quietOutcome(judgement === 'pass' ? 'pass' : 'insufficient-evidence', rule);
}

// Outcomes without a reason, one frozen object per verdict and rule: the verdict-only
// path gives one per rule at every look, and outcomes are read, never changed. Found
// by position, not by string keys (a keyed lookup at every look).
const RULES = ['compare', 'max', 'min', 'burn-rate', 'min-sample'] as const;
const VERDICTS = ['pass', 'breach', 'insufficient-evidence'] as const;
const QUIET: readonly RuleOutcome[] = VERDICTS.flatMap((verdict) =>
  RULES.map((rule) => Object.freeze({ verdict, rule, reason: '' })),
);

function verdictIndex(verdict: Verdict): number {
  if (verdict === 'pass') return 0;
  if (verdict === 'breach') return 1;
  return verdict === 'insufficient-evidence' ? 2 : -1;
}

function ruleIndex(rule: GuardResult['rule']): number {
  switch (rule) {
    case 'compare':
      return 0;
    case 'max':
      return 1;
    case 'min':
      return 2;
    case 'burn-rate':
      return 3;
    case 'min-sample':
      return 4;
    default:
      return -1;
  }
}

/** An outcome without a reason (the verdict-only path's), one shared frozen object per verdict and rule. */
export function quietOutcome(verdict: Verdict, rule: GuardResult['rule']): RuleOutcome {
  const v = verdictIndex(verdict);
  const r = ruleIndex(rule);
  if (v < 0 || r < 0) return { verdict, rule, reason: '' };
  return QUIET[v * RULES.length + r] as RuleOutcome;
}

/** Two reasons joined; the verdict-only path's empty ones leave no stray separators. */
function joinTwo(a: string, b: string): string {
  if (a === '') return b;
  return b === '' ? a : `${a}; ${b}`;
}

/**
 * Two rules' outcomes as one verdict: any breach wins (the first), a pass needs
 * both to pass, else the first one still open says why (with the other's reason
 * when it is open too). No list is built: a KPI with a comparison and hard
 * limits combines two at every look.
 */
export function combineTwo(a: RuleOutcome, b: RuleOutcome): RuleOutcome {
  if (a.verdict === 'breach') return a;
  if (b.verdict === 'breach') return b;
  if (a.verdict === 'pass' && b.verdict === 'pass')
    return withReason('pass', a.rule, joinTwo(a.reason, b.reason));
  if (a.verdict !== 'pass' && b.verdict !== 'pass')
    return withReason('insufficient-evidence', a.rule, joinTwo(a.reason, b.reason));
  const open = a.verdict !== 'pass' ? a : b;
  return withReason('insufficient-evidence', open.rule, open.reason);
}

function withReason(verdict: Verdict, rule: GuardResult['rule'], reason: string): RuleOutcome {
  return reason === '' ? quietOutcome(verdict, rule) : { verdict, rule, reason };
}

/** Whether a rule should write its reason sentences (false only on the verdict-only path). */
export function explains(settings: { explain?: boolean }): boolean {
  return settings.explain !== false;
}

/** Judge a harm interval (positive = bad) against a margin: breach above, pass at or below, open across. */
export function judgeHarm(lo: number, hi: number, margin: number): Judgement {
  if (lo > margin) return 'breach';
  if (hi <= margin) return 'pass';
  return 'open';
}
