/**
 * The dashboard's API types come from one source with the server: api-schema.ts
 * is generated from the server's OpenAPI document, and api-types.ts narrows it
 * with core's types only where the check below proves the narrowing fits.
 */
import { readFileSync } from 'node:fs';
import type { Condition } from '@threshold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_SCHEMA_FILE,
  openApiDocument,
  renderApiTypes,
} from '../scripts/generate-api-types.mjs';
import type { Look } from '../src/api/api-schema.js';
import type { LookRecord, Refine } from '../src/api/api-types.js';

type Json = Record<string, unknown>;

describe('API types', () => {
  let doc: Json;
  beforeAll(async () => {
    doc = await openApiDocument();
  });

  it('are what the server documents today (run `npm run api-types` after changing a route schema)', async () => {
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(await renderApiTypes(doc));
  });

  it('follow the server: a field it adds to a look reaches the generated types', async () => {
    const changed = structuredClone(doc) as {
      paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
    };
    const looks = changed.paths['/api/v1/launches/{id}/looks']?.get?.responses['200'] as {
      content: { 'application/json': { schema: { properties: { looks: { items: Json } } } } };
    };
    const look = looks.content['application/json'].schema.properties.looks.items as {
      properties: Record<string, Json>;
      required: string[];
    };
    look.properties.decisiveSeq = { type: 'integer' };
    look.required.push('decisiveSeq');
    const text = await renderApiTypes(changed);
    expect(text).not.toBe(readFileSync(API_SCHEMA_FILE, 'utf8'));
    const lookType = text.split('export interface Look {')[1]?.split('\n}\n')[0] ?? '';
    expect(lookType).toContain('decisiveSeq: number;');
  });

  it('refuses what it cannot type instead of loosening it to unknown', async () => {
    await expect(renderApiTypes(doc, [['Nope', 'get', '/api/v1/nothing', '200']])).rejects.toThrow(
      'GET /api/v1/nothing 200: no such answer in the OpenAPI document',
    );
    const odd = structuredClone(doc) as {
      paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
    };
    const who = odd.paths['/api/v1/whoami']?.get?.responses['200'] as {
      content: { 'application/json': { schema: Json } };
    };
    who.content['application/json'].schema = { oneOf: [{ type: 'string' }] };
    await expect(
      renderApiTypes(odd, [['WhoAmIAnswer', 'get', '/api/v1/whoami', '200']]),
    ).rejects.toThrow('unsupported keyword oneOf');
  });

  it('narrow open fields only with types that fit (checked by the type check)', () => {
    // Each line below compiles only because Refine refuses the misfit.
    // @ts-expect-error a look's state is a string on the wire, never a number
    type _WrongType = Refine<Look, { state: number }>;
    // @ts-expect-error a field the server does not send cannot be invented
    type _Invented = Refine<Look, { decisiveSeq: number }>;
    type _Fits = Refine<Look, { conditions: Condition[] }>;
    const fits: _Fits['conditions'] = [{ id: 'min-duration', met: true }] as Condition[];
    const record: Pick<LookRecord, 'conditions'> = { conditions: fits };
    expect(record.conditions[0]?.id).toBe('min-duration');
  });
});
