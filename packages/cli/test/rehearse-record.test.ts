/**
 * `threshold rehearse --record`: the server runs the rehearsal of the stored
 * version equal to the file and records it (ADR 0041); a file that is not a
 * stored version, and options the server's rehearsal does not take, are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/support/test-server.js';
import type { TestServer } from '../../server/test/support/test-server.js';
import { runCli } from './run-cli.js';

const PLAN = `launch: cli-rehearsed
owner: web-checkout
unit: userId
phases:
  - { name: canary, traffic: 5%, min_duration: 30m, min_units: 10 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase: 10% }, on_breach: rollback }
`;

describe('threshold rehearse --record', () => {
  let t: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'threshold-record-'));
  const env = () => ({ THRESHOLD_URL: t.url, THRESHOLD_TOKEN: t.tokens.viewer ?? '' });

  beforeAll(async () => {
    t = await startTestServer();
    const up = await t.call('operator', 'POST', '/api/v1/plans', PLAN, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
    writeFileSync(join(dir, 'plan.yaml'), PLAN);
    writeFileSync(join(dir, 'changed.yaml'), PLAN.replace('traffic: 5%', 'traffic: 10%'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs on the server, which records it with the stored version', async () => {
    const r = await runCli(
      [
        'rehearse',
        'plan.yaml',
        '--traffic',
        '200/min',
        '--inject',
        'error_rate=+200%',
        '--runs',
        '10',
        '--record',
        '--json',
      ],
      dir,
      env(),
    );
    expect(r.stderr).toMatch(/^recorded as rehearsal #\d+ of cli-rehearsed@1 on http:/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { settings: { runs: number } };
    expect(report.settings.runs).toBe(10);
    const list = await t.json<{
      rehearsals: { planVersion: number; actor: string; scenarios: { label: string }[] }[];
    }>('viewer', 'GET', '/api/v1/plans/cli-rehearsed/rehearsals');
    expect(list.body.rehearsals).toHaveLength(1);
    expect(list.body.rehearsals[0]).toMatchObject({ planVersion: 1, actor: 'viewer' });
    expect(list.body.rehearsals[0]?.scenarios.map((s) => s.label)).toEqual([
      'clean',
      'error_rate=+200%',
    ]);
  });

  it('refuses a file that is not a stored version, and options the server does not take', async () => {
    const changed = await runCli(
      ['rehearse', 'changed.yaml', '--traffic', '200/min', '--runs', '10', '--record'],
      dir,
      env(),
    );
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(
      '--record: this file is not a stored version of cli-rehearsed',
    );
    const audience = await runCli(
      ['rehearse', 'plan.yaml', '--traffic', '200/min', '--audience', 'canary=20%', '--record'],
      dir,
      env(),
    );
    expect(audience.code).toBe(2);
    expect(audience.stderr).toContain('--audience is not supported with --record');
    const list = await t.json<{ rehearsals: unknown[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/cli-rehearsed/rehearsals',
    );
    expect(list.body.rehearsals).toHaveLength(1);
  });
});
