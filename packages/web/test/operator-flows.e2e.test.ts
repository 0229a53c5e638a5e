/**
 * Operator flows of issue 19 in real Chromium against a real server with two
 * environments (production requires staging): upload a plan and start a launch
 * from the dashboard, a production start refused until staging completed,
 * promote, amend, roll back and retry (the lineage on the page), and the
 * environment picker of the launch list.
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
    await page.getByRole('button', { name: 'Amend plan…' }).click();
    await page.getByLabel(/Plan version to run/).fill('2');
    await page.getByLabel(/Why amend the plan\?/).fill('a longer final phase');
    await page.getByRole('button', { name: 'Amend plan now' }).click();
    await page.getByRole('link', { name: 'flows@2' }).waitFor(SEE);
    await page.getByText('Plan amended: version 1 → 2 (1 change)').first().waitFor(SEE);

    // The list, per environment.
    await page.getByRole('link', { name: 'Launches', exact: true }).click();
    await page.locator('tr[data-launch]').first().waitFor(SEE);
    expect(await page.locator('tr[data-launch]').count()).toBe(3);
    await page.getByLabel('Environment').selectOption('staging');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-launch]').length === 1);
    expect(await page.locator('tr[data-launch] [data-environment]').textContent()).toBe('staging');
    await page.getByLabel('Environment').selectOption('production');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-launch]').length === 2);
    // The refusals above are 409 answers, which Chromium logs; nothing else may be.
    expect(errors.filter((e) => !e.includes('status of 409'))).toEqual([]);
    await close();
  });
});
