/**
 * Schema-driven fuzzing through the real server: requests generated from the
 * OpenAPI document (parameters, query strings, bodies in every listed media type,
 * with a share of hostile values), sent with a token of each scope, on SQLite and
 * on PostgreSQL (THRESHOLD_TEST_DATABASE_URL). Every answer must be below 500,
 * have a status the document lists for the operation, and a body matching the
 * schema the document gives for that status.
 *
 * Bounded: FUZZ_CASES cases per database (default 300); FUZZ_SEED replays a run.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { WIRE_VERSION } from '@threshold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryOf, hostileValue } from './support/schema-arbitrary.js';
import type { Resolve } from './support/schema-arbitrary.js';
import { INVALID_PLAN, SIGNOFF_PLAN, SIMPLE_PLAN } from './support/plans.js';
import { CALLERS, TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { Caller, TestServer } from './support/test-server.js';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Json;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

/** One generated request. */
interface Case {
  method: string;
  template: string;
  path: string;
  caller: Caller;
  contentType?: string;
  body?: string;
}

const CASES = Number(process.env.FUZZ_CASES ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const backends: ('sqlite' | 'postgres')[] = ['sqlite'];
if (TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== '') backends.push('postgres');
else console.warn('OpenAPI fuzz on PostgreSQL SKIPPED: set THRESHOLD_TEST_DATABASE_URL');

/** Operations not fuzzed, and why. */
const SKIP: Record<string, string> = {
  // Endless streams: their auth and 4xx are covered by scope-matrix.test.ts.
  'get /v1/stream': 'SSE',
  'get /api/v1/stream': 'SSE',
};

/** The caller whose token has exactly the scope an operation names. */
function ownCaller(op: Operation): Caller {
  const scope = (op as { 'x-threshold-scope'?: string })['x-threshold-scope'] ?? 'public';
  if (scope === 'approver') return 'approver:product';
  return scope === 'public' ? 'none' : (scope as Caller);
}

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);

describe.each(backends)('OpenAPI fuzz on %s', (backend) => {
  let t: TestServer;
  let doc: Document;
  let launchId = '';
  beforeAll(async () => {
    t = await startTestServer({ postgres: backend === 'postgres' });
    doc = (await t.json<Document>('none', 'GET', '/api/v1/openapi.json')).body;
    // Some records to find, so generated requests reach past the 404s.
    for (const plan of [SIMPLE_PLAN, SIGNOFF_PLAN])
      await t.call('operator', 'POST', '/api/v1/plans', plan, {
        'content-type': 'application/yaml',
      });
    const created = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'checkout-v2',
      },
    );
    launchId = created.body.launch.id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it(`answers ${CASES} generated requests below 500, as the document says (seed ${SEED})`, async () => {
    const resolve: Resolve = (ref, root) => {
      const components = /^#\/components\/schemas\/(.+)$/.exec(ref);
      if (components !== null) {
        const schema = doc.components.schemas[components[1] as string] as Json;
        return { schema, root: schema };
      }
      const local = /^#\/\$defs\/(.+)$/.exec(ref);
      const defs = root.$defs as Record<string, Json> | undefined;
      if (local !== null && defs?.[local[1] as string] !== undefined)
        return { schema: defs[local[1] as string] as Json, root };
      throw new Error(`cannot resolve ${ref}`);
    };
    const now = Date.now();
    const options = {
      hostile: 0.08,
      maxItems: 4,
      overrides: {
        // Mostly inside the accepted window, so some batches are stored.
        ts: fc.oneof(fc.integer({ min: now - 60_000, max: now + 60_000 }), hostileValue),
        sentAt: fc.constant(now),
        wireVersion: fc.oneof(
          { arbitrary: fc.constant(WIRE_VERSION), weight: 9 },
          { arbitrary: hostileValue, weight: 1 },
        ),
        // A rehearsal is bounded work only with few runs (its limits are issue 15's).
        runs: fc.integer({ min: 1, max: 2 }),
        durationMs: fc.integer({ min: 60_000, max: 3_600_000 }),
        unitsPerMinute: fc.integer({ min: 1, max: 50 }),
      } as Record<string, fc.Arbitrary<unknown>>,
    };
    const known = {
      id: fc.constantFrom(launchId, 'nope'),
      name: fc.constantFrom('checkout-v2', 'search-ranking', 'nope'),
      version: fc.constantFrom('1', '2'),
    } as Record<string, fc.Arbitrary<string>>;
    const planTexts = fc.oneof(
      fc.constantFrom(
        SIMPLE_PLAN,
        SIGNOFF_PLAN,
        INVALID_PLAN,
        `${SIMPLE_PLAN}# edit\n`,
        'a: [',
        '',
      ),
      fc.string({ maxLength: 40 }),
      fc.constant(SIMPLE_PLAN.replace('web-checkout', 'web\u0000checkout')),
    );

    const operations = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops)
        .filter(([method]) => SKIP[`${method} ${template}`] === undefined)
        .map(([method, op]) => ({ template, method, op })),
    );
    const caseOf = ({ template, method, op }: (typeof operations)[number]): fc.Arbitrary<Case> => {
      const params = op.parameters ?? [];
      const pathArbs = Object.fromEntries(
        params
          .filter((p) => p.in === 'path')
          .map((p) => [
            p.name,
            fc.oneof(
              known[p.name] ?? fc.constant('nope'),
              arbitraryOf(p.schema, p.schema, resolve, options).map(String),
            ),
          ]),
      ) as Record<string, fc.Arbitrary<string>>;
      const queryArbs = Object.fromEntries(
        params
          .filter((p) => p.in === 'query')
          .map((p) => [p.name, arbitraryOf(p.schema, p.schema, resolve, options).map(String)]),
      ) as Record<string, fc.Arbitrary<string>>;
      const content = op.requestBody?.content ?? {};
      const bodyArb: fc.Arbitrary<{ type?: string; body?: string }> =
        Object.keys(content).length === 0
          ? fc.constant({})
          : fc.constantFrom(...Object.keys(content)).chain((type) => {
              const text =
                YAML_TYPES.has(type) ||
                (type === 'text/plain' && template.startsWith('/api/v1/plans'))
                  ? planTexts
                  : arbitraryOf(
                      content[type]?.schema ?? {},
                      content[type]?.schema ?? {},
                      resolve,
                      options,
                    ).map((v) => JSON.stringify(v) ?? 'null');
              // Now and then a media type the route does not take.
              return fc.record({
                type: fc.oneof(
                  { arbitrary: fc.constant(type), weight: 19 },
                  { arbitrary: fc.constant('image/png'), weight: 1 },
                ),
                body: text,
              });
            });
      return fc
        .record({
          path: fc.record(pathArbs),
          query: fc.record(queryArbs, { requiredKeys: [] }),
          body: bodyArb,
          // Mostly the scope the route needs, so most cases get past the auth check.
          caller: fc.oneof(
            { arbitrary: fc.constant(ownCaller(op)), weight: 3 },
            { arbitrary: fc.constantFrom(...(Object.keys(CALLERS) as Caller[])), weight: 1 },
          ),
        })
        .map(({ path, query, body, caller }) => {
          // '.' and '..' are dot segments: the URL parser removes them before any server sees them.
          const concrete = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
            const v = path[name] ?? 'x';
            return v === '' || v === '.' || v === '..' ? 'x' : encodeURIComponent(v);
          });
          const search = new URLSearchParams(query as Record<string, string>).toString();
          return {
            method: method.toUpperCase(),
            template,
            path: search === '' ? concrete : `${concrete}?${search}`,
            caller,
            ...(body.type === undefined ? {} : { contentType: body.type, body: body.body }),
          };
        });
    };
    // Routes that take input get more cases than plain reads.
    const weighted = operations.map((o) => ({
      arbitrary: caseOf(o),
      weight: o.op.requestBody !== undefined ? 4 : (o.op.parameters?.length ?? 0) > 0 ? 2 : 1,
    }));
    const cases = fc.sample(fc.oneof(...weighted), { numRuns: CASES, seed: SEED });

    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
    ajv.addSchema({ $id: 'threshold-openapi', components: doc.components });
    const validators = new Map<string, ReturnType<typeof ajv.compile>>();
    const validatorFor = (key: string, schema: Json) => {
      let v = validators.get(key);
      if (v === undefined) {
        const text = JSON.stringify(schema).replaceAll(
          '"#/components/',
          '"threshold-openapi#/components/',
        );
        v = ajv.compile(JSON.parse(text) as Json);
        validators.set(key, v);
      }
      return v;
    };

    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let previous = '(none)';
    for (const c of cases) {
      const where = `${c.method} ${c.path} as ${c.caller}${c.body === undefined ? '' : ` (${c.contentType}) ${c.body.slice(0, 200)}`}`;
      const send = () =>
        t.call(
          c.caller,
          c.method,
          c.path,
          c.body,
          c.contentType === undefined ? {} : { 'content-type': c.contentType },
        );
      let res: Response;
      try {
        // One retry: a pooled connection can meet the server's keep-alive timeout
        // (5 s idle, e.g. while the cases are generated) as it is reused.
        res = await send().catch(send);
      } catch (e) {
        problems.push(
          `no answer (${String((e as Error).cause ?? e)}) for ${where}, after ${previous}`,
        );
        continue;
      }
      const text = await res.text();
      previous = `${where} → ${res.status}`;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const op = doc.paths[c.template]?.[c.method.toLowerCase()] as Operation;
      const spec = op.responses[String(res.status)];
      if (res.status >= 500) problems.push(`${res.status} for ${where}: ${text.slice(0, 300)}`);
      else if (spec === undefined)
        problems.push(`undocumented ${res.status} for ${where}: ${text.slice(0, 300)}`);
      else {
        const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
        // Media types compare without parameters (text/plain; version=0.0.4 is text/plain).
        const listed = Object.entries(spec.content ?? {}).find(
          ([key]) => key.split(';')[0]?.trim() === type,
        );
        const schema = listed?.[1].schema;
        if (text !== '' && listed === undefined)
          problems.push(`content type ${type} not listed for ${res.status} of ${where}`);
        if (schema !== undefined && type === 'application/json') {
          const validate = validatorFor(`${c.method} ${c.template} ${res.status}`, schema);
          if (!validate(JSON.parse(text)))
            problems.push(
              `body of ${res.status} does not match the document for ${where}: ${ajv.errorsText(validate.errors)}: ${text.slice(0, 300)}`,
            );
        }
      }
    }
    console.log(
      `fuzz ${backend} seed ${SEED}: ${cases.length} cases; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(problems.slice(0, 15)).toEqual([]);
    // The generator reaches the handlers, not only the auth check and the validation.
    expect([...statuses.keys()].filter((s) => s < 300).length).toBeGreaterThan(0);
  }, 120_000);
});
