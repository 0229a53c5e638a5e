/** Helpers of the controller tests: plans, simulated users through a real SDK client, and waiting for projection. */
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import type { RunningServer } from '@threshold/server';
import { expect } from 'vitest';
import { startTestServer } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';

/**
 * A real server whose controller loop stays idle (first tick in an hour) so tests
 * look by hand, with `plan` uploaded and a ready SDK client on its stream.
 */
export async function startIdleController(options: {
  postgres: boolean;
  plan: string;
}): Promise<{ t: TestServer; client: ThresholdClient }> {
  const t = await startTestServer({
    postgres: options.postgres,
    controller: { lookIntervalMs: 3_600_000, lookRecordIntervalMs: 3_600_000 },
    outbox: false,
    projectIntervalMs: 3_600_000,
  });
  const up = await t.call('operator', 'POST', '/api/v1/plans', options.plan, {
    'content-type': 'application/yaml',
  });
  expect(up.status).toBe(201);
  const client = createClient({
    url: t.url,
    token: t.tokens.sdk,
    events: { flushIntervalMs: 50, batchSize: 1000 },
    readyTimeoutMs: 5000,
  });
  await client.ready();
  return { t, client };
}

/** Two short phases; latency may not grow 50%, errors roll back beyond 5 points. */
export const FAST_PLAN = `launch: fast-checkout
owner: checkout-team
unit: userId
phases:
  - { name: canary, traffic: 20%, min_duration: 1s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 50% }, on_breach: pause }
    - name: error_rate
      kind: occurrence
      event: checkout_error
      guard: { max_increase_abs: 0.05 }
      on_breach: [rollback, { notify: checkout-oncall }]
      on_insufficient: wait
risks:
  - id: R1
    title: Payment timeouts
    likelihood: 2
    impact: 4
    owner: payments
    watch: [error_rate]
    contingency: [rollback, { webhook: 'http://127.0.0.1:9/hook' }]
`;

/** A latency breach asks product before the launch may advance (the next phase needs no sign-off). */
export const ASK_PLAN = `launch: ask-checkout
owner: checkout-team
unit: userId
phases:
  - { name: canary, traffic: 20%, min_duration: 1h, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 10% }, on_breach: { ask: [product] } }
signoff:
  roles: { product: 1 }
`;

/** Simulated users: each is evaluated once, and `behave` tracks what it did. */
export function driveUsers(
  client: ThresholdClient,
  flag: string,
  users: { prefix: string; count: number },
  behave: (unit: string, treatment: boolean, i: number) => void,
): { treatment: number; control: number } {
  const seen = { treatment: 0, control: 0 };
  for (let i = 0; i < users.count; i++) {
    const unit = `${users.prefix}-${i}`;
    const detail = client.evaluate(flag, { userId: unit });
    if (detail.arm !== 'treatment' && detail.arm !== 'control') continue;
    seen[detail.arm]++;
    behave(unit, detail.arm === 'treatment', i);
  }
  return seen;
}

/** Send what the client holds and fold it into aggregates. */
export async function settle(client: ThresholdClient, server: RunningServer): Promise<void> {
  await client.flush();
  while ((await server.store.project()) > 0) {
    // fold until the backlog is empty
  }
}

/** Resolve when `predicate` holds for the client's config (checked on every change). */
export function whenConfig(
  client: ThresholdClient,
  predicate: (c: ThresholdClient) => boolean,
): Promise<void> {
  if (predicate(client)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on('change', () => {
      if (!predicate(client)) return;
      off();
      resolve();
    });
  });
}

/** Wait at least `ms` (for a plan's minimum duration to pass; never an assertion on time). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
