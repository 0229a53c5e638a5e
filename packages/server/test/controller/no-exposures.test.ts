/**
 * A launch nobody is exposed to (an audience that matches nobody, an SDK that
 * never evaluates the flag) warns once its live phase has been quiet for the
 * server's setting: in its standing (detail and list, so the CLI and the
 * dashboard too), as a `warning` event of its log, and as a notification to the
 * plan's owner whose delivery is recorded. Looks are driven by hand on the
 * server's clock, which the test moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchStanding } from '@threshold/core';
import { startReceiver } from '../notify/receiver.js';
import type { Receiver } from '../notify/receiver.js';
import { TEST_DATABASE_URL, startTestServer } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';
import { settle, whenConfig } from './support.js';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';

const PLAN = `launch: nobody-sees
owner: growth-team
unit: userId
phases:
  - { name: canary, traffic: 20%, min_duration: 1h, min_units: 40, audience: ['country in [NL]'] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: err, guard: { max_increase_abs: 0.05 }, on_breach: rollback }
`;

const QUIET_MS = 60_000;

interface Detail {
  standing: LaunchStanding;
  notifications: { kind: string; target: string; state: string; seq: number }[];
}

const dialects = [
  { name: 'sqlite', postgres: false, skip: false },
  { name: 'postgres', postgres: true, skip: TEST_DATABASE_URL === undefined },
];

describe.each(dialects)('no exposures on $name', ({ postgres, skip }) => {
  describe.skipIf(skip)('the warning', () => {
    let t: TestServer;
    let receiver: Receiver;
    let client: ThresholdClient;
    let id = '';
    let clock = Date.now();

    beforeAll(async () => {
      receiver = await startReceiver();
      t = await startTestServer({
        postgres,
        now: () => clock,
        controller: { lookIntervalMs: 3_600_000, lookRecordIntervalMs: 3_600_000 },
        outbox: { intervalMs: 3_600_000, resolve: (target) => `${receiver.url}/${target ?? ''}` },
        projectIntervalMs: 3_600_000,
        noExposureWarningMs: QUIET_MS,
      });
      expect(
        (
          await t.call('operator', 'POST', '/api/v1/plans', PLAN, {
            'content-type': 'application/yaml',
          })
        ).status,
      ).toBe(201);
      id = (
        await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
          plan: 'nobody-sees',
        })
      ).body.launch.id;
      clock = Date.now();
      client = createClient({
        url: t.url,
        token: t.tokens.sdk,
        events: { flushIntervalMs: 50, batchSize: 1000 },
        readyTimeoutMs: 5000,
      });
      await client.ready();
    });
    afterAll(async () => {
      await client?.close();
      await t?.close();
      await receiver?.close();
    });

    const detail = async () =>
      (await t.json<Detail>('viewer', 'GET', `/api/v1/launches/${id}`)).body;
    const warnings = async () =>
      (
        await t.json<{ events: { type: string; data: { key: string; message: string } }[] }>(
          'viewer',
          'GET',
          `/api/v1/launches/${id}/events`,
        )
      ).body.events.filter((e) => e.type === 'warning');

    it('says nothing while the phase is younger than the setting', async () => {
      await t.server.controller.lookAt(id);
      const d = await detail();
      expect(d.standing.state).toBe('waiting');
      expect(d.standing.warnings).toEqual([]);
      expect(await warnings()).toEqual([]);
    });

    it('warns once the live phase was quiet that long: standing, list, log and a notification', async () => {
      clock += 2 * QUIET_MS;
      await t.server.controller.lookAt(id);
      const d = await detail();
      expect(d.standing.state).toBe('no-exposures');
      expect(d.standing.label).toBe('no exposures');
      expect(d.standing.sentence).toMatch(
        /^No exposures: no unit has seen flag nobody-sees in canary at 20% for 2m; check that the SDK evaluates the flag and that the audience matches someone\.$/,
      );
      expect(d.standing.warnings).toMatchObject([{ id: 'no-exposures', phase: 'canary' }]);
      const listed = await t.json<{ launches: { id: string; standing: LaunchStanding }[] }>(
        'viewer',
        'GET',
        '/api/v1/launches?state=no-exposures',
      );
      expect(listed.body.launches.map((l) => l.id)).toEqual([id]);
      expect(listed.body.launches[0]?.standing).toEqual(d.standing);

      const logged = await warnings();
      expect(logged).toHaveLength(1);
      expect(logged[0]?.data.key).toBe('no-exposures:canary');
      expect(d.notifications).toMatchObject([
        { kind: 'warning', target: 'growth-team', state: 'queued' },
      ]);

      // The outbox sends it to the plan's owner, and the launch's record says it was delivered.
      await t.server.outbox.drain();
      expect(receiver.received.map((r) => r.path)).toEqual(['/growth-team']);
      expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({
        text: expect.stringContaining(
          'nobody-sees: no exposures: no unit has seen flag nobody-sees',
        ),
        event: { event: 'launch.no-exposures', phase: 'canary' },
      });
      expect((await detail()).notifications).toMatchObject([
        { kind: 'warning', target: 'growth-team', state: 'delivered' },
      ]);

      // Raised once per phase: later quiet looks do not repeat it.
      await t.server.controller.lookAt(id);
      await t.server.outbox.drain();
      expect(await warnings()).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
    });

    it('clears when units arrive', async () => {
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === id) === true);
      // The audience wants a country: users from the Netherlands are exposed at last.
      for (let i = 0; i < 200; i++)
        client.evaluate('nobody-sees', { userId: `nl-${i}`, country: 'NL' });
      await settle(client, t.server);
      await t.server.controller.lookAt(id);
      const d = await detail();
      expect(d.standing.state).not.toBe('no-exposures');
      expect(d.standing.warnings).toEqual([]);
    });
  });
});
