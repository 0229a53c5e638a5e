import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { armOf, EVALUATION_REASONS } from '@threshold/core';
import { createClient } from '@threshold/sdk';
import { doc, flag } from './support/test-server.js';

interface Vector {
  unitId: string;
  salt: string;
  version: 1;
  bucket: number;
}

const vectorsPath = fileURLToPath(
  new URL('../../core/test/vectors/bucketing.json', import.meta.url),
);
const golden = JSON.parse(readFileSync(vectorsPath, 'utf8')) as { vectors: Vector[] };

const audienceFlag = flag({
  key: 'checkout-v2',
  traffic: 1000,
  audience: [{ attribute: 'country', op: 'in', values: ['NL', 'SE'] }],
  phase: 'early',
});

describe('offline evaluation (bootstrap)', () => {
  const client = createClient({ bootstrap: doc('v1', [audienceFlag]) });

  it('is ready at once and evaluates without a server', async () => {
    await client.ready();
    expect(client.status).toBe('ready');
    const on = Array.from({ length: 2000 }, (_, i) =>
      client.isOn('checkout-v2', { userId: `u${i}`, country: 'NL' }),
    ).filter(Boolean).length;
    // 10% rollout: about 200 of 2000, with generous binomial slack.
    expect(on).toBeGreaterThan(120);
    expect(on).toBeLessThan(280);
  });

  it('isOn and evaluate agree, and evaluate explains', () => {
    for (let i = 0; i < 300; i++) {
      const ctx = { userId: `user-${i}`, country: 'SE' };
      const d = client.evaluate('checkout-v2', ctx);
      expect(d.value).toBe(client.isOn('checkout-v2', ctx));
      expect(d.reason).toBe(EVALUATION_REASONS.SPLIT);
      expect(d.arm).toBe(d.value ? 'treatment' : 'control');
      expect(d.launch).toBe('checkout-v2#1');
      expect(d.phase).toBe('early');
      expect(d.bucket).toBeGreaterThanOrEqual(0);
      expect(d.bucket).toBeLessThan(10_000);
    }
  });

  it('audience miss is off, not the default', () => {
    const d = client.evaluate('checkout-v2', { userId: 'u1', country: 'DE' }, true);
    expect(d).toMatchObject({ value: false, reason: EVALUATION_REASONS.AUDIENCE_MISS });
    expect(client.isOn('checkout-v2', { userId: 'u1', country: 'DE' }, true)).toBe(false);
  });

  it('unknown flag and missing unit return the default with a reason', () => {
    expect(client.evaluate('nope', { userId: 'u1' }, true)).toMatchObject({
      value: true,
      reason: EVALUATION_REASONS.FLAG_NOT_FOUND,
    });
    expect(client.isOn('nope', { userId: 'u1' }, true)).toBe(true);
    for (const ctx of [
      { country: 'NL' },
      { userId: '', country: 'NL' },
      { userId: {}, country: 'NL' },
    ]) {
      expect(client.evaluate('checkout-v2', ctx, true)).toMatchObject({
        value: true,
        reason: EVALUATION_REASONS.MISSING_UNIT,
      });
      expect(client.isOn('checkout-v2', ctx, true)).toBe(true);
    }
  });

  it('checks the audience before the unit: outside the audience is off even without a unit', () => {
    expect(client.evaluate('checkout-v2', { country: 'DE' }, true)).toMatchObject({
      value: false,
      reason: EVALUATION_REASONS.AUDIENCE_MISS,
    });
    expect(client.isOn('checkout-v2', { country: 'DE' }, true)).toBe(false);
  });

  it('numeric unit ids are bucketed like their string form', () => {
    const a = client.evaluate('checkout-v2', { userId: 12345, country: 'NL' });
    const b = client.evaluate('checkout-v2', { userId: '12345', country: 'NL' });
    expect(a.bucket).toBe(b.bucket);
  });

  it('validates the bootstrap document like any other', async () => {
    const errors: unknown[] = [];
    const bad = createClient({
      bootstrap: { ...doc('v1', [audienceFlag]), wireVersion: 2 } as never,
      readyTimeoutMs: 20,
      onError: (e) => errors.push(e),
    });
    expect(bad.status).toBe('not-ready');
    expect(bad.stats.rejectedConfigs).toBe(1);
    expect(String(errors[0])).toMatch(/wireVersion/);
    await expect(bad.ready()).rejects.toThrow();
  });

  it('NOT_READY before any config', () => {
    const empty = createClient({ url: 'http://127.0.0.1:9', readyTimeoutMs: 50, events: false });
    expect(empty.evaluate('x', { userId: 'u' }, true)).toMatchObject({
      value: true,
      reason: EVALUATION_REASONS.NOT_READY,
    });
    expect(empty.status).toBe('not-ready');
    void empty.close();
  });
});

describe('launch states', () => {
  const flags = [
    flag({ key: 'rb', state: 'rolled-back', traffic: 10_000 }),
    flag({
      key: 'done',
      state: 'completed',
      traffic: 0,
      audience: [{ attribute: 'country', op: 'eq', values: ['NL'] }],
    }),
    flag({ key: 'paused', state: 'paused', traffic: 2500 }),
    flag({ key: 'running', state: 'running', traffic: 2500 }),
  ];
  const client = createClient({ bootstrap: doc('v1', flags) });

  it('rolled-back: everyone off, even with default true', () => {
    expect(client.isOn('rb', { userId: 'u1' }, true)).toBe(false);
    expect(client.evaluate('rb', {}, true)).toMatchObject({
      value: false,
      reason: EVALUATION_REASONS.ROLLED_BACK,
    });
  });

  it('completed with no audience: on for any context at all', () => {
    const c = createClient({ bootstrap: doc('v1', [flag({ key: 'all', state: 'completed' })]) });
    for (const ctx of [{}, null, undefined, 'x', { userId: 'u1' }]) {
      expect(c.isOn('all', ctx as never)).toBe(true);
      expect(c.evaluate('all', ctx as never).reason).toBe(EVALUATION_REASONS.COMPLETED);
    }
  });

  it('completed: everyone in the audience on, others off, no unit needed', () => {
    expect(client.isOn('done', { country: 'NL' })).toBe(true);
    expect(client.evaluate('done', { country: 'NL' }).reason).toBe(EVALUATION_REASONS.COMPLETED);
    expect(client.isOn('done', { country: 'SE' }, true)).toBe(false);
  });

  it('paused: frozen, evaluates exactly like running at the same traffic', () => {
    for (let i = 0; i < 500; i++) {
      const p = client.evaluate('paused', { userId: `u${i}` });
      expect(p.reason).toBe(EVALUATION_REASONS.SPLIT);
      expect(p.value).toBe(armOf(p.bucket ?? -1, 2500, 'rest') === 'treatment');
    }
  });
});

describe('golden bucketing vectors', () => {
  it('puts every vector unit in the arm its bucket implies', () => {
    // The wire format requires a non-empty salt, and an empty unit id is MISSING_UNIT.
    const usable = golden.vectors.filter((v) => v.unitId !== '' && v.salt !== '');
    expect(usable.length).toBeGreaterThan(150);
    for (const traffic of [1, 1000, 5000, 9999]) {
      for (const control of ['rest', 'holdout'] as const) {
        const flags = usable.map((v, i) =>
          flag({ key: `f${i}`, salt: v.salt, hashVersion: v.version, traffic, control }),
        );
        const client = createClient({ bootstrap: doc('golden', flags) });
        usable.forEach((v, i) => {
          const d = client.evaluate(`f${i}`, { userId: v.unitId });
          expect(d.bucket, `${v.unitId}/${v.salt}`).toBe(v.bucket);
          expect(d.arm).toBe(armOf(v.bucket, traffic, control));
          expect(client.isOn(`f${i}`, { userId: v.unitId })).toBe(d.arm === 'treatment');
        });
      }
    }
  });
});

describe('never throws', () => {
  const client = createClient({
    bootstrap: doc('v1', [audienceFlag, flag({ key: 'plain', unit: 'id' })]),
  });
  const boom = (): never => {
    throw new Error('boom');
  };
  const hostile = new Proxy({}, { get: boom, has: boom, getOwnPropertyDescriptor: boom });

  it('returns the default or a boolean, with a reason, for any context and key', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('checkout-v2', 'plain', 'missing', '__proto__'), fc.string()),
        fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
        fc.boolean(),
        (key, ctx, def) => {
          const v = client.isOn(key, ctx as never, def);
          expect(typeof v).toBe('boolean');
          const d = client.evaluate(key, ctx as never, def);
          expect(typeof d.value).toBe('boolean');
          expect(Object.values(EVALUATION_REASONS)).toContain(d.reason);
          expect(d.value).toBe(v);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a context that throws on access yields the default and reason ERROR', () => {
    expect(client.isOn('checkout-v2', hostile, true)).toBe(true);
    expect(client.evaluate('checkout-v2', hostile, true)).toMatchObject({
      value: true,
      reason: EVALUATION_REASONS.ERROR,
    });
  });
});
