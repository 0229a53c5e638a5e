/**
 * What the live tests of the shipped examples share beyond the harness: the
 * healthy run every example takes through its phases, the SDK client of the
 * example's service, and a PromQL sum.
 */
import type { Decision } from '@threshold/core';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.js';
import { EVIDENCE_MS, pause } from './example-harness.js';
import type { Example, LaunchDriver } from './example-harness.js';

/** How one shipped example is driven through its phases (driveShippedExample). */
export interface ShippedExampleRun {
  t: TestServer;
  example: Example;
  /** The launch's plan name (its `launch` slug). */
  plan: string;
  /** Who uploads and starts the launch (and holds a role it may not approve with). */
  starter: { token: string };
  /**
   * Every blocking readiness check in the file's order, each attested by a
   * holder of its owner's role (`by`) with a note: the file's evidence links
   * say where to look, not that someone looked.
   */
  attestations: readonly { check: string; owner: string; by: { token: string }; note: string }[];
  /** A role the starter holds, and a gated phase: the starter's approval must not count. */
  selfApproval: { role: string; phase: string };
  /** Starts the launch (the driver answers its sign-offs). */
  start: () => Promise<LaunchDriver>;
  /** Brings a phase's traffic; resolves to the phase's start (ms). */
  enterPhase: (driver: LaunchDriver, phase: string, traffic: number) => Promise<number>;
  /** Decision types that fail a healthy run at once. */
  failOn: readonly string[];
}

/** What a healthy run of a shipped example decided. */
export interface ShippedExampleResult {
  driver: LaunchDriver;
  /** Every decision, in order. */
  seen: Decision[];
  /** The advances and the completion. */
  moves: Decision[];
  /** Looks each phase took. */
  looks: Record<string, number>;
}

/**
 * The path every shipped example takes when healthy: uploaded, its start refused
 * until every blocking readiness check is attested by its owner, attested, started, the starter's own approval refused, then each phase looked at until it
 * advances (the last until its bake completes).
 */
export async function driveShippedExample(run: ShippedExampleRun): Promise<ShippedExampleResult> {
  const { t, example, starter } = run;
  const yaml = { 'content-type': 'application/yaml' };
  const up = await t.call(starter, 'POST', '/api/v1/plans', example.text, yaml);
  expect(up.status).toBe(201);
  // Nothing is attested yet: the start is refused, naming every blocking check.
  const refused = await t.json<{ error: { code: string; details: { blocking: unknown } } }>(
    starter,
    'POST',
    '/api/v1/launches',
    { plan: run.plan },
  );
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('LAUNCH_NOT_READY');
  expect(refused.body.error.details.blocking).toEqual(
    run.attestations.map(({ check, owner }) => ({
      check,
      owner,
      reason: `not attested by ${owner}`,
    })),
  );
  for (const { check, by, note } of run.attestations) {
    const attested = await t.call(by, 'POST', `/api/v1/plans/${run.plan}/readiness`, {
      check,
      note,
    });
    expect(attested.status).toBe(201);
  }
  const driver = await run.start();
  // allow_self_approval: false.
  const self = await t.json<{ error: { code: string } }>(
    starter,
    'POST',
    `/api/v1/launches/${driver.id}/approvals`,
    { role: run.selfApproval.role, decision: 'approve', phase: run.selfApproval.phase },
  );
  expect(self.status).toBe(403);
  expect(self.body.error.code).toBe('SELF_APPROVAL');

  const seen: Decision[] = [];
  const looks: Record<string, number> = {};
  const phases = example.plan.phases;
  const first = phases[0];
  if (first === undefined) throw new Error('a valid plan has at least one phase');
  let phaseStart = await run.enterPhase(driver, first.name, first.traffic);
  for (const [i, phase] of phases.entries()) {
    // The first look of a phase comes once its metrics could hold a verdict (see EVIDENCE_MS).
    await pause(Math.max(0, phaseStart + EVIDENCE_MS - Date.now()));
    const last = i === phases.length - 1;
    looks[phase.name] = await driver.lookUntil(
      last ? 'the bake completes' : `${phase.name} advances`,
      (o) => o.decisions.some((d) => d.type === (last ? 'complete' : 'advance')),
      // Generous: on a busy machine a phase may outlast a window of its slowest KPI, or
      // Prometheus may scrape and the events be ingested late.
      { maxLooks: 120, stop: (d) => run.failOn.includes(d.type) },
    );
    seen.push(...driver.decisions.splice(0));
    const next = phases[i + 1];
    if (next !== undefined) phaseStart = await run.enterPhase(driver, next.name, next.traffic);
  }
  console.log(`${run.plan}: looks per phase ${JSON.stringify(looks)}`);
  const moves = seen.filter((d) => d.type === 'advance' || d.type === 'complete');
  return { driver, seen, moves, looks };
}

/** The sum a PromQL instant query returns (0 when it returns nothing). */
export async function promSum(promUrl: string, query: string): Promise<number> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}

/**
 * A ready SDK client for the example's service, on a token of its own named
 * `name` that may place a million units a minute (a busy product places more
 * than the default 10,000); `maxBuffer` events may wait to be sent.
 */
export async function exampleClient(
  t: TestServer,
  name: string,
  maxBuffer: number,
): Promise<ThresholdClient> {
  const token = await t.json<{ token: string }>('admin', 'POST', '/api/v1/tokens', {
    name,
    scopes: ['sdk'],
    maxUnitsPerMinute: 1_000_000,
  });
  expect(token.status).toBe(201);
  const client = createClient({
    url: t.url,
    token: token.body.token,
    events: { flushIntervalMs: 100, batchSize: 1000, maxBuffer },
    readyTimeoutMs: 10_000,
  });
  await client.ready();
  return client;
}
