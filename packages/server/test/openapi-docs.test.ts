/** The OpenAPI document and docs/api.md cannot drift from the routes and the error registry. */
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '@threshold/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

type Operation = {
  'x-threshold-scope': string;
  summary: string;
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
};

const apiMd = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

/** Rows of the markdown table that follows `heading`, as trimmed cells. */
function tableAfter(heading: string): string[][] {
  const section = apiMd.split(heading)[1] ?? '';
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('OpenAPI document', () => {
  let t: TestServer;
  let doc: OpenApi;
  beforeAll(async () => {
    t = await startTestServer();
    doc = (await t.json<OpenApi>('none', 'GET', '/api/v1/openapi.json')).body;
  });
  afterAll(async () => t?.close());

  it('is OpenAPI 3.1 and lists every registered route with its scope', () => {
    expect(doc.openapi).toBe('3.1.0');
    const registered = t.server.app.routes.filter((r) => r.method !== 'ALL');
    expect(registered.length).toBeGreaterThan(20);
    for (const r of registered) {
      const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op?.['x-threshold-scope']).toMatch(/^(public|sdk|viewer|operator|admin|approver)$/);
      expect(op?.security.length).toBe(op?.['x-threshold-scope'] === 'public' ? 0 : 1);
    }
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(documented).toBe(new Set(registered.map((r) => `${r.method} ${r.path}`)).size);
  });

  it('is valid against the official OpenAPI 3.1 meta-schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(validator.version).toBe('3.1');
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('carries the zod schemas: bodies, parameters and the one error shape', () => {
    const pause = doc.paths['/api/v1/launches/{id}/pause']?.post;
    expect(pause?.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    expect(pause?.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['reason'],
      properties: { reason: expect.objectContaining({ type: 'string', minLength: 1 }) },
    });
    expect(pause?.responses['409']).toBeDefined();
    const audit = doc.paths['/api/v1/audit']?.get;
    expect(audit?.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['action', 'query', false],
      ['subject', 'query', false],
      ['after', 'query', false],
      ['limit', 'query', false],
    ]);
    const events = doc.paths['/v1/events']?.post;
    expect(Object.keys(events?.requestBody?.content ?? {})).toEqual([
      'application/json',
      'text/plain',
    ]);
    expect(events?.requestBody?.content['application/json']?.schema).toMatchObject({
      required: expect.arrayContaining(['wireVersion', 'events']),
    });
    const plans = doc.paths['/api/v1/plans']?.post;
    expect(Object.keys(plans?.requestBody?.content ?? {})).toEqual([
      'application/yaml',
      'application/x-yaml',
      'text/yaml',
      'text/plain',
      'application/json',
    ]);
    // The plan schema has an $id, so it is in the document once and referenced.
    expect(plans?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Plan',
    });
    expect((doc.components.schemas as Record<string, unknown>).Plan).toMatchObject({
      type: 'object',
    });
    // The edge's limits are in the document: no NUL, lengths, integer columns.
    expect(doc.paths['/api/v1/plans/{name}/versions/{version}']?.get?.parameters).toEqual([
      {
        name: 'name',
        in: 'path',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000]*$' },
      },
      {
        name: 'version',
        in: 'path',
        required: true,
        schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
      },
    ]);
    expect(
      doc.paths['/api/v1/tokens']?.post?.requestBody?.content['application/json']?.schema,
    ).toMatchObject({ properties: { name: { maxLength: 100, pattern: '^[^\\u0000]*$' } } });
    // Every code a route may answer is listed under its status.
    expect(Object.keys(doc.paths['/api/v1/launches']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '415', '500']),
    );
    expect(Object.keys(doc.paths['/api/v1/rehearsals']?.post?.responses ?? {})).toContain('404');
    expect(Object.keys(doc.paths['/v1/events']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '413', '415', '429']),
    );
    const errorSchema = (
      doc.components.schemas as Record<
        string,
        { properties: { error: { properties: { code: { enum: string[] } } } } }
      >
    ).Error;
    expect(errorSchema?.properties.error.properties.code.enum).toEqual(Object.keys(ERROR_CODES));
  });

  it('defines the launch summary once: every answer carrying one references it, and real answers validate', async () => {
    const schemas = doc.components.schemas as Record<string, Record<string, unknown>>;
    expect(schemas.LaunchSummary).toMatchObject({ type: 'object', title: 'LaunchSummary' });
    const json = JSON.stringify(doc.paths);
    // Its fields are written in the component only.
    expect(json).not.toContain('"phaseStartedAt"');
    const ref = { $ref: '#/components/schemas/LaunchSummary' };
    const schemaOf = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    expect(schemaOf('/api/v1/launches/{id}/pause', 'post', '200')).toMatchObject({
      properties: { launch: ref },
    });
    expect(schemaOf('/api/v1/launches', 'get', '200')).toMatchObject({
      properties: {
        launches: {
          items: { title: 'LaunchListEntry', allOf: [ref], required: ['owner', 'standing'] },
        },
      },
    });
    expect(schemaOf('/api/v1/launches/{id}', 'get', '200')).toMatchObject({
      properties: { launch: { allOf: [ref], required: ['salt'], unevaluatedProperties: false } },
    });

    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'threshold-openapi', components: doc.components });
    const check = (schema: unknown, body: unknown) => {
      const validate = ajv.compile(
        JSON.parse(
          JSON.stringify(schema).replaceAll('"#/components/', '"threshold-openapi#/components/'),
        ) as object,
      );
      expect(validate(body), ajv.errorsText(validate.errors)).toBe(true);
      return validate;
    };
    await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, {
      'content-type': 'application/yaml',
    });
    const plan = /launch: (\S+)/.exec(SIMPLE_PLAN)?.[1] ?? '';
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      { plan },
    );
    expect(started.status).toBe(201);
    const id = started.body.launch.id;
    const list = await t.json('viewer', 'GET', '/api/v1/launches');
    check(schemaOf('/api/v1/launches', 'get', '200'), list.body);
    const overview = await t.json('viewer', 'GET', '/api/v1/dashboard/launches');
    check(schemaOf('/api/v1/dashboard/launches', 'get', '200'), overview.body);
    const detail = await t.json<{ launch: Record<string, unknown> }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    const detailSchema = check(schemaOf('/api/v1/launches/{id}', 'get', '200'), detail.body);
    // Closed still: a field neither the summary nor the detail names is refused.
    expect(detailSchema({ ...detail.body, launch: { ...detail.body.launch, extra: 1 } })).toBe(
      false,
    );
  });
});

describe('docs/api.md', () => {
  it('error table equals the registry (code, status, meaning)', () => {
    const rows = tableAfter('## Errors');
    expect(rows).toEqual(
      Object.entries(ERROR_CODES).map(([code, info]) => [
        `\`${code}\``,
        String(info.status),
        info.description,
      ]),
    );
  });

  it('route table lists every route with its scope, as the OpenAPI document says', async () => {
    const t = await startTestServer();
    try {
      const doc = (await t.json<OpenApi>('none', 'GET', '/api/v1/openapi.json')).body;
      const expected = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => [
          `\`${method.toUpperCase()}\``,
          `\`${path}\``,
          op['x-threshold-scope'],
        ]),
      );
      const rows = tableAfter('## Routes').map((r) => r.slice(0, 3));
      expect(rows.sort()).toEqual(expected.sort());
    } finally {
      await t.close();
    }
  });
});
