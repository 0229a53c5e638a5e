/**
 * People in the dashboard, in real Chromium against a real OpenID provider
 * (oidc-provider on a loopback port): single sign-on, a session that survives a
 * reload, approving as a role with the person recorded, the starter refused
 * whatever they sign in with, and sign-out ending the session.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_ROLES,
  freePort,
  openTestProvider,
} from '../../server/test/support/oidc-test-provider.js';
import type { TestProvider } from '../../server/test/support/oidc-test-provider.js';
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

const PLAN = `launch: people-demo
owner: search
phases:
  - { name: canary, traffic: 5%, min_duration: 30m, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: purchase, guard: { max_decrease: 2% }, on_breach: pause }
signoff:
  roles: { product: 1 }
`;

const READY_PLAN = `launch: people-ready
owner: search
phases:
  - { name: canary, traffic: 5%, min_duration: 30m }
  - { name: all, traffic: 100%, min_duration: 30m }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: purchase, guard: { max_decrease: 2% }, on_breach: pause }
readiness:
  - { check: Support briefed on the new ranking, owner: product, blocking: true }
`;

describe.skipIf(!HAS_CHROMIUM)(
  'signing in through the provider, in Chromium',
  { timeout: 90_000 },
  () => {
    let idp: TestProvider;
    let fx: Fixture;
    let browser: Browser;
    let launch = '';
    let sam = '';

    beforeAll(async () => {
      await buildDashboard();
      idp = await openTestProvider();
      const port = await freePort();
      fx = await startFixture({
        port,
        controller: false,
        oidc: {
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          publicUrl: `http://127.0.0.1:${port}`,
          roles: TEST_ROLES,
          allowHttpIssuer: true,
        },
      });
      idp.register(`${fx.url}/auth/callback`);
      const admin = await fx.token('admin', ['admin']);
      // Sam's machine token starts the launch: it acts for the subject "sam".
      const made = await api<{ token: string }>(fx.url, admin, 'POST', '/api/v1/tokens', {
        name: 'sam-ci',
        scopes: ['operator'],
        ownerSubject: 'sam',
      });
      sam = made.body.token;
      expect(
        (await api(fx.url, sam, 'POST', '/api/v1/plans', PLAN, 'application/yaml')).status,
      ).toBe(201);
      const started = await api<{ launch: { id: string } }>(
        fx.url,
        sam,
        'POST',
        '/api/v1/launches',
        {
          plan: 'people-demo',
        },
      );
      launch = started.body.launch.id;
      expect(
        (await api(fx.url, sam, 'POST', '/api/v1/plans', READY_PLAN, 'application/yaml')).status,
      ).toBe(201);
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await fx?.close();
      await idp?.close();
    });

    /** Opens `path`, follows single sign-on through the provider's page as `person`. */
    async function signInAs(person: string, path: string) {
      const opened = await openPage(browser);
      const { page } = opened;
      await page.goto(`${fx.url}${path}`);
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
      await page.getByRole('heading', { name: 'Test provider sign-in' }).waitFor(SEE);
      await page.getByLabel('Person').selectOption(person);
      await page.getByRole('button', { name: 'Sign in at the provider' }).click();
      await page.getByText('signed in as').waitFor(SEE);
      return opened;
    }

    it('signs in, survives a reload, and approves as a role with the person recorded', async () => {
      const { page, errors, close } = await signInAs('alice', `/launches/${launch}`);
      expect(page.url()).toBe(`${fx.url}/launches/${launch}`);
      expect(await page.locator('.who').innerText()).toContain('Alice Approver');
      await page.reload();
      await page.getByText('signed in as').waitFor(SEE);
      expect(await page.locator('.who').innerText()).toContain('Alice Approver');
      await page.locator('.approve-form textarea').fill('Numbers checked with the team.');
      await page.getByRole('button', { name: 'Approve as product' }).click();
      await page.getByRole('status').getByText('Approved as product.').waitFor(SEE);
      await expect
        .poll(() => page.locator('ul.approvals').innerText(), SEE)
        .toContain('Alice Approver ✓ approved as product for canary');
      const admin = await fx.token('reader', ['viewer']);
      const view = await api<{ approvals: { actor: string; subject: string | null }[] }>(
        fx.url,
        admin,
        'GET',
        `/api/v1/launches/${launch}`,
      );
      expect(view.body.approvals).toEqual([
        expect.objectContaining({ actor: 'Alice Approver', subject: 'alice' }),
      ]);
      expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);

      // Sign-out ends the session on the server: a reload shows the sign-in page again.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor(SEE);
      await page.reload();
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor(SEE);
      expect(await page.getByText('signed in as').count()).toBe(0);
      await close();
    });

    it('refuses the starter, signed in as themselves, the self-approval', async () => {
      const { page, close } = await signInAs('sam', `/launches/${launch}`);
      await page.locator('.approve-form textarea').fill('Mine, but looks fine.');
      await page.getByRole('button', { name: 'Approve as product' }).click();
      await page
        .getByText(
          'Sam Starter (sam) started this launch and the plan does not allow self-approval',
        )
        .waitFor(SEE);
      await close();
    });

    it('the check owner attests a readiness check in the dashboard; the launch then starts and shows who attested', async () => {
      const refused = await api<{ error: { code: string } }>(
        fx.url,
        sam,
        'POST',
        '/api/v1/launches',
        {
          plan: 'people-ready',
        },
      );
      expect(refused.body.error.code).toBe('LAUNCH_NOT_READY');
      const { page, close } = await signInAs('alice', '/plans/people-ready');
      const row = page.locator('.readiness-panel tr[data-status]');
      await expect.poll(() => row.first().innerText(), SEE).toContain('not attested');
      await page.getByLabel('What shows it is done').fill('Briefing held 2026-12-02, FAQ KB-77');
      await page
        .getByLabel('Link to the evidence (optional)')
        .fill('https://wiki.example/support/briefing-77');
      // Three days from the browser's now, at 17:30 local time.
      const until = await page.evaluate(() => {
        const d = new Date(Date.now() + 3 * 24 * 3_600_000);
        const pad = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T17:30`;
      });
      await page.getByLabel('Holds until (optional; default a week)').fill(until);
      await page.getByRole('button', { name: 'Attest' }).click();
      await page
        .getByRole('status')
        .getByText('Attested "Support briefed on the new ranking".')
        .waitFor(SEE);
      await expect.poll(() => row.first().innerText(), SEE).toContain('Alice Approver (alice)');
      expect(await row.first().innerText()).toContain(until.replace('T', ' '));
      expect(await row.first().getByRole('link', { name: 'evidence' }).getAttribute('href')).toBe(
        'https://wiki.example/support/briefing-77',
      );
      const view = await api<{ checks: { attestation: { link: string; expiresAt: string } }[] }>(
        fx.url,
        sam,
        'GET',
        '/api/v1/plans/people-ready/readiness',
      );
      expect(view.body.checks[0]?.attestation.link).toBe(
        'https://wiki.example/support/briefing-77',
      );
      const started = await api<{ launch: { id: string } }>(
        fx.url,
        sam,
        'POST',
        '/api/v1/launches',
        {
          plan: 'people-ready',
        },
      );
      expect(started.status).toBe(201);
      await page.goto(`${fx.url}/launches/${started.body.launch.id}`);
      const checklist = page.locator('.readiness-panel tr[data-status="attested"]');
      await expect
        .poll(() => checklist.first().innerText(), SEE)
        .toContain('Briefing held 2026-12-02, FAQ KB-77');
      expect(await checklist.first().innerText()).toContain('Alice Approver (alice)');
      await close();
    });
  },
);
