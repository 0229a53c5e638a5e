/**
 * A holdout launch (`control: holdout`) walks to complete against a real
 * server: real SDK bucketing, ingested events, real aggregates. Below 100% the
 * holdout is a same-size slice and the split check expects it; at 100% armOf
 * leaves no holdout, so the last phase is judged like a 'rest' launch at 100%
 * (no control arm, comparisons not comparable) instead of waiting forever for
 * a 50/50 split and control units that cannot exist.
 */
import type { ThresholdClient } from '@threshold/sdk';
import type { LookOutcome } from '@threshold/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';
import { driveUsers, pause, settle, startIdleController, whenConfig } from './support.js';

const FLAG = 'holdout-checkout';

/** Two short phases against a same-size holdout; min_units in the last phase too. */
const HOLDOUT_PLAN = `launch: holdout-checkout
owner: checkout-team
unit: userId
control: holdout
phases:
  - { name: canary, traffic: 20%, min_duration: 1s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s, min_units: 40 }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 50% }, on_breach: pause }
`;

const dialects = [
  { name: 'sqlite', postgres: false, skip: false },
  { name: 'postgres', postgres: true, skip: TEST_DATABASE_URL === undefined },
];

describe.each(dialects)('controller on $name: a holdout launch', ({ postgres, skip }) => {
  describe.skipIf(skip)('walks to complete', () => {
    let t: TestServer;
    let client: ThresholdClient;

    beforeAll(async () => {
      ({ t, client } = await startIdleController({ postgres, plan: HOLDOUT_PLAN }));
    });
    afterAll(async () => {
      await client?.close();
      await t?.close();
    });

    async function lookUntil(id: string, done: (o: LookOutcome) => boolean): Promise<LookOutcome> {
      let last: LookOutcome | undefined;
      for (let i = 0; i < 20; i++) {
        last = await t.server.controller.lookAt(id);
        if (last === undefined) throw new Error(`launch ${id} is not active`);
        if (done(last)) return last;
        await pause(250);
      }
      throw new Error(
        `no such look; the last: ${last?.look.summary} ${JSON.stringify(last?.look.conditions)}`,
      );
    }

    it('advances on a same-size holdout, then completes at 100% with no control arm', async () => {
      const res = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
        plan: FLAG,
      });
      expect(res.status).toBe(201);
      const id = res.body.launch.id;
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === id) === true);

      // 20%: a fifth of the users in treatment, a fifth in the holdout, the rest not in the launch.
      const seen = driveUsers(client, FLAG, { prefix: `h-${id}`, count: 1500 }, (unit, _t, i) => {
        client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      });
      expect(seen.treatment).toBeGreaterThan(200);
      expect(seen.control).toBeGreaterThan(200);
      expect(seen.treatment + seen.control).toBeLessThan(1000);
      await settle(client, t.server);
      await pause(1100); // the canary's min_duration of 1s

      const traffic = whenConfig(
        client,
        (c) => c.config?.flags.find((f) => f.key === FLAG)?.traffic === 10_000,
      );
      const advanced = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'advance'));
      const advance = advanced.decisions.find((d) => d.type === 'advance');
      expect(advance).toMatchObject({ from: 0, to: 1, toPhase: 'full', traffic: 1 });
      expect(advance?.evidence.guards?.map((g) => g.verdict)).toEqual(['pass']);
      // The split checked against the holdout the SDK assigns: 20% and 20%.
      expect(advance?.evidence.srm).toMatchObject({
        healthy: true,
        expectedShare: { treatment: 0.2, control: 0.2 },
        observed: seen,
      });
      await traffic;

      // 100%: everyone is in treatment; there is no holdout left, so the bake compares
      // with the holdout of the canary, the baseline.
      const full = driveUsers(client, FLAG, { prefix: `hf-${id}`, count: 150 }, (unit) => {
        client.track(unit, 'latency_ms', 101);
      });
      expect(full).toEqual({ treatment: 150, control: 0 });
      await settle(client, t.server);
      await pause(1100);
      const completed = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'complete'));
      const complete = completed.decisions.find((d) => d.type === 'complete');
      expect(complete?.reason).toMatch(
        /1 of 1 guards pass \(comparisons against the control arm of canary\)/,
      );
      expect(complete?.evidence.guards?.[0]?.comparison?.baseline).toBe('canary');
      expect(complete?.evidence.srm).toMatchObject({
        healthy: true,
        expectedShare: { treatment: 1, control: 0 },
      });
      expect(completed.look.status).toBe('completed');
      expect(await t.server.store.getLaunch(id)).toMatchObject({ status: 'completed' });
      const log = await t.server.store.listLaunchEvents(id);
      expect(
        log.filter((e) => e.type === 'decision').map((e) => (e.data as { type: string }).type),
      ).toEqual(['advance', 'complete']);
    });
  });
});
