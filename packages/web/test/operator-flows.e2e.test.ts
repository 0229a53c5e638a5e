/**
 * Operator flows of issue 19 in real Chromium against a real server with two
 * environments (production requires staging): upload a plan and start a launch
 * from the dashboard, a production start refused until staging completed,
 * promote, amend (refused until the new version completed in staging), roll
 * back and retry (the lineage on the page), the environment picker of the
 * launch list, a skip refused past a required sign-off and then allowed, and a
 * scheduled start that shows its time and then starts.
 */
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

const SEE = { timeout: 20_000 };

const PLAN = `launch: flows
owner: web
unit: userId
phases:
  - { name: canary, traffic: 1%, min_duration: 1h }
  - { name: early, traffic: 10%, min_duration: 1h }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: flows_error, guard: { max_increase: 10% }, on_breach: rollback }
`;

/** canary → early (needs product) → full. */
const GATED = `launch: gated-flows
owner: web
unit: userId
phases:
  - { name: canary, traffic: 1%, min_duration: 1h }
  - { name: early, traffic: 10%, min_duration: 1h, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: gated_error, guard: { max_increase: 10% }, on_breach: rollback }
signoff:
  roles: { product: 1 }
`;

describe.skipIf(!HAS_CHROMIUM)('operator flows in Chromium', { timeout: 120_000 }, () => {
  let fx: Fixture;
  let browser: Browser;
  let operator = '';

  beforeAll(async () => {
    await buildDashboard();
    fx = await startFixture({
      environments: { staging: {}, production: { requires: { environment: 'staging' } } },
    });
    operator = await fx.token('olivia-operator', ['operator']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  it('uploads a plan, starts in staging (production refused first), promotes, amends, retries, picks an environment', async () => {
    const { page, errors, close } = await openPage(browser);
    await page.goto(`${fx.url}/plans#token=${operator}`);
    await page.getByText('signed in as').waitFor(SEE);

    // Upload from the dashboard: lands on the plan's page.
    await page.getByLabel('Upload a plan version (YAML or JSON)').fill(PLAN);
    await page.getByRole('button', { name: 'Upload plan' }).click();
    await page.getByRole('heading', { name: 'Plan flows' }).waitFor(SEE);

    // Production first: refused by the promotion policy, naming what is missing.
    await page.getByLabel('Environment').selectOption('production');
    await page.getByRole('button', { name: 'Start v1 in production' }).click();
    await page
      .getByRole('alert')
      .getByText('production requires plan flows@1 to complete in staging first')
      .waitFor(SEE);
    const none = await api<{ launches: unknown[] }>(fx.url, operator, 'GET', '/api/v1/launches');
    expect(none.body.launches).toEqual([]);

    // Staging: starts, and the page says where.
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByRole('button', { name: 'Start v1 in staging' }).click();
    await page.locator('[data-environment]').getByText('staging').waitFor(SEE);

    // Promote twice: early, then full.
    for (const phase of ['early', 'full']) {
      await page.getByRole('button', { name: 'Promote…' }).click();
      await page.getByLabel(/Why promote now\?/).fill(`checked ${phase} by hand`);
      await page.getByRole('button', { name: 'Promote now' }).click();
      await page.locator('.facts-line strong').getByText(phase, { exact: true }).waitFor(SEE);
    }
    await page.getByRole('button', { name: 'Promote…' }).click();
    await page.getByLabel(/Why promote now\?/).fill('fully live');
    await page.getByRole('button', { name: 'Promote now' }).click();
    await page.getByText('The launch has ended: no actions left.').waitFor(SEE);

    // Now production starts.
    await page.getByRole('link', { name: 'flows@1' }).click();
    await page.getByLabel('Environment').selectOption('production');
    await page.getByRole('button', { name: 'Start v1 in production' }).click();
    await page.locator('[data-environment]').getByText('production').waitFor(SEE);
    const prodId = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';

    // Roll back, then retry: a new attempt with its lineage.
    await page.getByRole('button', { name: 'Roll back…' }).click();
    await page.getByLabel(/Why roll back\?/).fill('bad numbers');
    await page.getByRole('button', { name: 'Roll back now' }).click();
    await page.getByRole('button', { name: 'Retry…' }).click();
    await page.getByLabel(/Why retry as a new attempt\?/).fill('fixed');
    await page.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('[data-lineage]').getByText('Attempt 2 of 2').waitFor(SEE);
    expect(await page.locator('[data-lineage]').textContent()).toContain(prodId);

    // Amend to a new version uploaded through the API.
    const v2 = await api<{ version: number }>(
      fx.url,
      operator,
      'POST',
      '/api/v1/plans',
      PLAN.replace(
        '{ name: full, traffic: 100%, min_duration: 1h }',
        '{ name: full, traffic: 100%, min_duration: 2h }',
      ),
      'application/yaml',
    );
    expect(v2.body.version).toBe(2);
    // Refused first: version 2 has not completed in staging, and the page says so.
    await page.getByRole('button', { name: 'Amend plan…' }).click();
    await page.getByLabel(/Plan version to run/).fill('2');
    await page.getByLabel(/Why amend the plan\?/).fill('a longer final phase');
    await page.getByRole('button', { name: 'Amend plan now' }).click();
    await page
      .getByRole('alert')
      .getByText('production requires plan flows@2 to complete in staging first')
      .waitFor(SEE);
    // Version 2 completes in staging (through the API), then the amendment goes through.
    const staged = await api<{ launch: { id: string } }>(
      fx.url,
      operator,
      'POST',
      '/api/v1/launches',
      { plan: 'flows', version: 2, environment: 'staging' },
    );
    expect(staged.status).toBe(201);
    for (let i = 0; i < 3; i++)
      expect(
        (
          await api(fx.url, operator, 'POST', `/api/v1/launches/${staged.body.launch.id}/promote`, {
            reason: 'staging run',
          })
        ).status,
      ).toBe(200);
    await page.getByRole('button', { name: 'Amend plan now' }).click();
    await page.getByRole('link', { name: 'flows@2' }).waitFor(SEE);
    await page.getByText('Plan amended: version 1 → 2 (1 change)').first().waitFor(SEE);

    // The list, per environment.
    await page.getByRole('link', { name: 'Launches', exact: true }).click();
    await page.locator('tr[data-launch]').first().waitFor(SEE);
    expect(await page.locator('tr[data-launch]').count()).toBe(4);
    await page.getByLabel('Environment').selectOption('staging');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-launch]').length === 2);
    expect(await page.locator('tr[data-launch] [data-environment]').allTextContents()).toEqual([
      'staging',
      'staging',
    ]);
    await page.getByLabel('Environment').selectOption('production');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-launch]').length === 2);
    // The refusals above are 409 answers, which Chromium logs; nothing else may be.
    expect(errors.filter((e) => !e.includes('status of 409'))).toEqual([]);
    await close();
  });

  it('refuses a skip past a required sign-off with the reason shown, then skips once approved', async () => {
    const approver = await fx.token('pat-product', ['approver:product']);
    expect(
      (await api(fx.url, operator, 'POST', '/api/v1/plans', GATED, 'application/yaml')).status,
    ).toBe(201);
    const started = await api<{ launch: { id: string } }>(
      fx.url,
      operator,
      'POST',
      '/api/v1/launches',
      {
        plan: 'gated-flows',
        environment: 'staging',
      },
    );
    expect(started.status).toBe(201);
    const id = started.body.launch.id;
    const { page, errors, close } = await openPage(browser);
    await page.goto(`${fx.url}/launches/${id}#token=${operator}`);
    await page.getByText('signed in as').waitFor(SEE);

    await page.getByRole('button', { name: 'Skip next phase…' }).click();
    await page.getByLabel(/Why skip the next phase\?/).fill('early adds nothing here');
    await page.getByRole('button', { name: 'Skip next phase now' }).click();
    await page
      .getByRole('alert')
      .getByText('cannot skip: blocked by the sign-off for early (product 0/1)')
      .waitFor(SEE);
    await page.locator('.facts-line strong').getByText('canary', { exact: true }).waitFor(SEE);

    expect(
      (
        await api(fx.url, approver, 'POST', `/api/v1/launches/${id}/approvals`, {
          role: 'product',
          decision: 'approve',
        })
      ).status,
    ).toBe(201);
    await page.getByRole('button', { name: 'Skip next phase now' }).click();
    await page.locator('.facts-line strong').getByText('full', { exact: true }).waitFor(SEE);
    await page.getByText('Skipped early: advanced canary → full (100%)').first().waitFor(SEE);
    expect(errors.filter((e) => !e.includes('status of 409'))).toEqual([]);
    await close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('a scheduled start in Chromium', { timeout: 120_000 }, () => {
  let fx: Fixture;
  let browser: Browser;
  let operator = '';
  // The server's clock, moved by the test: the schedule is an hour ahead of it.
  const clock = { now: Date.UTC(2026, 11, 7, 10) };

  beforeAll(async () => {
    await buildDashboard();
    fx = await startFixture({ now: () => clock.now });
    operator = await fx.token('olivia-operator', ['operator']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  it('shows the scheduled time at 0%, then starts the first phase when it comes', async () => {
    expect(
      (await api(fx.url, operator, 'POST', '/api/v1/plans', PLAN, 'application/yaml')).status,
    ).toBe(201);
    const { page, errors, close } = await openPage(browser);
    await page.goto(`${fx.url}/plans/flows#token=${operator}`);
    await page.getByRole('heading', { name: 'Plan flows' }).waitFor(SEE);

    const startAt = clock.now + 3_600_000;
    // datetime-local is the browser's wall clock: write the instant in its zone.
    const local = await page.evaluate(
      (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16),
      startAt,
    );
    await page.getByLabel('Start at (optional)').fill(local);
    await page.getByRole('button', { name: 'Start v1 in production' }).click();
    await page.getByText('Scheduled to start at 2026-12-07T11:00Z').first().waitFor(SEE);
    const id = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
    const before = await api<{ launch: { share: number } }>(
      fx.url,
      operator,
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(before.body.launch.share).toBe(0);

    clock.now = startAt + 60_000;
    await page
      .getByText(/→ canary \(1%\)/)
      .first()
      .waitFor(SEE);
    const after = await api<{ launch: { share: number; phase: string } }>(
      fx.url,
      operator,
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(after.body.launch).toMatchObject({ phase: 'canary', share: 0.01 });
    expect(errors).toEqual([]);
    await close();
  });
});
