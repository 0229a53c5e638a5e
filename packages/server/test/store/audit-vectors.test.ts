/** The audit chain and canonical JSON agree with the golden vectors (made by an independent implementation). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditHash, auditHashInput, canonicalJson, openStore } from '../../src/store/index.js';
import type { AuditEntry } from '../../src/store/index.js';

interface Vectors {
  canonicalJson: { value: unknown; canonical: string }[];
  auditChain: (AuditEntry & { hashInput: string })[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/audit-chain.json', import.meta.url), 'utf8'),
) as Vectors;

describe('canonicalJson', () => {
  it.each(vectors.canonicalJson.map((c) => [c.canonical, c.value] as const))(
    'writes %s',
    (canonical, value) => {
      expect(canonicalJson(value)).toBe(canonical);
    },
  );

  it('drops undefined members, nulls what JSON cannot hold and honours toJSON', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, Number.NaN, Infinity] })).toBe(
      '{"a":[null,null,null]}',
    );
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(-0)).toBe('0');
  });

  it('is stable under a parse round trip', () => {
    for (const c of vectors.canonicalJson)
      expect(canonicalJson(JSON.parse(c.canonical))).toBe(c.canonical);
  });
});

describe('audit hash chain', () => {
  it.each(vectors.auditChain.map((e) => [e.seq, e] as const))('entry %i', (_seq, entry) => {
    const { hash, hashInput, ...fields } = entry;
    expect(auditHashInput(fields)).toBe(hashInput);
    expect(auditHash(fields)).toBe(hash);
  });

  it('is what a store writes for the same entries', async () => {
    const times = vectors.auditChain.map((e) => Date.parse(e.at));
    let i = 0;
    // The store reads the clock once per append for `at`.
    const store = await openStore({ url: 'sqlite::memory:', clock: () => times[i] ?? 0 });
    try {
      for (const e of vectors.auditChain) {
        const written = await store.appendAudit({
          actor: e.actor,
          action: e.action,
          subject: e.subject,
          data: e.data,
        });
        i++;
        expect(written.hash).toBe(e.hash);
      }
      expect(await store.verifyAudit()).toMatchObject({
        ok: true,
        entries: vectors.auditChain.length,
      });
    } finally {
      await store.close();
    }
  });
});
