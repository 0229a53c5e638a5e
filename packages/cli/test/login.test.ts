/**
 * `threshold login`: the device authorization grant against a real OpenID
 * provider (oidc-provider on a loopback port) through a real server; the
 * session is saved 0600 and used by the launch commands, so an approval
 * records the person; `threshold logout` ends it at the server.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@threshold/cli';
import { createToken } from '@threshold/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_ROLES,
  approveDeviceOverHttp,
  freePort,
  openTestProvider,
} from '../../server/test/support/oidc-test-provider.js';
import type { TestProvider } from '../../server/test/support/oidc-test-provider.js';
import { startTestServer } from '../../server/test/support/test-server.js';
import type { TestServer } from '../../server/test/support/test-server.js';
import { runCli } from './run-cli.js';

const PLAN = `launch: cli-people
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

describe('threshold login (device authorization grant)', { timeout: 60_000 }, () => {
  let idp: TestProvider;
  let t: TestServer;
  let dir = '';
  let env: Record<string, string | undefined> = {};

  beforeAll(async () => {
    idp = await openTestProvider();
    const port = await freePort();
    t = await startTestServer({
      port,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        publicUrl: `http://127.0.0.1:${port}`,
        roles: TEST_ROLES,
        allowHttpIssuer: true,
      },
    });
    idp.register(`${t.url}/auth/callback`);
    dir = mkdtempSync(join(tmpdir(), 'threshold-login-'));
    env = { THRESHOLD_URL: t.url, THRESHOLD_CREDENTIALS: join(dir, 'credentials.json') };
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, saves the session for the user only, and approves as the person', async () => {
    let stderr = '';
    let stdout = '';
    let approved: Promise<void> | undefined;
    const code = await main(['login'], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: {
        write: (s: string) => {
          stderr += s;
          const link = /open (\S+)/.exec(stderr)?.[1];
          // The person opens the link in a browser and confirms the code at the provider.
          if (link !== undefined && approved === undefined)
            approved = approveDeviceOverHttp(link, 'alice');
        },
      },
      cwd: dir,
      env,
    });
    await approved;
    expect(stderr).toMatch(/confirm the code [A-Z-]+/);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Signed in to http:\/\/127\.0\.0\.1:\d+ as Alice Approver \(alice\) with approver:product, viewer until /,
    );
    const file = join(dir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      servers: Record<string, { token: string }>;
    };
    expect(saved.servers[t.url]?.token).toMatch(/^ths_/);

    // The saved session signs the launch commands in: the approval records Alice.
    const operator = (await createToken(t.server.store, { name: 'ops', scopes: ['operator'] }))
      .token;
    expect(
      (
        await t.call({ token: operator }, 'POST', '/api/v1/plans', PLAN, {
          'content-type': 'application/yaml',
        })
      ).status,
    ).toBe(201);
    const started = await t.json<{ launch: { id: string } }>(
      { token: operator },
      'POST',
      '/api/v1/launches',
      { plan: 'cli-people' },
    );
    const id = started.body.launch.id;
    const approve = await runCli(
      ['launch', 'approve', id, '--role', 'product', '--comment', 'ok'],
      dir,
      env,
    );
    expect(approve.stderr).toBe('');
    expect(approve.code).toBe(0);
    const view = await t.json<{ approvals: { actor: string; subject: string | null }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(view.body.approvals).toEqual([
      expect.objectContaining({ actor: 'Alice Approver', subject: 'alice' }),
    ]);

    // logout ends the session at the server and forgets it here.
    const token = saved.servers[t.url]?.token ?? '';
    const out = await runCli(['logout'], dir, env);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`Signed out of ${t.url}.\n`);
    expect((await t.call({ token }, 'GET', '/api/v1/whoami')).status).toBe(401);
    const again = JSON.parse(readFileSync(file, 'utf8')) as { servers: Record<string, unknown> };
    expect(again.servers).toEqual({});
  });
});
