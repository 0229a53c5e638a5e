/**
 * The launch record end to end (issue 18): one launch rolled back by a risk's
 * contingency and one completed, both decided by the real controller on real
 * SDK traffic through the real server. Their report is checked in every format
 * (the API's JSON, `threshold launch report` as JSON, Markdown and an HTML
 * file), including that the audit chain head it names verifies; the owner's
 * review goes in through the CLI; the portfolio counts them; and Chromium
 * opens the printable report and the portfolio page.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import { escapeXml } from '@threshold/core';
import type { LaunchReport } from '@threshold/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const CLI = fileURLToPath(new URL('../../cli/bin/threshold.js', import.meta.url));
const SEE = { timeout: 20_000 };

/** What `plan explain --json` adds with --server (the CLI's HistoryEstimates). */
interface HistoryEstimates {
  launches: string[];
  unitsPerMinute: number | null;
  trafficFrom: string | null;
  kpis: {
    kpi: string;
    from: string;
    launches: number;
    baseline: { value: number; sd?: number } | null;
  }[];
  detectable: { phase: string; kpis: { kpi: string; mde: number | null }[] }[] | null;
}

/** The CLI as people run it, in a child process (the server answers in this one). */
function threshold(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000, cwd },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout, stderr }),
    );
  });
}

const PLANS = {
  rollback: `launch: record-rollback
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
  - { id: R8, title: Index rebuild slows queries, likelihood: 2, impact: 3, owner: search-team, watch: [] }
readiness:
  - { check: Load test at 3x peak, owner: sre, blocking: true, evidence: "https://ci.example/load/7" }
`,
  complete: `launch: record-complete
owner: web-team
unit: userId
phases:
  - { name: canary, traffic: 50%, min_duration: 1s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s, min_units: 40 }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: err, guard: { max_increase_abs: 0.2 }, on_breach: rollback }
`,
} as const;
type Case = keyof typeof PLANS;

if (!HAS_CHROMIUM)
  console.warn('launch record browser tests SKIPPED: /usr/bin/chromium is missing');

describe('the launch record', { timeout: 120_000 }, () => {
  let fx: Fixture;
  let browser: Browser | undefined;
  let client: ThresholdClient;
  const tokens = { viewer: '', operator: '', sdk: '' };
  const ids = {} as Record<Case, string>;
  const rehearsals = {} as Record<Case, number>;
  const dir = mkdtempSync(join(tmpdir(), 'threshold-report-'));
  const get = async <T>(path: string) => (await api<T>(fx.url, tokens.viewer, 'GET', path)).body;
  const env = () => ({ THRESHOLD_URL: fx.url, THRESHOLD_TOKEN: tokens.viewer });

  beforeAll(async () => {
    if (HAS_CHROMIUM) await buildDashboard();
    fx = await startFixture({
      controller: { lookIntervalMs: 250, lookRecordIntervalMs: 1000 },
      // Notifications go through the real outbox; no target has a URL: "not configured".
      outbox: { intervalMs: 100, resolve: () => undefined },
    });
    tokens.viewer = await fx.token('vera-viewer', ['viewer']);
    tokens.operator = await fx.token('olivia-operator', ['operator']);
    tokens.sdk = await fx.token('record-sdk', ['sdk']);
    client = createClient({
      url: fx.url,
      token: tokens.sdk,
      events: { flushIntervalMs: 50, batchSize: 1000 },
      readyTimeoutMs: 5000,
    });
    await client.ready();
    const sre = await fx.token('sam-sre', ['approver:sre']);
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
      // The blocking readiness check is attested by its owner before launching (ADR 0036).
      if (name === 'rollback') {
        const attested = await api(fx.url, sre, 'POST', `/api/v1/plans/record-${name}/readiness`, {
          check: 'Load test at 3x peak',
          note: 'passed',
        });
        expect(attested.status, JSON.stringify(attested.body)).toBe(201);
      }
      // A rehearsal of the stored version before the launch, recorded with the plan (ADR 0041).
      const rehearsal = await api<{ recorded: number | null }>(
        fx.url,
        tokens.viewer,
        'POST',
        '/api/v1/rehearsals',
        {
          plan: { name: `record-${name}` },
          profile: {
            unitsPerMinute: 100,
            durationMs: 86_400_000,
            baselines: { error_rate: { value: 0.01 } },
          },
          runs: 40,
          injections: ['error_rate=+0.3'],
        },
      );
      expect(rehearsal.status, JSON.stringify(rehearsal.body)).toBe(200);
      rehearsals[name] = rehearsal.body.recorded ?? 0;
      const res = await api<{ launch: { id: string } }>(
        fx.url,
        tokens.operator,
        'POST',
        '/api/v1/launches',
        {
          plan: `record-${name}`,
        },
      );
      expect(res.status).toBe(201);
      ids[name] = res.body.launch.id;
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === ids[name]) === true);
    }
    // rollback: a third of treatment users hit errors, 1% of control users.
    driveUsers(client, 'record-rollback', { prefix: 'r', count: 800 }, (unit, treatment, i) => {
      if (treatment ? i % 3 === 0 : i % 100 === 0) client.track(unit, 'err');
    });
    driveUsers(client, 'record-complete', { prefix: 'c', count: 800 }, (unit, _t, i) => {
      if (i % 100 === 0) client.track(unit, 'err');
    });
    await client.flush();
    const status = async (id: string) =>
      (await get<{ standing: { state: string; phase: string } }>(`/api/v1/launches/${id}`))
        .standing;
    await waitFor(
      'complete to reach full',
      () => status(ids.complete),
      (s) => s.phase === 'full',
    );
    await whenConfig(
      client,
      (c) => c.config?.flags.find((f) => f.launch === ids.complete)?.phase === 'full',
    );
    driveUsers(client, 'record-complete', { prefix: 'c-full', count: 300 }, (unit, _t, i) => {
      if (i % 100 === 0) client.track(unit, 'err');
    });
    await client.flush();
    await waitFor(
      'rollback',
      () => status(ids.rollback),
      (s) => s.state === 'rolled-back',
    );
    await waitFor(
      'completion',
      () => status(ids.complete),
      (s) => s.state === 'completed',
    );
    await waitFor(
      'the rollback notification to settle',
      () => get<LaunchReport>(`/api/v1/launches/${ids.rollback}/report`),
      (r) => r.notifications.length > 0 && r.notifications.every((n) => n.state !== 'queued'),
    );
    if (HAS_CHROMIUM) browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the rolled-back launch: risk, contingency, evidence, notification and timeline in the JSON', async () => {
    const r = await get<LaunchReport>(`/api/v1/launches/${ids.rollback}/report`);
    expect(r.standing.state).toBe('rolled-back');
    const rollback = r.decisions.find((d) => d.type === 'rollback');
    expect(rollback?.rule).toBe('risk-contingency');
    expect(rollback?.risks.map((x) => x.id)).toEqual(['R7']);
    const guard = rollback?.guards.find((g) => g.kpi === 'error_rate');
    expect(guard?.verdict).toBe('breach');
    expect(guard?.threshold).toBe(0.05);
    expect(guard?.interval?.[0]).toBeGreaterThan(0.05);
    expect(rollback?.units?.treatment).toBeGreaterThan(0);
    expect(r.standing.decision?.seq).toBe(rollback?.seq);
    // The KPI's own on_breach notifies the owner; the risk's contingency notifies its owner.
    expect(r.notifications.map((n) => [n.kind, n.target, n.state])).toEqual([
      ['notify', 'search-team', 'not-configured'],
      ['notify', 'search-oncall', 'not-configured'],
    ]);
    expect(r.timeline.map((p) => [p.phase, p.outcome])).toEqual([
      ['canary', 'rolled-back'],
      ['full', 'not-reached'],
    ]);
    expect(r.traffic.map((x) => x.share)).toEqual([0.5, 0]);
    expect(r.kpis).toEqual([expect.objectContaining({ kpi: 'error_rate', standing: 'breach' })]);
    expect(r.risks.risks.map((x) => [x.id, x.fired, x.breached])).toEqual([
      ['R7', true, ['error_rate']],
      ['R8', false, []],
    ]);
    expect(r.risks.unwatched).toEqual([]);
    expect(r.charts[0]?.points.length).toBeGreaterThan(0);
    expect(r.readiness[0]?.evidence).toBe('https://ci.example/load/7');
    expect(r.readiness[0]?.status).toBe('attested');
    expect(r.readiness[0]?.attestation?.actor).toBe('sam-sre');
    // The rehearsal before it injected the KPI that breached and caught it at least half the time.
    expect(r.rehearsals.list.map((x) => x.id)).toEqual([rehearsals.rollback]);
    const injected = r.rehearsals.list[0]?.scenarios.find((x) => x.label === 'error_rate=+0.3');
    expect(injected?.caught.rate).toBeGreaterThanOrEqual(0.5);
    expect(r.rehearsals.predicted).toBe(true);
  });

  it('the completed launch: each phase passed, 100% reached, every KPI in the final matrix', async () => {
    const r = await get<LaunchReport>(`/api/v1/launches/${ids.complete}/report`);
    expect(r.standing.state).toBe('completed');
    expect(r.timeline.map((p) => p.outcome)).toEqual(['advanced', 'completed']);
    expect(r.traffic.map((x) => x.share)).toEqual([0.5, 1]);
    expect(r.decisions.map((d) => d.type)).toEqual(['advance', 'complete']);
    expect(r.decisions[1]?.guards.map((g) => g.verdict)).toEqual(['pass']);
    expect(r.kpis.map((k) => k.kpi)).toEqual(['error_rate']);
    expect(r.operatorActions).toEqual([]);
    // Its rehearsal's clean scenario shipped more often than it ended any other way.
    expect(r.rehearsals.list.map((x) => x.id)).toEqual([rehearsals.complete]);
    expect(r.rehearsals.predicted).toBe(true);
  });

  it.each(['rollback', 'complete'] as const)(
    '%s: the CLI writes the report as JSON, Markdown and HTML, and its chain head verifies',
    async (name) => {
      const id = ids[name];
      const fromApi = await get<LaunchReport>(`/api/v1/launches/${id}/report`);
      const json = await threshold(['launch', 'report', id, '--format', 'json'], env());
      expect(json.stderr).toBe('');
      const cli = JSON.parse(json.stdout) as LaunchReport;
      // The same model, read a moment later: only the time it was built may differ.
      expect({ ...cli, generatedAt: '' }).toEqual({ ...fromApi, generatedAt: '' });

      const md = await threshold(['launch', 'report', id], env());
      expect(md.code).toBe(0);
      const html = await threshold(['launch', 'report', id, '--out', 'report.html'], env(), dir);
      expect(html.stdout).toContain(`wrote the html report of ${id} to report.html`);
      const file = readFileSync(join(dir, 'report.html'), 'utf8');
      const head = `${fromApi.audit.head?.seq}:${fromApi.audit.head?.hash}`;
      for (const text of [
        fromApi.standing.sentence,
        head,
        'Timeline: planned against actual',
        'Rehearsals before the launch',
        'predicted the outcome',
        ...fromApi.decisions.map((d) => d.reason),
      ]) {
        expect(md.stdout).toContain(text);
        expect(file).toContain(escapeXml(text));
      }
      expect(file).toContain(`<meta name="threshold-audit-head" content="${head}">`);
      expect(file.match(/<svg/g)?.length).toBe(2);
      expect(file).not.toMatch(/<script|<link |src="http/);

      // The head the report names verifies: through the API and against the store itself.
      const verified = await get<{ ok: boolean }>(`/api/v1/audit/verify?expect_head=${head}`);
      expect(verified.ok).toBe(true);
      const store = await fx.server.store.verifyAudit({
        expectHeads: [fromApi.audit.head ?? { seq: 0, hash: '' }],
      });
      expect(store.ok).toBe(true);
      expect(fromApi.audit.entries.some((e) => e.action === 'launch.created')).toBe(true);
    },
  );

  it('the review goes in through the CLI and the report compares it with the register', async () => {
    const id = ids.rollback;
    const operator = { THRESHOLD_URL: fx.url, THRESHOLD_TOKEN: tokens.operator };
    const res = await threshold(
      [
        'launch',
        'review',
        id,
        '--outcome',
        'Ranking errors at 50%; the contingency rolled back.',
        '--materialized',
        'R7',
        '--follow-up',
        'Load-test ranking at 5x@search-oncall',
      ],
      operator,
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(
      /^review of .* recorded by olivia-operator \(audit #\d+\): risks materialized: R7, 1 follow-up\n$/,
    );
    const r = await get<LaunchReport>(`/api/v1/launches/${id}/report`);
    expect(r.review).toMatchObject({
      by: 'olivia-operator',
      materialized: ['R7'],
      followUps: [{ what: 'Load-test ranking at 5x', owner: 'search-oncall', due: null }],
    });
    expect(r.risks.risks.map((x) => [x.id, x.materialized])).toEqual([
      ['R7', true],
      ['R8', false],
    ]);
    expect(r.audit.entries.at(-1)?.action).toBe('launch.reviewed');
    const running = await threshold(
      ['launch', 'review', id, '--outcome', 'x', '--materialized', 'R1'],
      operator,
    );
    expect(running.code).toBe(1);
    expect(running.stderr).toContain(
      "body.materialized.0: 'R1' is not a risk of plan record-rollback@1",
    );
  });

  it('the portfolio counts one rollback in two ended launches, with its time to restore', async () => {
    const p = await get<{
      overall: {
        launches: number;
        rolledBack: number;
        rollbackRate: number;
        unitsExposedAtRollback: number;
        medianTimeToFullMs: number | null;
        rehearsalAccuracy: number | null;
      };
      launches: {
        id: string;
        timeToRestoreMs: number | null;
        timeToFullMs: number | null;
        unitsAtRollback: number | null;
      }[];
      teams: { team: string; rollbackRate: number | null }[];
    }>('/api/v1/portfolio');
    expect(p.overall).toMatchObject({
      launches: 2,
      rolledBack: 1,
      rollbackRate: 0.5,
      rehearsalAccuracy: 1,
    });
    const rolled = p.launches.find((l) => l.id === ids.rollback);
    const done = p.launches.find((l) => l.id === ids.complete);
    expect(rolled?.timeToRestoreMs).toBeGreaterThanOrEqual(0);
    expect(rolled?.unitsAtRollback).toBeGreaterThan(0);
    expect(rolled?.timeToFullMs).toBeNull();
    expect(done?.timeToFullMs).toBeGreaterThan(0);
    expect(done?.timeToRestoreMs).toBeNull();
    expect(p.overall.unitsExposedAtRollback).toBe(rolled?.unitsAtRollback);
    expect(p.teams).toEqual([
      expect.objectContaining({ team: 'search-team', rollbackRate: 1 }),
      expect.objectContaining({ team: 'web-team', rollbackRate: 0 }),
    ]);
    const team = await get<{ overall: { launches: number } }>('/api/v1/portfolio?team=web-team');
    expect(team.overall.launches).toBe(1);
  });

  it('plan explain --server estimates from past launches, and --traffic/--baseline override them', async () => {
    const file = join(dir, 'record-rollback.yaml');
    writeFileSync(file, PLANS.rollback);
    const text = await threshold(['plan', 'explain', file, '--server', fx.url], env());
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain(
      `History: based on the last launch of record-rollback (${ids.rollback})`,
    );
    expect(text.stdout).toMatch(/traffic: [\d.]+ units\/min \(measured\)/);
    expect(text.stdout).toMatch(
      /canary \(50% for 1h, ~[\d,]+ units\): detects error_rate \+[\d.]+/,
    );
    const json = await threshold(['plan', 'explain', file, '--server', fx.url, '--json'], env());
    const h = (JSON.parse(json.stdout) as { history: HistoryEstimates }).history;
    expect(h.launches).toEqual([ids.rollback]);
    expect(h.trafficFrom).toBe('history');
    expect(h.unitsPerMinute).toBeGreaterThan(0);
    const measured = h.kpis.find((k) => k.kpi === 'error_rate');
    expect(measured).toMatchObject({ from: 'history', launches: 1 });
    // The control arm's error rate: 1 in 100 users tracked an error.
    expect(measured?.baseline?.value).toBeGreaterThan(0);
    expect(measured?.baseline?.value).toBeLessThan(0.05);
    const mde = h.detectable?.[0]?.kpis[0]?.mde;
    expect(mde).toBeGreaterThan(0);

    const over = await threshold(
      [
        'plan',
        'explain',
        file,
        '--server',
        fx.url,
        '--json',
        '--traffic',
        '100000/min',
        '--baseline',
        'error_rate=2%',
      ],
      env(),
    );
    const o = (JSON.parse(over.stdout) as { history: HistoryEstimates }).history;
    expect(o.trafficFrom).toBe('override');
    expect(o.kpis.find((k) => k.kpi === 'error_rate')).toMatchObject({
      from: 'override',
      baseline: { value: 0.02 },
    });
    // Far more traffic: a far smaller harm is caught.
    expect(o.detectable?.[0]?.kpis[0]?.mde).toBeLessThan(mde ?? 0);
    // The rehearsal's default profile is the same history: it sizes the phases the same way.
    const rehearsal = await threshold(
      [
        'rehearse',
        file,
        '--history',
        'launches',
        '--server',
        fx.url,
        '--runs',
        '20',
        '--workers',
        '1',
        '--json',
      ],
      env(),
    );
    expect(rehearsal.stderr).toBe('');
    const rep = JSON.parse(rehearsal.stdout) as { detectableEffects: unknown };
    expect(rep.detectableEffects).toEqual(h.detectable);
    const offline = await threshold(['plan', 'explain', file, '--traffic', '10/min'], env());
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('give --server too');
  });

  it.skipIf(!HAS_CHROMIUM)(
    'Chromium opens the printable report and the portfolio page',
    async () => {
      if (browser === undefined) throw new Error('no browser');
      const opened = await openPage(browser);
      const { page, errors } = opened;
      const r = await get<LaunchReport>(`/api/v1/launches/${ids.rollback}/report`);
      await page.goto(`${fx.url}/launches/${ids.rollback}/report#token=${tokens.operator}`);
      await page.locator('[data-section="summary"]').waitFor(SEE);
      expect(await page.locator('h1').innerText()).toBe(`Launch report: ${ids.rollback}`);
      expect(await page.locator('[data-section="summary"]').innerText()).toContain(
        r.standing.sentence,
      );
      expect(await page.locator('[data-section="audit"]').innerText()).toContain(
        `${r.audit.head?.seq}:${r.audit.head?.hash}`,
      );
      // The same sections in the same order as the HTML file.
      const sections = await page
        .locator('[data-section]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-section')));
      const file = await (
        await fetch(`${fx.url}/api/v1/launches/${ids.rollback}/report/html`, {
          headers: { authorization: `Bearer ${tokens.viewer}` },
        })
      ).text();
      expect(sections).toEqual([...file.matchAll(/data-section="([^"]+)"/g)].map((m) => m[1]));
      expect(await page.locator('[data-section="kpis"] svg [data-interval]').count()).toBe(1);
      expect(await page.locator('[data-section="review"]').innerText()).toContain(
        'Ranking errors at 50%',
      );
      // The rehearsal made before the launch, and whether it predicted the outcome.
      const rehearsed = await page.locator('[data-section="rehearsals"]').innerText();
      expect(rehearsed).toContain('the newest');
      expect(rehearsed).toContain('predicted the outcome');
      expect(rehearsed).toContain('error_rate=+0.3 (40 runs)');
      // An operator can amend the review; printing hides the dashboard and the form.
      await expect.poll(() => page.locator('form[aria-label="Review"]').count(), SEE).toBe(1);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.app-header').isVisible()).toBe(false);
      expect(await page.locator('form[aria-label="Review"]').isVisible()).toBe(false);
      expect(await page.locator('[data-section="decisions"]').isVisible()).toBe(true);
      await page.emulateMedia({ media: 'screen' });
      await page.screenshot({ path: join(SCREENSHOTS, 'launch-report.png'), fullPage: false });

      await page.goto(`${fx.url}/portfolio#token=${tokens.viewer}`);
      const all = page.locator('tr[data-group="all"]');
      await all.waitFor(SEE);
      expect(await all.locator('[data-rollback-rate]').innerText()).toBe('50%');
      expect(
        await page.locator(`tr[data-launch="${ids.rollback}"] [data-outcome]`).innerText(),
      ).toBe('rolled-back');
      // Both rehearsals predicted their launch's outcome.
      expect(await all.locator('[data-rehearsal-accuracy]').innerText()).toBe('100%');
      expect(
        await page
          .locator(`tr[data-launch="${ids.rollback}"] [data-rehearsal-predicted]`)
          .innerText(),
      ).toBe('yes');
      expect(await page.locator('.trend-chart svg').count()).toBe(4);
      await page.screenshot({ path: join(SCREENSHOTS, 'portfolio.png'), fullPage: false });
      // A date range before any launch: nothing to count.
      await page.getByLabel('Until').fill('2000-01-01');
      await expect.poll(() => all.locator('td').first().innerText(), SEE).toBe('0');

      // The rehearsal page starts from what the plan's past launches measured, and lets you edit it.
      const history = await get<{
        unitsPerMinute: number;
        kpis: { kpi: string; baseline: { value: number } | null }[];
      }>('/api/v1/plans/record-rollback/history');
      await page.goto(`${fx.url}/rehearsal#token=${tokens.viewer}`);
      await page.getByLabel('Stored plan', { exact: true }).selectOption('record-rollback');
      await page.getByRole('button', { name: 'From past launches of record-rollback' }).click();
      const profile = page.locator('[data-history-profile]');
      await profile.waitFor(SEE);
      expect(await profile.innerText()).toContain(
        `Based on the last launch of record-rollback (${ids.rollback})`,
      );
      expect(await page.getByLabel('Units per minute').inputValue()).toBe(
        String(Math.round(history.unitsPerMinute)),
      );
      const measured = history.kpis.find((k) => k.kpi === 'error_rate')?.baseline?.value;
      expect(Number(await page.getByLabel('Baseline of error_rate').inputValue())).toBe(measured);
      await page.getByLabel('Baseline of error_rate').fill('0.02');
      await page.getByLabel(/Runs per scenario/).fill('20');
      await page.getByLabel(/Look interval/).fill('10');
      await page.getByRole('button', { name: 'Run the rehearsal' }).click();
      await page.locator('.status-line', { hasText: 'Rehearsed' }).waitFor({ timeout: 60_000 });
      expect(await page.locator('.rehearsal-report').innerText()).toContain('Findings');
      // The dashboard's rehearsal of a stored plan is recorded with it (after the launch: not in its report).
      const kept = await get<{ rehearsals: { id: number; actor: string }[] }>(
        '/api/v1/plans/record-rollback/rehearsals',
      );
      expect(kept.rehearsals.map((x) => x.actor)).toEqual(['vera-viewer', 'vera-viewer']);
      expect(errors).toEqual([]);
      await opened.close();
    },
  );
});
