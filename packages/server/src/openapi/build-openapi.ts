/**
 * The OpenAPI 3.1 document, generated from the route table and the zod schemas
 * the routes validate with, so it cannot drift from what the server does.
 */
import { ERROR_CODES } from '@threshold/core';
import { z } from 'zod';
import { describeAccess } from '../auth/scopes.js';
import { errorBodySchema } from '../http/common-schemas.js';
import type { RouteSpec } from '../http/route-spec.js';
import { openApiPath } from '../http/route-spec.js';

type Json = Record<string, unknown>;

function isZod(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema's input side. */
export function jsonSchemaOf(schema: z.ZodType | Json, io: 'input' | 'output' = 'input'): Json {
  if (!isZod(schema)) return schema;
  const out = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  delete out.$schema;
  return out;
}

function parameters(route: RouteSpec): Json[] {
  const out: Json[] = [];
  const pathSchema = route.params === undefined ? undefined : jsonSchemaOf(route.params);
  const pathProps = (pathSchema?.properties ?? {}) as Record<string, Json>;
  for (const match of route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = match[1] ?? '';
    out.push({ name, in: 'path', required: true, schema: pathProps[name] ?? { type: 'string' } });
  }
  if (route.query !== undefined) {
    const schema = jsonSchemaOf(route.query);
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
      const { description, ...rest } = prop;
      out.push({
        name,
        in: 'query',
        required: required.has(name) && !('default' in prop),
        schema: rest,
        ...(description === undefined ? {} : { description }),
      });
    }
  }
  return out;
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function errorResponse(description: string): Json {
  return { description, content: errorContent };
}

/**
 * Schemas with an `$id` (the plan schema) may appear once in a document: the
 * first use puts them in components.schemas (named after the `$id`'s file) and
 * every use becomes a `$ref`.
 */
type Hoist = (schema: Json) => Json;

function hoister(components: Record<string, Json>): Hoist {
  return (schema) => {
    const id = schema.$id;
    if (typeof id !== 'string') return schema;
    const file = id.split('/').pop() ?? 'schema';
    const base = file.replace(/\.schema\.json$|\.json$/, '');
    const name = base.charAt(0).toUpperCase() + base.slice(1);
    components[name] ??= schema;
    return { $ref: `#/components/schemas/${name}` };
  };
}

function operation(route: RouteSpec, hoist: Hoist): Json {
  const responses: Json = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const content =
      spec.schema !== undefined
        ? {
            [spec.contentType ?? 'application/json']: {
              schema: jsonSchemaOf(spec.schema, 'output'),
            },
          }
        : spec.contentType !== undefined
          ? { [spec.contentType]: { schema: { type: 'string' } } }
          : Number(status) >= 400
            ? errorContent
            : undefined;
    responses[status] = { description: spec.description, ...(content ? { content } : {}) };
  }
  const add = (status: number, text: string) => {
    responses[String(status)] ??= errorResponse(text);
  };
  if (route.body !== undefined || route.query !== undefined || route.params !== undefined) {
    add(400, 'VALIDATION_FAILED or MALFORMED_BODY: details.errors names each field.');
  }
  if (route.access !== 'public') {
    add(401, 'UNAUTHENTICATED: no token, or an unknown or revoked one.');
    add(403, `FORBIDDEN: the route needs scope ${describeAccess(route.access)}.`);
  }
  if (route.params !== undefined) add(404, 'NOT_FOUND.');
  if (route.body !== undefined) {
    add(413, 'PAYLOAD_TOO_LARGE.');
    add(415, 'UNSUPPORTED_MEDIA_TYPE.');
  }
  // Every code the route may answer, under its registry status.
  const byStatus = new Map<number, string[]>();
  for (const code of route.errors ?? []) {
    const info = ERROR_CODES[code as keyof typeof ERROR_CODES];
    if (info === undefined) throw new Error(`${route.path}: unknown error code ${code}`);
    byStatus.set(info.status, [...(byStatus.get(info.status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) add(status, `${codes.join(' or ')}.`);
  add(500, 'INTERNAL: see the server log for the requestId.');

  const op: Json = {
    operationId: `${route.method}${route.path
      .replace(/^\/(api\/)?/, '')
      .split(/[/:-]+/)
      .filter(Boolean)
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('')}`,
    summary: route.summary,
    tags: [route.tag],
    'x-threshold-scope': route.access,
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
    responses,
  };
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body !== undefined) {
    const content: Json = {};
    for (const [type, schema] of Object.entries(route.body.content)) {
      content[type] = { schema: hoist(jsonSchemaOf(schema)) };
    }
    op.requestBody = { required: route.body.required ?? true, content };
  }
  return op;
}

/** The OpenAPI 3.1 document of every route. */
export function buildOpenApi(routes: readonly RouteSpec[], version: string): Json {
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = { Error: jsonSchemaOf(errorBodySchema, 'output') };
  const hoist = hoister(schemas);
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    (paths[path] as Json)[route.method] = operation(route, hoist);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Threshold API',
      version,
      description:
        'Launch control plane API. Bearer tokens only (no cookies). Every error is { error: { code, message, details, requestId } }; codes: ' +
        Object.keys(ERROR_CODES).join(', ') +
        '.',
    },
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A Threshold token (thr_…) with the scope each operation names in x-threshold-scope.',
        },
      },
      schemas,
    },
  };
}
