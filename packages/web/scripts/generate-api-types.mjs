#!/usr/bin/env node
/**
 * Writes packages/web/src/api/api-schema.ts: the TypeScript types of the API
 * answers the dashboard reads, generated from the server's OpenAPI document (the
 * one GET /api/v1/openapi.json serves, built from the routes' zod schemas). The
 * dashboard's api-types.ts builds on these, so a field the server adds, drops or
 * renames reaches the dashboard's type check. `npm run api-types` runs it; a
 * test fails when the committed file and the server drift apart.
 *
 * JSON Schema → TypeScript for the subset the document uses; anything else is
 * refused by name rather than typed `unknown`, so the types never loosen silently.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPENAPI_PATH, createApp, openStore } from '@threshold/server';
import pino from 'pino';
import prettier from 'prettier';

/** The answers the dashboard reads: type name, method, path, status. */
export const DASHBOARD_ANSWERS = [
  ['WhoAmIAnswer', 'get', '/api/v1/whoami', '200'],
  ['DashboardLaunchesAnswer', 'get', '/api/v1/dashboard/launches', '200'],
  ['LaunchesAnswer', 'get', '/api/v1/launches', '200'],
  ['LaunchDetailAnswer', 'get', '/api/v1/launches/{id}', '200'],
  ['LaunchEventsAnswer', 'get', '/api/v1/launches/{id}/events', '200'],
  ['LooksAnswer', 'get', '/api/v1/launches/{id}/looks', '200'],
  ['OperatorActionAnswer', 'post', '/api/v1/launches/{id}/pause', '200'],
  ['LaunchReportAnswer', 'get', '/api/v1/launches/{id}/report', '200'],
  ['ReviewAnswer', 'post', '/api/v1/launches/{id}/review', '201'],
  ['PortfolioAnswer', 'get', '/api/v1/portfolio', '200'],
  ['PlanHistoryAnswer', 'get', '/api/v1/plans/{name}/history', '200'],
  ['ApprovalAnswer', 'post', '/api/v1/launches/{id}/approvals', '201'],
  ['PlansAnswer', 'get', '/api/v1/plans', '200'],
  ['PlanVersionsAnswer', 'get', '/api/v1/plans/{name}/versions', '200'],
  ['PlanVersionAnswer', 'get', '/api/v1/plans/{name}/versions/{version}', '200'],
  ['AuditAnswer', 'get', '/api/v1/audit', '200'],
  ['AuditVerificationAnswer', 'get', '/api/v1/audit/verify', '200'],
  ['RehearsalAnswer', 'post', '/api/v1/rehearsals', '200'],
];

/** Where the generated types live. */
export const API_SCHEMA_FILE = fileURLToPath(new URL('../src/api/api-schema.ts', import.meta.url));

/** The server's OpenAPI document, from an app on an in-memory store (no port, no files). */
export async function openApiDocument() {
  const store = await openStore({ url: 'sqlite::memory:' });
  try {
    const app = createApp({ store, logger: pino({ level: 'silent' }) });
    const res = await app.request(OPENAPI_PATH);
    if (res.status !== 200) throw new Error(`${OPENAPI_PATH} answered ${res.status}`);
    return await res.json();
  } finally {
    await store.close();
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// Keywords that only constrain values (bounds, formats), not the shape a type describes.
const VALUE_ONLY = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'format',
  'default',
  'examples',
  'description',
  'title',
  '$id',
  'propertyNames',
]);

function comment(text, indent) {
  if (typeof text !== 'string' || text === '') return '';
  return `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n`;
}

/** Emits TypeScript for JSON Schemas, hoisting every titled object into a named interface. */
class Emitter {
  constructor(doc) {
    this.doc = doc;
    /** title → { schema, text } */
    this.named = new Map();
  }

  fail(where, why) {
    throw new Error(`generate-api-types: ${where}: ${why}`);
  }

  /** A type expression for `schema`; titled objects become references to their interface. */
  type(schema, where) {
    if (schema === true || (typeof schema === 'object' && Object.keys(schema).length === 0))
      return 'unknown';
    if (schema === false) return 'never';
    if (typeof schema !== 'object' || schema === null) this.fail(where, 'not a schema');
    for (const key of Object.keys(schema)) {
      if (
        !VALUE_ONLY.has(key) &&
        ![
          'type',
          'properties',
          'required',
          'additionalProperties',
          'items',
          'prefixItems',
          'enum',
          'const',
          'anyOf',
          'allOf',
          'unevaluatedProperties',
          '$ref',
        ].includes(key)
      )
        this.fail(where, `unsupported keyword ${key}`);
    }
    if (schema.$ref !== undefined) return this.ref(schema.$ref, where);
    if (schema.unevaluatedProperties !== undefined && schema.unevaluatedProperties !== false)
      this.fail(where, 'only unevaluatedProperties: false is supported');
    if (schema.allOf !== undefined) return this.extension(schema, where);
    if (typeof schema.title === 'string' && schema.type === 'object') {
      return this.hoist(schema.title, schema, where);
    }
    return this.shape(schema, where);
  }

  ref(ref, where) {
    const prefix = '#/components/schemas/';
    if (!ref.startsWith(prefix)) this.fail(where, `unsupported $ref ${ref}`);
    const name = ref.slice(prefix.length);
    const target = this.doc.components?.schemas?.[name];
    if (target === undefined) this.fail(where, `dangling $ref ${ref}`);
    return this.hoist(name, target, ref);
  }

  /**
   * An object that extends named ones (allOf of `$ref`s, plus its own fields): a
   * titled one is an interface that extends them, an untitled one their intersection.
   */
  extension(schema, where) {
    if (schema.type !== 'object') this.fail(where, 'allOf on something other than an object');
    const bases = schema.allOf.map((s, i) => {
      if (s.$ref === undefined) this.fail(`${where}.allOf[${i}]`, 'allOf of anything but $refs');
      return this.ref(s.$ref, `${where}.allOf[${i}]`);
    });
    if (typeof schema.title !== 'string') return [...bases, this.object(schema, where)].join(' & ');
    return this.hoist(schema.title, schema, where, ` extends ${bases.join(', ')}`);
  }

  /** A named interface for `schema` (once per name), extending `heritage` when given. */
  hoist(name, schema, where, heritage = '') {
    if (!IDENTIFIER.test(name)) this.fail(where, `title ${JSON.stringify(name)} is no identifier`);
    const known = this.named.get(name);
    if (known !== undefined) {
      if (JSON.stringify(known.schema) !== JSON.stringify(schema))
        this.fail(where, `two different schemas are titled ${name}`);
      return name;
    }
    const entry = { schema, text: '' };
    this.named.set(name, entry);
    entry.text = `${comment(schema.description, '')}export interface ${name}${heritage} ${this.object(
      schema,
      `${name}`,
    )}\n`;
    return name;
  }

  shape(schema, where) {
    if (schema.anyOf !== undefined) {
      return this.union(schema.anyOf.map((s, i) => this.type(s, `${where}.anyOf[${i}]`)));
    }
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum !== undefined) return this.union(schema.enum.map((v) => JSON.stringify(v)));
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length > 1) {
      return this.union(types.map((t) => this.shape({ ...schema, type: t }, where)));
    }
    switch (types[0]) {
      case 'string':
        return 'string';
      case 'number':
      case 'integer':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'object':
        return this.object(schema, where);
      case 'array':
        return this.array(schema, where);
      default:
        return this.fail(where, `unsupported type ${JSON.stringify(schema.type)}`);
    }
  }

  union(parts) {
    return [...new Set(parts)].join(' | ');
  }

  array(schema, where) {
    if (schema.prefixItems !== undefined) {
      if (schema.items !== false) this.fail(where, 'open tuples are not supported');
      return `[${schema.prefixItems.map((s, i) => this.type(s, `${where}[${i}]`)).join(', ')}]`;
    }
    if (schema.items === undefined) return 'unknown[]';
    const item = this.type(schema.items, `${where}[]`);
    return /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
  }

  object(schema, where) {
    const props = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    const extra = schema.additionalProperties;
    const lines = [];
    for (const [name, prop] of Object.entries(props)) {
      const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
      const optional = required.has(name) ? '' : '?';
      lines.push(
        `${comment(prop.description, '  ')}  ${key}${optional}: ${this.type(prop, `${where}.${name}`)};`,
      );
    }
    if (extra !== undefined && extra !== false) {
      if (Object.keys(props).length > 0) this.fail(where, 'properties with additionalProperties');
      lines.push(`  [key: string]: ${this.type(extra, `${where}[key]`)};`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n}`;
  }
}

/** The generated module's text (formatted as the repository formats TypeScript). */
export async function renderApiTypes(doc, answers = DASHBOARD_ANSWERS) {
  const emitter = new Emitter(doc);
  const aliases = [];
  for (const [name, method, path, status] of answers) {
    const where = `${method.toUpperCase()} ${path} ${status}`;
    const response = doc.paths?.[path]?.[method]?.responses?.[status];
    if (response === undefined) emitter.fail(where, 'no such answer in the OpenAPI document');
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) emitter.fail(where, 'no application/json schema');
    aliases.push(
      `/** ${where}: ${response.description} */\nexport type ${name} = ${emitter.type(schema, where)};\n`,
    );
  }
  const error = doc.components?.schemas?.Error;
  if (error === undefined) emitter.fail('components.schemas.Error', 'missing');
  // Not hoisted under its title: an interface named Error would shadow the global one.
  aliases.push(
    `/** Every error answer. */\nexport interface ErrorAnswer ${emitter.object(error, 'Error')}\n`,
  );
  const named = [...emitter.named.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, entry]) => entry.text);
  const text = `/**
 * The API answers the dashboard reads, as the server's OpenAPI document (${doc.openapi}) describes
 * them. GENERATED by \`npm run api-types\` (packages/web/scripts/generate-api-types.mjs): do not
 * edit; a test fails when this file and the server drift apart.
 */

${aliases.join('\n')}
${named.join('\n')}`;
  const options = (await prettier.resolveConfig(API_SCHEMA_FILE)) ?? {};
  return prettier.format(text, { ...options, filepath: API_SCHEMA_FILE });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = await renderApiTypes(await openApiDocument());
  writeFileSync(API_SCHEMA_FILE, text);
  console.log(`wrote ${API_SCHEMA_FILE}`);
  // The app's rehearsal pool and hub hold no work, but may keep timers; nothing is left to do.
  process.exit(0);
}
