/**
 * The OpenAPI 3.1 document, generated from the route table and the zod schemas
 * the routes validate with, so it cannot drift from what the server does.
 */
import { ERROR_CODES } from '@threshold/core';
import { z } from 'zod';
import { describeAccess } from '../auth/scopes.js';
import { BASE_SCHEMAS, EXTENDS_KEY, errorBodySchema } from '../http/common-schemas.js';
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

/**
 * Schemas with an `id` (the launch summary) are components: zod emits them
 * under `$defs`; they move to components.schemas and every use becomes a `$ref`
 * there. An object that extends one (EXTENDS_KEY) becomes allOf the component
 * and its own fields, closed by unevaluatedProperties, so the component's
 * fields are written once. The component itself is left open, or no object
 * extending it could validate.
 */
function componentizer(components: Record<string, Json>): (schema: Json) => Json {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) out[key] = rewrite(value);
    if (typeof out.$ref === 'string' && out.$ref.startsWith('#/$defs/'))
      out.$ref = `#/components/schemas/${out.$ref.slice('#/$defs/'.length)}`;
    const base = out[EXTENDS_KEY];
    if (typeof base !== 'string') return out;
    const baseSchema = BASE_SCHEMAS[base];
    if (components[base] === undefined && baseSchema !== undefined)
      componentize(jsonSchemaOf(baseSchema, 'output'));
    const inherited = new Set(Object.keys((components[base]?.properties ?? {}) as Json));
    if (inherited.size === 0) throw new Error(`${EXTENDS_KEY}: no component ${base}`);
    const { properties, required, additionalProperties: _closed, ...rest } = out;
    delete rest[EXTENDS_KEY];
    const own = Object.entries((properties ?? {}) as Json).filter(([k]) => !inherited.has(k));
    return {
      ...rest,
      allOf: [{ $ref: `#/components/schemas/${base}` }],
      properties: Object.fromEntries(own),
      required: ((required ?? []) as string[]).filter((k) => !inherited.has(k)),
      unevaluatedProperties: false,
    };
  };
  const componentize = (schema: Json): Json => {
    const { $defs, ...rest } = schema;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      const { additionalProperties: _open, ...component } = rewrite(def) as Json;
      components[name] ??= component;
    }
    return rewrite(rest) as Json;
  };
  return componentize;
}

function operation(route: RouteSpec, hoist: Hoist, componentize: (schema: Json) => Json): Json {
  const responses: Json = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const content =
      spec.schema !== undefined
        ? {
            [spec.contentType ?? 'application/json']: {
              schema: componentize(jsonSchemaOf(spec.schema, 'output')),
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
  const componentize = componentizer(schemas);
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    (paths[path] as Json)[route.method] = operation(route, hoist, componentize);
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
