/**
 * The dashboard in real Chromium against a real server: launches created
 * through the API, driven by a real SDK client, decided by the real controller.
 * Each test asserts what a person sees on the screen, and saves screenshots of
 * the main pages to docs/screenshots/.
 */
import { join } from 'node:path';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_V1, CHECKOUT_V2, SEARCH_V3 } from './support/demo-plans.js';
import {
  HAS_CHROMIUM,
  SCREENSHOTS,
  api,
  buildDashboard,
  launchChromium,
  openPage,
  startFixture,
} from './support/dashboard-fixture.js';
import type { Fixture } from './support/dashboard-fixture.js';
import { driveUsers, waitFor, whenConfig } from './support/drive-launch.js';

if (!HAS_CHROMIUM) {
  console.warn(
    'dashboard browser tests SKIPPED: /usr/bin/chromium is missing (apt-get install chromium)',
  );
}

/** How long to keep looking for something to appear on a page (a wait, not a time limit under test). */
const SEE = { timeout: 20_000 };

interface Overview {
  id: string;
  status: string;
  phase: string;
  pendingSignoffs: { role: string }[];
  standing: { state: string; sentence: string };
}

describe.skipIf(!HAS_CHROMIUM)('the dashboard in Chromium', { timeout: 90_000 }, () => {
  let fx: Fixture;
  let browser: Browser;
  let client: ThresholdClient;
  const tokens = { viewer: '', operator: '', product: '', sdk: '' };
  let checkout = '';
  let search = '';

  const launches = async () =>
    (
      await api<{ launches: Overview[] }>(
        fx.url,
        tokens.viewer,
        'GET',
        '/api/v1/dashboard/launches',
      )
    ).body.launches;
  const launch = async (id: string) => (await launches()).find((l) => l.id === id);

  /** Opens the dashboard signed in through a sign-in link, at `path`. */
  async function signedIn(token: string, path = '/') {
    const opened = await openPage(browser);
    await opened.page.goto(`${fx.url}${path}#token=${token}`);
    await opened.page.getByText('signed in as').waitFor();
    return opened;
  }

  beforeAll(async () => {
    await buildDashboard();
    // The real outbox, with no URL for any target: the page shows each notification went nowhere.
    fx = await startFixture({ outbox: { intervalMs: 100, resolve: () => undefined } });
    tokens.viewer = await fx.token('vera-viewer', ['viewer']);
    tokens.operator = await fx.token('olivia-operator', ['operator']);
    tokens.product = await fx.token('pat-product', ['approver:product']);
    tokens.sdk = await fx.token('demo-sdk', ['sdk']);
    for (const source of [CHECKOUT_V1, CHECKOUT_V2, SEARCH_V3]) {
      const up = await api(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/plans',
        source,
        'application/yaml',
      );
      expect(up.status).toBe(201);
    }
    client = createClient({
      url: fx.url,
      token: tokens.sdk,
      events: { flushIntervalMs: 50, batchSize: 1000 },
      readyTimeoutMs: 5000,
    });
    await client.ready();

    const start = async (plan: string) => {
      const res = await api<{ launch: { id: string } }>(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/launches',
        { plan },
      );
      expect(res.status).toBe(201);
      const id = res.body.launch.id;
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === id) === true);
      return id;
    };
    search = await start('search-v3');
    checkout = await start('checkout-v2');

    // search-v3: a third of treatment users hit errors, 1% of control users.
    driveUsers(client, 'search-v3', { prefix: 'search', count: 1500 }, (unit, treatment, i) => {
      client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      if (treatment ? i % 3 === 0 : i % 100 === 0) client.track(unit, 'search_error');
    });
    // checkout-v2: healthy in both arms, with users enough that every guard passes in the
    // canary whatever split the launch's random salt gives (1,500 left conversion short of
    // evidence in some runs, and the launch then waited for evidence that never came).
    driveUsers(client, 'checkout-v2', { prefix: 'checkout', count: 3000 }, (unit, _t, i) => {
      client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      if (i % 100 === 0) client.track(unit, 'checkout_error');
      if (i % 4 === 0) client.track(unit, 'purchase');
    });
    await client.flush();
    await waitFor(
      'search-v3 to roll back',
      () => launch(search),
      (l) => l?.status === 'rolled-back',
    );
    await waitFor(
      'checkout-v2 to wait for the product sign-off',
      () => launch(checkout),
      (l) =>
        l?.standing.state === 'waiting-for-signoff' &&
        l.pendingSignoffs.some((s) => s.role === 'product'),
    );
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await fx?.close();
  });

  it('signs in from a link, strips the token from the address bar, keeps it out of storage, and lists launches live', async () => {
    const { page, errors, close } = await signedIn(tokens.viewer);
    expect(page.url()).not.toContain('token');
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie,
    );
    expect(stored).not.toContain(tokens.viewer);

    const searchRow = page.locator(`tr[data-launch="${search}"]`);
    await expect.poll(() => searchRow.innerText(), SEE).toContain('rolled back');
    expect(await searchRow.innerText()).toContain('breach');
    expect(await searchRow.innerText()).toContain(
      'Rolled back to 0% in canary by the contingency of risk R7',
    );
    const checkoutRow = page.locator(`tr[data-launch="${checkout}"]`);
    await expect.poll(() => checkoutRow.innerText(), SEE).toContain('product ×1');
    expect(await checkoutRow.innerText()).toMatch(/waiting for sign-off[\s\S]*canary[\s\S]*20%/);

    // A launch started elsewhere appears without a reload.
    const third = await api<{ launch: { id: string } }>(
      fx.url,
      tokens.operator,
      'POST',
      '/api/v1/launches',
      {
        plan: 'search-v3',
      },
    );
    expect(third.status).toBe(201);
    await page.locator(`tr[data-launch="${third.body.launch.id}"]`).waitFor();
    await api(
      fx.url,
      tokens.operator,
      'POST',
      `/api/v1/launches/${third.body.launch.id}/rollback`,
      {
        reason: 'started by the live-update test only',
      },
    );
    await expect
      .poll(() => page.locator(`tr[data-launch="${third.body.launch.id}"]`).innerText(), SEE)
      .toContain('rolled back');
    await page.screenshot({ path: join(SCREENSHOTS, 'launches.png'), fullPage: true });
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await close();
  });

  it('answers why a launch rolled back: the KPI, its estimate and interval against the margin, the rule and the risk', async () => {
    const { page, errors, close } = await signedIn(tokens.viewer);
    await page.getByRole('link', { name: search }).click();
    const outcome = page.locator('[data-outcome="rolled-back"]');
    await outcome.waitFor();
    const text = await outcome.innerText();
    expect(text).toContain('Why it rolled back');
    expect(text).toContain('error_rate');
    expect(text).toMatch(/Interval\s*\[\+[\d.]+, \+[\d.]+\]/);
    expect(text).toMatch(/Margin\s*\+0\.05/);
    expect(text).toMatch(/The whole interval \[\+[\d.]+, \+[\d.]+\] lies above the margin \+0\.05/);
    expect(text).toContain('R7');
    expect(text).toContain('Ranking service errors under load');
    expect(text).toMatch(/contingency\s+rollback \+ notify search-oncall/);

    // The same evidence opens from the decision log entry.
    const entry = page.locator('li[data-decision="rollback"]');
    await entry.locator('summary').click();
    const opened = await entry.innerText();
    expect(opened).toContain('risk-contingency');
    expect(opened).toMatch(/Margin\s*\+0\.05/);

    // The KPI matrix and the timeline say the same thing.
    expect(await page.locator('tr[data-kpi="error_rate"]').innerText()).toContain('breach');
    expect(await page.locator('table.timeline tr[data-phase="canary"]').innerText()).toContain(
      'rolled back',
    );
    await page.locator('.kpi-charts svg.chart-svg').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'launch-rolled-back.png'), fullPage: true });
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await close();
  });

  it('charts a KPI so it reads at a glance: phases, the rollback, the margin band, legends with values, time labels that fit', async () => {
    const { page, errors, close } = await signedIn(tokens.viewer, `/launches/${search}`);
    const kpi = page.locator('[data-chart="error_rate"]');
    const diff = kpi.locator('[data-chart-kind="difference"]');
    await diff.locator('svg.chart-svg').waitFor();

    // The phase is named on both charts, and the rollback is a marked line at its end.
    for (const chart of ['arms', 'difference']) {
      const c = kpi.locator(`[data-chart-kind="${chart}"]`);
      expect(await c.locator('[data-phase-label="canary"]').textContent()).toBe('canary 20%');
      expect(await c.locator('[data-event-label="rollback"]').textContent()).toBe('rolled back');
      expect(await c.locator('[data-event="rollback"] line').count()).toBe(1);
    }
    // Legends say what each line is and its value at the latest look (never "--").
    const legend = (chart: string, key: string) =>
      kpi.locator(`[data-chart-kind="${chart}"] li[data-series="${key}"]`).innerText();
    expect(await legend('arms', 'treatment')).toMatch(/^treatment\s+0\.\d+$/);
    expect(await legend('arms', 'control')).toMatch(/^control\s+0\.\d+$/);
    expect(await legend('difference', 'difference')).toMatch(/^difference\s+\+0\.\d+$/);
    expect(await legend('difference', 'interval')).toMatch(
      /^interval \(anytime-valid\)\s+\[\+0\.\d+, \+0\.\d+\]$/,
    );
    expect(await legend('difference', 'margin')).toMatch(
      /^margin \(hatched: a larger rise breaches\)\s+\+0\.05$/,
    );
    expect(await kpi.innerText()).not.toContain('--');
    // The margin's forbidden side is a hatched band.
    expect(await diff.locator('path.beyond-zone').count()).toBe(1);

    // Time labels: clock times of today, a short span, and no two labels overlap.
    const ticks = await diff.locator('.x-tick').allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const t of ticks) expect(t).toMatch(/^\d\d:\d\d(:\d\d)?$/);
    const year = String(new Date().getFullYear());
    expect(await diff.locator('.x-caption').textContent()).toMatch(
      new RegExp(`^\\d{1,2} [A-Z][a-z]{2} ${year}, local time$`),
    );
    const boxes = await diff
      .locator('.x-tick')
      .evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right]),
      );
    for (let i = 1; i < boxes.length; i++) {
      expect(boxes[i]?.[0] ?? 0).toBeGreaterThan(boxes[i - 1]?.[1] ?? 0);
    }

    // Pointing at the first look reads that look; the keyboard walks the looks too.
    const readout = diff.locator('[data-readout]');
    expect(await readout.innerText()).toContain('(latest look)');
    const latest = await legend('difference', 'difference');
    await diff.locator('rect.pointer-area').hover({ position: { x: 2, y: 20 } });
    await expect.poll(() => readout.innerText(), SEE).not.toContain('(latest look)');
    expect(await readout.innerText()).toMatch(/^\d\d:\d\d:\d\d · canary · /);
    expect(await diff.locator('.crosshair').count()).toBe(1);
    await page.mouse.move(0, 0);
    await diff.focus();
    await page.keyboard.press('Home');
    expect(await readout.innerText()).toMatch(/^\d\d:\d\d:\d\d · canary · /);
    await page.keyboard.press('End');
    expect(await legend('difference', 'difference')).toBe(latest);
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await close();
  });

  it('approves as a role, and the launch advances on the screen', async () => {
    const { page, close } = await signedIn(tokens.product, `/launches/${checkout}`);
    const row = page.locator('.signoff-panel tr[data-role="product"]');
    await expect.poll(() => row.innerText(), SEE).toContain('1 more needed');
    await page
      .locator('.approve-form textarea')
      .fill('Checked the conversion numbers with the team.');
    await page.getByRole('button', { name: 'Approve as product' }).click();
    await page.getByRole('status').getByText('Approved as product.').waitFor();
    await expect
      .poll(() => page.locator('ul.approvals').innerText(), SEE)
      .toContain('pat-product ✓ approved as product for full');
    // The controller counts the approval and advances; the page follows the stream.
    await expect
      .poll(() => page.locator('.facts-line').innerText(), { timeout: 60_000 })
      .toMatch(/phase full \(2\/2\) · share 100%/);
    await expect
      .poll(() => page.locator('li[data-decision="advance"]').first().innerText(), SEE)
      .toContain('Advanced canary → full (100%)');
    await page.screenshot({ path: join(SCREENSHOTS, 'launch-advanced.png'), fullPage: true });
    await close();
  });

  it('pauses with a reason and shows the audit entry with the verified chain', async () => {
    const { page, close } = await signedIn(tokens.operator, `/launches/${checkout}`);
    await page.getByRole('button', { name: 'Pause…' }).click();
    await page.getByLabel(/Why pause\?/).fill('Support queue is spiking; holding until it settles');
    await page.getByRole('button', { name: 'Pause now' }).click();
    const outcome = page.locator('[data-outcome="paused"]');
    await outcome.waitFor({ timeout: 30_000 });
    // Why, once: the status sentence right above the evidence.
    await expect
      .poll(() => page.locator('p[data-status-line]').innerText(), SEE)
      .toBe(
        'Paused in full by olivia-operator: Support queue is spiking; holding until it settles.',
      );
    expect(await page.locator('header.page-head').innerText()).toContain('paused');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Action').fill('launch.paused');
    await page.getByRole('button', { name: 'Filter' }).click();
    const entry = page.locator('tr[data-audit-action="launch.paused"]');
    await expect.poll(() => entry.count(), SEE).toBe(1);
    const text = await entry.innerText();
    expect(text).toContain('olivia-operator');
    expect(text).toContain(`launch:${checkout}`);
    expect(text).toContain('Support queue is spiking; holding until it settles');
    await expect
      .poll(() => page.locator('[data-chain]').innerText(), SEE)
      .toMatch(/Hash chain verified/);
    await page.getByLabel('Action').fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('tr[data-audit-action]').count(), SEE).toBeGreaterThan(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: false });
    await close();
  });

  it('explains a completed launch by its bake against the baseline and the evidence it advanced on', async () => {
    const resumed = await api(
      fx.url,
      tokens.operator,
      'POST',
      `/api/v1/launches/${checkout}/resume`,
      {
        reason: 'support queue is back to normal',
      },
    );
    expect(resumed.status).toBe(200);
    driveUsers(client, 'checkout-v2', { prefix: 'checkout-full', count: 300 }, (unit, _t, i) => {
      client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      if (i % 4 === 0) client.track(unit, 'purchase');
    });
    await client.flush();
    await waitFor(
      'checkout-v2 to complete',
      () => launch(checkout),
      (l) => l?.status === 'completed',
    );

    const { page, close } = await signedIn(tokens.viewer, `/launches/${checkout}`);
    const outcome = page.locator('[data-outcome="completed"]');
    await outcome.waitFor();
    const text = await outcome.innerText();
    expect(text).toContain('Why it completed');
    expect(text).toContain('Completed: fully live');
    expect(text).toContain('The evidence it advanced on: Advanced canary → full (100%)');
    expect(text).toMatch(
      /error_rate[\s\S]*Interval\s*\[[−+-][\d.]+, \+[\d.]+\][\s\S]*Margin\s*\+0\.05/,
    );
    expect(text).toMatch(/lies below the margin \+0\.05: an increase that large is ruled out/);
    // At 100% there is no control arm: the bake compared with the canary's control arm.
    expect(text).toContain('judged against the control arm of canary, the baseline');
    expect(await page.locator('tr[data-kpi="error_rate"]').innerText()).not.toContain(
      'no control arm',
    );
    expect(await page.locator('table.timeline tr[data-phase="full"]').innerText()).toContain(
      'completed',
    );

    // The charts: canary then full, the boundary at the advance, pause, resume and completion marked.
    const arms = page.locator('[data-chart="error_rate"] [data-chart-kind="arms"]');
    expect(await arms.locator('[data-phase-label="canary"]').textContent()).toBe('canary 20%');
    const boundary = arms.locator('line[data-phase-boundary="full"]');
    expect(await boundary.count()).toBe(1);
    const xOf = async (selector: string) =>
      Number(await arms.locator(selector).first().getAttribute('x1'));
    const at = {
      boundary: await xOf('line[data-phase-boundary="full"]'),
      pause: await xOf('[data-event="pause"] line'),
      resume: await xOf('[data-event="resume"] line'),
      complete: await xOf('[data-event="complete"] line'),
    };
    expect(at.boundary).toBeLessThan(at.pause);
    expect(at.pause).toBeLessThan(at.resume);
    expect(at.resume).toBeLessThanOrEqual(at.complete);
    expect(await arms.locator('[data-event-label="complete"]').textContent()).toBe('completed');
    // Labels of events close in time stack instead of overlapping.
    const labels = await arms
      .locator('[data-event-label]')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i];
        const b = labels[j];
        if (a === undefined || b === undefined) continue;
        const apart =
          a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        expect(apart).toBe(true);
      }
    await page
      .locator('[data-chart="error_rate"]')
      .screenshot({ path: join(SCREENSHOTS, 'launch-charts.png') });
    await close();
  }, 90_000);

  it('shows a plan: versions with a diff, the explain view and the risk heat map', async () => {
    const { page, close } = await signedIn(tokens.viewer, '/plans/checkout-v2?version=2&compare=1');
    const diff = page.locator('.plan-diff');
    await diff.waitFor();
    const diffText = await diff.innerText();
    expect(diffText).toMatch(/v1 → v2: \+\d+ lines? added, −1 removed/);
    expect(diffText).toContain('max_increase: 40%');
    expect(await page.locator('.explain').innerText()).toContain(
      'treatment ≤ control + 40% (relative)',
    );
    expect(await page.locator('td[data-cell="3x4"]').innerText()).toContain('R1');
    expect(await page.locator('td[data-cell="2x3"]').innerText()).toContain('R2');
    expect(await page.locator('table.risks tr[data-risk="R1"]').innerText()).toMatch(
      /error_rate[\s\S]*rollback \+ notify payments-oncall/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'plan.png'), fullPage: true });
    await close();
  });

  it('rehearses a stored plan on synthetic traffic with injected regressions and shows power curves and findings', async () => {
    const { page, close } = await signedIn(tokens.viewer, '/rehearsal');
    await page.getByLabel('Stored plan', { exact: true }).selectOption('checkout-v2');
    await page.getByLabel('Units per minute').fill('600');
    await page.getByLabel('Injections').fill('error_rate=+0.01\nerror_rate=+0.03\nerror_rate=+0.1');
    // A big one first (the most launches a request may ask for, looked at every
    // second, so it cannot end before Cancel even on an idle machine): progress
    // and partial results stream in, and Cancel stops it.
    await page.getByLabel(/Runs per scenario/).fill('2500');
    await page.getByLabel(/Look interval/).fill('1');
    await page.getByRole('button', { name: 'Run the rehearsal' }).click();
    await page.locator('.rehearsal-progress').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.locator('.status-line.partial').textContent({ timeout: 1_000 }), {
        timeout: 60_000,
      })
      .toMatch(/^Partial: the first \d+ launches per scenario/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Rehearsal cancelled.').waitFor();
    expect(await page.getByRole('button', { name: 'Run the rehearsal' }).isEnabled()).toBe(true);
    await page.getByLabel(/Runs per scenario/).fill('60');
    await page.getByLabel(/Look interval/).fill('10');
    await page.getByRole('button', { name: 'Run the rehearsal' }).click();
    const report = page.locator('.rehearsal-report');
    await page.locator('.status-line', { hasText: 'Rehearsed' }).waitFor({ timeout: 60_000 });
    const text = await report.innerText();
    expect(text).toContain('Findings');
    expect(text).toMatch(
      /False alarms\s*[\d.]+% \([\d.]+–[\d.]+%, \d+ of 60\) against a budget of 5%/,
    );
    expect(await page.locator('tr[data-injection="error_rate=+0.1"]').innerText()).toMatch(/of 60/);
    await page.locator('[data-power-curve="error_rate"] svg.chart-svg').waitFor();
    expect(
      await page.locator('[data-power-curve="error_rate"] .x-tick').allTextContents(),
    ).toContain('0');
    expect(await page.locator('.status-line').innerText()).toMatch(
      /Rehearsed checkout-v2 v2: 60 launches per scenario, seed 1,\s+a look every 10m\./,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'rehearsal.png'), fullPage: true });
    await close();
  }, 90_000);
});
