/** Plans over HTTP: YAML or JSON in, every problem with its line and column out, versions kept. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_PLAN, SIMPLE_PLAN } from './support/plans.js';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const yaml = { 'content-type': 'application/yaml' };
type PlanErrors = { path: string; line: number; column: number; message: string }[];

describe('plans API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t?.close());

  it('validates YAML and answers the normalized plan', async () => {
    const res = await t.json('viewer', 'POST', '/api/v1/plans/validate', SIMPLE_PLAN, yaml);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true,
      name: 'checkout-v2',
      flag: 'checkout-v2',
      phases: 2,
    });
    expect((res.body.plan as { phases: { traffic: number }[] }).phases[0]?.traffic).toBe(0.01);
  });

  it('reports every problem of a YAML plan with line and column (422 PLAN_INVALID)', async () => {
    const res = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/plans/validate', INVALID_PLAN, {
      'content-type': 'text/yaml',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('PLAN_INVALID');
    const errors = res.body.error.details.errors as PlanErrors;
    expect(errors.map((e) => [e.path, e.line, e.column])).toEqual([
      ['phases[0].traffic', 4, 30],
      ['kpis', 6, 3],
      ['ownr', 7, 1],
    ]);
    expect(errors[2]?.message).toContain("did you mean 'owner'?");
    expect(res.body.error.message).toContain('line 4, column 30: phases[0].traffic');
  });

  it('reads JSON as YAML so positions point into the JSON text', async () => {
    const json = JSON.stringify(
      {
        launch: 'json-plan',
        owner: 'web',
        phases: [{ name: 'full', traffic: '100%', min_duraton: '1h' }],
        kpis: {
          'operational-health': [
            {
              name: 'errors',
              kind: 'occurrence',
              event: 'e',
              guard: { max: 0.02 },
              on_breach: 'rollback',
            },
          ],
        },
      },
      null,
      2,
    );
    const lines = json.split('\n');
    const line = lines.findIndex((l) => l.includes('min_duraton')) + 1;
    const column = (lines[line - 1] ?? '').indexOf('"min_duraton"') + 1;
    const res = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/plans/validate', json, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(422);
    const [error] = res.body.error.details.errors as PlanErrors;
    expect(error).toMatchObject({ path: 'phases[0].min_duraton', line, column });
    const valid = json.replace('min_duraton', 'min_duration');
    const ok = await t.json('operator', 'POST', '/api/v1/plans', valid, {
      'content-type': 'application/json',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ name: 'json-plan', version: 1, format: 'json' });
  });

  it('refuses other media types (415) and empty or non-UTF-8 bodies', async () => {
    const form = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/plans/validate', 'a=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.error.details.accepted).toContain('application/yaml');
    const empty = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/plans/validate', '', yaml);
    expect(empty.status).toBe(422);
    expect((empty.body.error.details.errors as PlanErrors)[0]?.message).toBe('the plan is empty');
    const binary = await fetch(`${t.url}/api/v1/plans/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.viewer}`, ...yaml },
      body: new Uint8Array([0xff, 0xfe, 0x00, 0x41]),
    });
    expect(binary.status).toBe(400);
    expect(((await binary.json()) as ErrorBody).error.code).toBe('MALFORMED_BODY');
  });

  it('an invalid upload writes nothing: no plan, no audit entry', async () => {
    const before = await t.json<{ entries: unknown[] }>('viewer', 'GET', '/api/v1/audit');
    const res = await t.json('operator', 'POST', '/api/v1/plans', INVALID_PLAN, yaml);
    expect(res.status).toBe(422);
    expect((await t.json('viewer', 'GET', '/api/v1/plans/broken/versions')).status).toBe(404);
    const after = await t.json<{ entries: unknown[] }>('viewer', 'GET', '/api/v1/audit');
    expect(after.body.entries.length).toBe(before.body.entries.length);
  });

  it('keeps every version; identical source returns the existing one without a new audit entry', async () => {
    const first = await t.json('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, yaml);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      name: 'checkout-v2',
      version: 1,
      created: true,
      createdBy: 'operator',
    });
    expect(first.headers.get('location')).toBe('/api/v1/plans/checkout-v2/versions/1');
    const again = await t.json('admin', 'POST', '/api/v1/plans', SIMPLE_PLAN, yaml);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 1, created: false, createdBy: 'operator' });
    const edited = SIMPLE_PLAN.replace('traffic: 1%', 'traffic: 2%');
    const second = await t.json('admin', 'POST', '/api/v1/plans', edited, {
      'content-type': 'text/plain',
    });
    expect(second.body).toMatchObject({ version: 2, created: true });

    const audit = await t.json<{ entries: { subject: string; actor: string }[] }>(
      'viewer',
      'GET',
      '/api/v1/audit?action=plan.uploaded',
    );
    expect(audit.body.entries.filter((e) => e.subject.startsWith('plan:checkout-v2@'))).toEqual([
      expect.objectContaining({ subject: 'plan:checkout-v2@1', actor: 'operator' }),
      expect.objectContaining({ subject: 'plan:checkout-v2@2', actor: 'admin' }),
    ]);

    const list = await t.json<{ plans: { name: string; latestVersion: number }[] }>(
      'viewer',
      'GET',
      '/api/v1/plans',
    );
    expect(list.body.plans.find((p) => p.name === 'checkout-v2')).toMatchObject({
      latestVersion: 2,
      versions: 2,
    });
    const versions = await t.json<{ versions: { version: number }[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/checkout-v2/versions',
    );
    expect(versions.body.versions.map((v) => v.version)).toEqual([1, 2]);
    const v1 = await t.json<{ source: string; plan: { phases: { traffic: number }[] } }>(
      'viewer',
      'GET',
      '/api/v1/plans/checkout-v2/versions/1',
    );
    expect(v1.body.source).toBe(SIMPLE_PLAN);
    expect(v1.body.plan.phases[0]?.traffic).toBe(0.01);
  });

  it('names a bad path parameter and 404s a missing version', async () => {
    const bad = await t.json<ErrorBody>('viewer', 'GET', '/api/v1/plans/checkout-v2/versions/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^path\.version: /);
    const missing = await t.json<ErrorBody>(
      'viewer',
      'GET',
      '/api/v1/plans/checkout-v2/versions/99',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe("no plan version 'checkout-v2@99'");
  });
});
