/**
 * The planned split decide() and the split check expect must be what SDKs
 * assign: counted with armOf, at every traffic share the plan format can
 * express (0.01% steps), for both kinds of control arm.
 */
import { describe, expect, it } from 'vitest';
import type { Arm } from '../src/index.js';
import { BUCKET_COUNT, armBuckets, armOf, plannedSplit } from '../src/index.js';

/** Arms of every bucket counted with armOf: the ground truth. */
function countArms(t: number, control: 'rest' | 'holdout'): Record<Arm, number> {
  let treatment = 0;
  let inControl = 0;
  for (let b = 0; b < BUCKET_COUNT; b++) {
    const arm = armOf(b, t, control);
    if (arm === 'treatment') treatment++;
    else if (arm === 'control') inControl++;
  }
  return { treatment, control: inControl, excluded: BUCKET_COUNT - treatment - inControl };
}

/**
 * The arms a closed form claims, checked with armOf at each range's edges and
 * just outside them (treatment at the bottom, control at the top, excluded in
 * between): O(1) per share, so every share can be checked.
 */
function edgesAgree(t: number, control: 'rest' | 'holdout', arms: Record<Arm, number>): boolean {
  const arm = (b: number): Arm | null => (b >= 0 && b < BUCKET_COUNT ? armOf(b, t, control) : null);
  const tEnd = arms.treatment;
  const cStart = BUCKET_COUNT - arms.control;
  const checks: [number, Arm][] = [];
  if (tEnd > 0) checks.push([0, 'treatment'], [tEnd - 1, 'treatment']);
  if (arms.control > 0) checks.push([cStart, 'control'], [BUCKET_COUNT - 1, 'control']);
  if (arms.excluded > 0) checks.push([tEnd, 'excluded'], [cStart - 1, 'excluded']);
  return (
    arms.treatment + arms.control + arms.excluded === BUCKET_COUNT &&
    checks.every(([b, want]) => arm(b) === want)
  );
}

/** Shares counted bucket by bucket: every 0.01% near 0, 50% and 100%, every 0.5% elsewhere. */
function fullyCounted(t: number): boolean {
  return t <= 100 || Math.abs(t - 5000) <= 100 || t >= 9900 || t % 50 === 0;
}

describe('plannedSplit agrees with armOf', () => {
  for (const control of ['rest', 'holdout'] as const) {
    it(`at every 0.01% step, in buckets (control: ${control})`, () => {
      const mismatches: string[] = [];
      for (let t = 0; t <= BUCKET_COUNT && mismatches.length < 5; t++) {
        const closed = armBuckets(t, control);
        const split = plannedSplit({ control }, t / BUCKET_COUNT);
        const counted = fullyCounted(t) ? countArms(t, control) : closed;
        if (
          !edgesAgree(t, control, closed) ||
          closed.treatment !== counted.treatment ||
          closed.control !== counted.control ||
          closed.excluded !== counted.excluded ||
          split.treatment !== counted.treatment / BUCKET_COUNT ||
          split.control !== counted.control / BUCKET_COUNT
        )
          mismatches.push(
            `${t} buckets: armOf ${JSON.stringify(counted)}, armBuckets ${JSON.stringify(closed)}, plannedSplit ${JSON.stringify(split)}`,
          );
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('gives a holdout at 100% no control arm, like the rest at 100%', () => {
    expect(plannedSplit({ control: 'holdout' }, 1)).toEqual({ treatment: 1, control: 0 });
    expect(plannedSplit({ control: 'rest' }, 1)).toEqual({ treatment: 1, control: 0 });
    // Up to 50% the holdout is the same size as treatment, above it the rest.
    expect(plannedSplit({ control: 'holdout' }, 0.1)).toEqual({ treatment: 0.1, control: 0.1 });
    expect(plannedSplit({ control: 'holdout' }, 0.75)).toEqual({ treatment: 0.75, control: 0.25 });
  });

  it('rounds a share to buckets as the config document does, and clamps what is out of range', () => {
    // 0.00015 is 1.5 buckets as written: shareToBuckets rounds it to 2, and so does the split.
    expect(plannedSplit({ control: 'rest' }, 0.00015).treatment).toBe(2 / BUCKET_COUNT);
    expect(plannedSplit({ control: 'rest' }, -0.5)).toEqual({ treatment: 0, control: 1 });
    expect(plannedSplit({ control: 'holdout' }, Number.NaN)).toEqual({ treatment: 0, control: 0 });
    expect(plannedSplit({ control: 'rest' }, 1.5)).toEqual({ treatment: 1, control: 0 });
  });
});
