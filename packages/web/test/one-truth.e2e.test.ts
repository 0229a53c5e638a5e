/**
 * One truth on every screen (issue 17): for a rolled-back, a paused, a
 * completed and a waiting-for-sign-off launch, decided by the real controller
 * on real SDK traffic, the dashboard's badge and status sentence (in Chromium),
 * the last point its charts draw, the launch list and `threshold launch status
 * --json` all agree with each other and with the launch's decision log.
 *
 * Looks are recorded only when something changes here (a decision, another
 * state), so the last recorded look of each launch is the look that decided.
 */
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import type { LaunchStanding } from '@threshold/core';
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
import { driveUsers, waitFor, whenConfig } from './support/drive-launch.js';
import { threshold } from './support/run-cli.js';

const SEE = { timeout: 20_000 };

const healthy = `kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: err, guard: { max_increase_abs: 0.2 }, on_breach: rollback }
`;

const PLANS = {
  rollback: `launch: truth-rollback
owner: search-team
unit: userId
phases:
  - { name: canary, traffic: 50%, min_duration: 1h, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: err, guard: { max_increase_abs: 0.05 }, on_breach: notify }
risks:
  - { id: R7, title: Ranking service errors under load, likelihood: 4, impact: 4, owner: search-oncall, watch: [error_rate], contingency: [rollback, { notify: search-oncall }] }
`,
  pause: `launch: truth-pause
owner: web-team
unit: userId
phases:
  - { name: canary, traffic: 50%, min_duration: 1h, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 10% }, on_breach: pause }
`,
  complete: `launch: truth-complete
owner: web-team
unit: userId
phases:
  - { name: canary, traffic: 50%, min_duration: 1s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s, min_units: 40 }
${healthy}`,
  signoff: `launch: truth-signoff
owner: web-team
unit: userId
phases:
  - { name: canary, traffic: 50%, min_duration: 1s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1h, signoff: [product] }
${healthy}signoff:
  roles: { product: 1 }
`,
} as const;

type Case = keyof typeof PLANS;

/** What each launch must come to, and the decision of its log that says so. */
const EXPECT: Record<Case, { state: LaunchStanding['state']; decision: string; sentence: RegExp }> =
  {
    rollback: {
      state: 'rolled-back',
      decision: 'rollback',
      sentence:
        /^Rolled back to 0% in canary by the contingency of risk R7 \(Ranking service errors under load\): error_rate \+[\d.]+ \[\+[\d.]+, \+[\d.]+\] > 0\.05\.$/,
    },
    pause: {
      state: 'paused',
      decision: 'pause',
      sentence: /^Paused in canary by the on_breach of latency: latency \+[\d.]+% \[/,
    },
    complete: {
      state: 'completed',
      decision: 'complete',
      sentence:
        /^Completed: fully live at 100% after \d+s in full; 1 of 1 guard passes against the control arm of canary\.$/,
    },
    signoff: {
      state: 'waiting-for-signoff',
      decision: 'request-signoff',
      sentence: /^Waiting for sign-off to enter full: product 0\/1\.$/,
    },
  };

interface Detail {
  launch: { id: string; status: string };
  standing: LaunchStanding;
  notifications: { kind: string; target: string; state: string; seq: number; error: string }[];
}
interface Look {
  seq: number;
  at: number;
  state: string;
  status: string;
  kpis: { kpi: string; verdict: string }[];
}
interface LogEvent {
  seq: number;
  type: string;
  actor: string;
  data: { type?: string; at?: number; phase?: string; reason?: string };
}

if (!HAS_CHROMIUM) {
  console.warn('one-truth browser tests SKIPPED: /usr/bin/chromium is missing');
}

describe.skipIf(!HAS_CHROMIUM)('one truth on every screen', { timeout: 120_000 }, () => {
  let fx: Fixture;
  let browser: Browser;
  let client: ThresholdClient;
  const tokens = { viewer: '', operator: '', sdk: '' };
  const ids = {} as Record<Case, string>;

  const get = async <T>(path: string) => (await api<T>(fx.url, tokens.viewer, 'GET', path)).body;
  const detail = (id: string) => get<Detail>(`/api/v1/launches/${id}`);

  beforeAll(async () => {
    await buildDashboard();
    fx = await startFixture({
      // A look is recorded when it decides or says something new, never just because time passed.
      controller: { lookIntervalMs: 250, lookRecordIntervalMs: 3_600_000 },
      // Notifications go through the real outbox; no target has a URL, so each is "not configured".
      outbox: { intervalMs: 100, resolve: () => undefined },
    });
    tokens.viewer = await fx.token('vera-viewer', ['viewer']);
    tokens.operator = await fx.token('olivia-operator', ['operator']);
    tokens.sdk = await fx.token('truth-sdk', ['sdk']);
    client = createClient({
      url: fx.url,
      token: tokens.sdk,
      events: { flushIntervalMs: 50, batchSize: 1000 },
      readyTimeoutMs: 5000,
    });
    await client.ready();
    for (const name of Object.keys(PLANS) as Case[]) {
      const up = await api(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/plans',
        PLANS[name],
        'application/yaml',
      );
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      const res = await api<{ launch: { id: string } }>(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/launches',
        { plan: `truth-${name}` },
      );
      expect(res.status).toBe(201);
      const id = res.body.launch.id;
      ids[name] = id;
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === id) === true);
    }
    const users = { count: 800 };
    // rollback: a third of treatment users hit errors, 1% of control users.
    driveUsers(client, 'truth-rollback', { prefix: 'r', ...users }, (unit, treatment, i) => {
      if (treatment ? i % 3 === 0 : i % 100 === 0) client.track(unit, 'err');
    });
    // pause: treatment is twice as slow.
    driveUsers(client, 'truth-pause', { prefix: 'p', ...users }, (unit, treatment, i) => {
      client.track(unit, 'latency_ms', (treatment ? 200 : 100) + (i % 7));
    });
    for (const name of ['complete', 'signoff'] as const)
      driveUsers(client, `truth-${name}`, { prefix: name, ...users }, (unit, _t, i) => {
        if (i % 100 === 0) client.track(unit, 'err');
      });
    await client.flush();
    // complete: at 100% it needs units of its own, judged against the canary's control arm.
    await waitFor(
      'complete to reach full',
      () => detail(ids.complete),
      (d) => d.standing.phase === 'full',
    );
    await whenConfig(
      client,
      (c) => c.config?.flags.find((f) => f.launch === ids.complete)?.phase === 'full',
    );
    driveUsers(client, 'truth-complete', { prefix: 'complete-full', count: 300 }, (unit, _t, i) => {
      if (i % 100 === 0) client.track(unit, 'err');
    });
    await client.flush();
    for (const name of Object.keys(PLANS) as Case[])
      await waitFor(
        `${name} to become ${EXPECT[name].state}`,
        () => detail(ids[name]),
        (d) => d.standing.state === EXPECT[name].state,
      );
    // The rollback's notification has an outcome.
    await waitFor(
      'the rollback notification to settle',
      () => detail(ids.rollback),
      (d) => d.notifications.some((n) => n.state !== 'queued'),
    );
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await fx?.close();
  });

  it('a sign-in link opened in a tab already at / signs in (the fragment alone changes)', async () => {
    const opened = await openPage(browser);
    const { page } = opened;
    await page.goto(`${fx.url}/#token=${tokens.viewer}`);
    await page.getByText('signed in as').waitFor(SEE);
    expect(await page.locator('header').innerText()).toContain('vera-viewer');
    // Same tab, same page: only the fragment changes, so the browser does not load the page again.
    await page.goto(`${fx.url}/#token=${tokens.operator}`);
    await expect.poll(() => page.locator('header').innerText(), SEE).toContain('olivia-operator');
    expect(page.url()).not.toContain('token');
    await opened.close();
  });

  it.each(Object.keys(PLANS) as Case[])(
    '%s: the badge, the status sentence, the charts’ last point, the list and launch status --json agree with the decision log',
    async (name) => {
      const id = ids[name];
      const want = EXPECT[name];
      const d = await detail(id);
      const { events } = await get<{ events: LogEvent[] }>(`/api/v1/launches/${id}/events`);
      const { looks } = await get<{ looks: Look[] }>(`/api/v1/launches/${id}/looks`);

      // The decision log: the latest decision that changed where the launch stands.
      const changes = events.filter(
        (e) => e.type === 'decision' && e.data.type !== 'notify' && e.data.type !== 'webhook',
      );
      const deciding = changes[changes.length - 1];
      expect(deciding?.data.type).toBe(want.decision);
      const decidedAt = deciding?.data.at ?? NaN;

      // The look that decided is recorded right after the decision, and it is the last one.
      const last = looks[looks.length - 1];
      expect(last?.at).toBe(decidedAt);
      expect(last?.seq).toBeGreaterThan(deciding?.seq ?? Infinity);
      expect(events.filter((e) => e.type === 'look').at(-1)?.seq).toBe(last?.seq);

      // The server's standing says the same.
      const s = d.standing;
      expect(s.state).toBe(want.state);
      expect(s.sentence).toMatch(want.sentence);
      expect(s.decision?.seq).toBe(deciding?.seq);
      expect(s.look?.seq).toBe(last?.seq);
      const verdicts = new Map(last?.kpis.map((k) => [k.kpi, k.verdict]));
      for (const k of s.kpis)
        if (k.verdict !== 'not-comparable') expect(k.verdict).toBe(verdicts.get(k.kpi));
      if (name === 'rollback' || name === 'pause') expect(s.health).toBe('breach');
      else expect(s.health).toBe('pass');
      if (name === 'rollback' || name === 'complete') expect(s.next).toBeNull();

      // `threshold launch status --json` prints that standing and that look.
      const env = { THRESHOLD_URL: fx.url, THRESHOLD_TOKEN: tokens.viewer };
      const cli = await threshold(['launch', 'status', id, '--json'], env);
      expect(cli.stderr).toBe('');
      const view = JSON.parse(cli.stdout) as { standing: LaunchStanding; look: Look | null };
      expect(view.standing).toEqual(s);
      expect(view.look?.seq).toBe(last?.seq);
      const { stdout: text } = await threshold(['launch', 'status', id], env);
      expect(text).toContain(`why:     ${s.sentence}`);
      expect(text).toContain(`state:   ${s.label} (health: ${s.healthText})`);

      // The launch page in Chromium: badge, health, sentence and the charts' data.
      const opened = await openPage(browser);
      const { page } = opened;
      await page.goto(`${fx.url}/launches/${id}#token=${tokens.viewer}`);
      const head = page.locator('header.page-head');
      await expect
        .poll(() => head.locator('[data-standing]').getAttribute('data-standing'), SEE)
        .toBe(want.state);
      expect(await head.locator('[data-health]').getAttribute('data-health')).toBe(s.health);
      expect(await page.locator('p[data-status-line]').innerText()).toBe(s.sentence);
      const charts = page.locator('.charts');
      await expect
        .poll(() => charts.getAttribute('data-last-look-seq'), SEE)
        .toBe(String(last?.seq));
      expect(await charts.getAttribute('data-last-look-at')).toBe(String(decidedAt));
      // The decision log's newest change is the deciding decision.
      const newest = page.locator(`li[data-seq="${deciding?.seq}"]`);
      expect(await newest.getAttribute('data-decision')).toBe(want.decision);
      if (name === 'rollback') {
        // The notification the contingency asked for went nowhere, and the page says so.
        const entry = page.locator('li[data-decision="notify"]').filter({
          has: page.locator('summary strong', { hasText: /^Notify search-oncall$/ }),
        });
        const notify = entry.locator('summary [data-delivery]');
        await expect.poll(() => notify.getAttribute('data-delivery'), SEE).toBe('not-configured');
        expect(await notify.innerText()).toContain(
          "not sent: no URL for notify target 'search-oncall'",
        );
        expect(await entry.innerText()).not.toContain('Notified');
        // The reason is not repeated: the sentence, then the log's own entry, once each.
        const body = await page.locator('main').innerText();
        expect(body.split('rolling back to 0%').length - 1).toBeLessThanOrEqual(1);
        expect(body).not.toMatch(/\(\([^)]*\)\)/);
      }

      // The launch list says the same.
      await page.goto(`${fx.url}/#token=${tokens.viewer}`);
      const row = page.locator(`tr[data-launch="${id}"]`);
      await expect
        .poll(() => row.locator('[data-standing]').getAttribute('data-standing'), SEE)
        .toBe(want.state);
      expect(await row.locator('[data-health]').getAttribute('data-health')).toBe(s.health);
      expect(await row.locator('[data-status-line]').innerText()).toBe(s.sentence);
      await opened.close();
    },
  );
});
