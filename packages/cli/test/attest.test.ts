/** `threshold launch attest`: a readiness check attested as its owner's role, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_READY_PLAN } from '../../server/test/support/plans.js';
import { startTestServer } from '../../server/test/support/test-server.js';
import type { TestServer } from '../../server/test/support/test-server.js';
import { REPO_ROOT, runCli } from './run-cli.js';

describe('threshold launch attest', () => {
  let t: TestServer;
  let sre = '';

  beforeAll(async () => {
    t = await startTestServer();
    sre = (await t.token('sre-sam', ['approver:sre'])).token;
    const up = await t.call('operator', 'POST', '/api/v1/plans', NOT_READY_PLAN, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('attests as the owner and prints the checklist; another role is refused', async () => {
    const env = { THRESHOLD_URL: t.url, THRESHOLD_TOKEN: sre };
    const args = ['launch', 'attest', 'not-ready', '--check', 'Load test at 3x peak passed'];
    const r = await runCli(
      [...args, '--note', 'k6 run 4812', '--expires', '2099-01-01T00:00:00Z'],
      REPO_ROOT,
      env,
    );
    expect(r.stderr).toBe(
      'threshold launch attest: body.expiresAt: must be in the future and at most a year ahead\n',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const ok = await runCli(
      [...args, '--note', 'k6 run 4812', '--link', 'https://ci.example.com/4812'],
      REPO_ROOT,
      env,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^sre-sam attested "Load test at 3x peak passed" as sre until \S+\n {2}✓ Load test at 3x peak passed \(sre\): attested by sre-sam until \S+\n {2}· Runbook reviewed \(sre, advisory\): missing\n$/,
    );
    const viewer = await runCli([...args, '--note', 'x'], REPO_ROOT, {
      THRESHOLD_URL: t.url,
      THRESHOLD_TOKEN: t.tokens.viewer ?? '',
    });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/approver:<role>/);
    const missing = await runCli(['launch', 'attest', 'not-ready', '--note', 'x'], REPO_ROOT, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--check is required/);
  });
});
