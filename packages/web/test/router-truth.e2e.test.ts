/**
 * Router state on every screen (issue 16): a launch whose plan moves traffic at
 * a real signed-webhook router (a local HTTP receiver), first confirmed, then
 * refused. The API's standing, `threshold launch status` (text and --json) and
 * the launch page in Chromium all say the same about the router, and what they
 * say is what the decision log's decided share and its `router` entries say.
 * The page also shows the evidence integrity the API reports (issue 17).
 */
import { integritySentence, routerSentence } from '@threshold/core';
import type { LaunchStanding, RouterStanding } from '@threshold/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HAS_CHROMIUM,
  api,
  buildDashboard,
  launchChromium,
  openPage,
  startFixture,
} from './support/dashboard-fixture.js';
import type { Fixture } from './support/dashboard-fixture.js';
// The real Prometheus the server tests start: a routed plan's KPIs must parse there before it starts.
import { HAVE_PROMETHEUS, startPrometheus } from '../../server/test/sources/prometheus-harness.js';
import type { TestPrometheus } from '../../server/test/sources/prometheus-harness.js';
import {
  routedPlan,
  startWeightsReceiver,
  webhookRouterConfig,
} from '../../server/test/routers/weights-receiver.js';
import type { WeightsReceiver } from '../../server/test/routers/weights-receiver.js';
import { threshold } from './support/run-cli.js';

const SEE = { timeout: 20_000 };
const PLAN = routedPlan('routed-web', 'mesh');

interface Detail {
  launch: { id: string; share: number; status: string; seq: number };
  standing: LaunchStanding;
  integrity: Parameters<typeof integritySentence>[0];
}
interface LogEvent {
  seq: number;
  type: string;
  data: { status?: string; traffic?: number; reason?: string };
}

if (!HAS_CHROMIUM) console.warn('router-truth browser test SKIPPED: /usr/bin/chromium is missing');

describe.skipIf(!HAS_CHROMIUM || !HAVE_PROMETHEUS)(
  'router state on every screen',
  { timeout: 120_000 },
  () => {
    let fx: Fixture;
    let browser: Browser;
    let receiver: WeightsReceiver;
    let prom: TestPrometheus;
    const tokens = { viewer: '', operator: '', sdk: '' };

    beforeAll(async () => {
      await buildDashboard();
      receiver = await startWeightsReceiver();
      prom = await startPrometheus(Number(new URL(receiver.url).port));
      fx = await startFixture({
        sources: [{ name: 'prometheus', kind: 'prometheus', url: prom.url, timeoutMs: 5000 }],
        routers: [webhookRouterConfig('mesh', receiver)],
        routerIntervalMs: 100,
      });
      tokens.viewer = await fx.token('vera-viewer', ['viewer']);
      tokens.operator = await fx.token('olivia-operator', ['operator']);
      tokens.sdk = await fx.token('router-sdk', ['sdk']);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await fx?.close();
      await prom?.close();
      await receiver?.close();
    });

    const get = async <T>(path: string) => (await api<T>(fx.url, tokens.viewer, 'GET', path)).body;

    /** The router's standing from the API once it is in `state`. */
    async function routerIn(id: string, state: RouterStanding['state']): Promise<Detail> {
      let d: Detail | undefined;
      await expect
        .poll(async () => {
          d = await get<Detail>(`/api/v1/launches/${id}`);
          return d.standing.router?.state;
        }, SEE)
        .toBe(state);
      if (d === undefined) throw new Error('no detail');
      return d;
    }

    /** The API, the CLI and the page say the same as the log's decided share and router entries. */
    async function agree(id: string, d: Detail): Promise<RouterStanding> {
      const r = d.standing.router;
      if (r === null) throw new Error('the routed launch has no router standing');
      // The log: the decided share is the launch's; applied and failed are its router entries.
      const { events } = await get<{ events: LogEvent[] }>(`/api/v1/launches/${id}/events`);
      // Only what the detail was read from: the reconciler may have written more since.
      const entries = events.filter((e) => e.type === 'router' && e.seq <= d.launch.seq);
      const applied = entries.filter((e) => e.data.status === 'applied').at(-1);
      const latest = entries.at(-1);
      expect(r.desired).toBe(d.launch.share);
      expect(r.applied?.seq).toBe(applied?.seq);
      expect(r.applied?.traffic).toBe(applied?.data.traffic);
      if (r.state === 'failing') {
        expect(latest?.data.status).toBe('failed');
        expect(r.reason).toBe(latest?.data.reason);
      } else expect(r.state === 'applied').toBe(applied?.data.traffic === d.launch.share);
      expect(r).toMatchObject({ name: 'mesh', service: 'web', kind: 'webhook' });

      const env = { THRESHOLD_URL: fx.url, THRESHOLD_TOKEN: tokens.viewer };
      const json = JSON.parse(
        (await threshold(['launch', 'status', id, '--json'], env)).stdout,
      ) as {
        standing: LaunchStanding;
      };
      expect(json.standing.router).toEqual(r);
      const { stdout: text } = await threshold(['launch', 'status', id], env);
      expect(text).toContain(`router:  ${routerSentence(r)}`);

      const opened = await openPage(browser);
      try {
        const { page } = opened;
        await page.goto(`${fx.url}/launches/${id}#token=${tokens.viewer}`);
        const line = page.locator('[data-router]');
        await expect.poll(() => line.getAttribute('data-router-state'), SEE).toBe(r.state);
        expect(await line.innerText()).toContain(routerSentence(r));
        const evidence = integritySentence(d.integrity);
        if (evidence === null) expect(await page.locator('[data-integrity]').count()).toBe(0);
        else
          await expect.poll(() => page.locator('[data-integrity]').innerText(), SEE).toBe(evidence);
        expect(opened.errors).toEqual([]);
      } finally {
        await opened.close();
      }
      return r;
    }

    it('shows the share confirmed, then refused, as the log records it; and the evidence integrity', async () => {
      const up = await api(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/plans',
        PLAN,
        'application/yaml',
      );
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      const started = await api<{ launch: { id: string } }>(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/launches',
        { plan: 'routed-web' },
      );
      expect(started.status).toBe(201);
      const id = started.body.launch.id;

      const confirmed = await agree(id, await routerIn(id, 'applied'));
      expect(confirmed.desired).toBe(0.1);
      expect(routerSentence(confirmed)).toBe(
        'Router mesh (webhook) for web: holds 10%, as decided.',
      );

      // An exposure for a phase that is not live is quarantined: the page says so, as the CLI does.
      const sent = await api(fx.url, tokens.sdk, 'POST', '/v1/events', {
        wireVersion: 1,
        sdk: { name: 'router-truth', version: '1' },
        sentAt: Date.now(),
        events: [
          {
            type: 'exposure',
            flag: 'routed-web',
            launch: id,
            unit: 'u-1',
            arm: 'treatment',
            phase: 'full',
            ts: Date.now(),
          },
        ],
      });
      expect(sent.status).toBe(202);
      let d: Detail | undefined;
      await expect
        .poll(async () => {
          d = await get<Detail>(`/api/v1/launches/${id}`);
          return integritySentence(d.integrity);
        }, SEE)
        .toMatch(/^evidence: 1 exposure quarantined/);

      // The router starts refusing; the rollback's 0% is decided but not applied.
      receiver.status = 500;
      const back = await api(fx.url, tokens.operator, 'POST', `/api/v1/launches/${id}/rollback`, {
        reason: 'router-truth',
      });
      expect(back.status).toBe(200);
      const refused = await agree(id, await routerIn(id, 'failing'));
      expect(refused.desired).toBe(0);
      expect(refused.applied?.traffic).toBe(0.1);
      expect(routerSentence(refused)).toMatch(
        /^Router mesh \(webhook\) for web: 0% decided, NOT applied \(last confirmed 10%\): .+\.$/,
      );

      // It accepts again: the log gets an applied entry and every screen follows.
      receiver.status = 200;
      const healed = await agree(id, await routerIn(id, 'applied'));
      expect(healed.applied?.traffic).toBe(0);
    });
  },
);
