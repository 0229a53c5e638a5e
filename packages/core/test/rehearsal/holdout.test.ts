/**
 * A holdout plan can complete. examples/payments-migration.yaml compares the
 * new service with a same-size holdout; at 100% the holdout is empty (armOf
 * gives it min(share, 1 − share)), so the last phase must be judged like a
 * 'rest' launch at 100%: no control arm, no 50/50 split expected.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rehearse } from '../../src/index.js';
import { planOf } from './fixtures.js';

const DAY = 86_400_000;

/**
 * The example with a margin a synthetic rehearsal can prove: a 0.1-point
 * payment_success margin needs weeks at the canary's share (the rehearsal's own
 * finding). Phases, shares, control and sign-offs are unchanged.
 */
function paymentsPlan() {
  let yaml = readFileSync(
    new URL('../../../../examples/payments-migration.yaml', import.meta.url),
    'utf8',
  );
  for (const [from, to] of [['max_decrease_abs: 0.001', 'max_decrease_abs: 0.02']] as const) {
    expect(yaml).toContain(from);
    yaml = yaml.replace(from, to);
  }
  return planOf(yaml);
}

describe('rehearse: a holdout plan', () => {
  it('completes payments-migration.yaml on clean synthetic traffic, through 100% without a control arm', () => {
    const plan = paymentsPlan();
    expect(plan.control).toBe('holdout');
    const report = rehearse(
      plan,
      {
        unitsPerMinute: 40_000,
        durationMs: 8 * DAY,
        baselines: {
          availability_burn: { value: 0.0001 },
          p99_write_latency: { value: 0.1 },
          reconciliation_mismatches: { value: 0.001, sd: 0.03 },
          cpu_per_request: { value: 0.01, sd: 0.005 },
          db_connections: { value: 200, sd: 20 },
          payment_success: { value: 0.99 },
        },
      },
      { runs: 5, seed: 7 },
    );
    const clean = report.clean;
    expect(clean.outcomes.completed.count).toBe(5);
    const full = clean.phases.find((p) => p.phase === 'full');
    expect(full?.entered.count).toBe(5);
    expect(full?.advanced.count).toBe(5);
    // Reaching 100% is not the end: the 3-day bake passes without a control arm.
    expect(clean.timeToComplete.medianMs).toBeGreaterThanOrEqual(
      (clean.timeToFull.medianMs ?? Infinity) + 3 * DAY,
    );
  });
});
