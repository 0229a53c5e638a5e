import { describe, expect, it } from 'vitest';
import {
  EVALUATION_REASONS,
  MAX_BATCH_EVENTS,
  WIRE_ROUTES,
  WIRE_VERSION,
  etagMatches,
  formatEtag,
  parseConfigDocument,
  parseEventBatch,
  parseEventBatchFast,
} from '@threshold/core';

const flag = {
  key: 'checkout-v2',
  launch: 'checkout-v2#1',
  salt: 'salt-1',
  hashVersion: 1,
  unit: 'userId',
  state: 'running',
  traffic: 1000,
  audience: [{ attribute: 'country', op: 'in', values: ['NL', 'SE'] }],
  control: 'rest',
  phase: 'early',
  planVersion: 3,
};
const doc = { wireVersion: 1, version: 'v1', generatedAt: '2026-01-01T00:00:00Z', flags: [flag] };

describe('wire: ConfigDocument', () => {
  it('accepts a valid document and keeps its fields', () => {
    const r = parseConfigDocument(doc);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.flags[0]).toEqual(flag);
  });

  it('names the offending field on bad input', () => {
    const bad = { ...doc, flags: [{ ...flag, traffic: 10_001 }] };
    const r = parseConfigDocument(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path)).toContain('flags.0.traffic');
      expect(r.errors[0]?.message).toMatch(/too big/i);
    }
  });

  it('rejects unknown operators, hash versions, states and duplicate keys', () => {
    const cases = [
      { ...flag, audience: [{ attribute: 'x', op: 'regex', values: [] }] },
      { ...flag, hashVersion: 2 },
      { ...flag, state: 'exploded' },
    ];
    for (const f of cases) expect(parseConfigDocument({ ...doc, flags: [f] }).ok).toBe(false);
    const dup = parseConfigDocument({ ...doc, flags: [flag, flag] });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.errors[0]?.path).toBe('flags.1.key');
  });

  it('applies the audience rules (arity, value types) with their message', () => {
    const bad = { ...flag, audience: [{ attribute: 'age', op: 'gte', values: ['18'] }] };
    const r = parseConfigDocument({ ...doc, flags: [bad] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.path).toBe('flags.0.audience.0.values');
      expect(r.errors[0]?.message).toMatch(/compares numbers/);
    }
    const none = { ...flag, audience: [{ attribute: 'email', op: 'exists', values: ['x'] }] };
    expect(parseConfigDocument({ ...doc, flags: [none] }).ok).toBe(false);
  });

  it('rejects versions that cannot be an ETag or SSE id', () => {
    for (const version of ['', 'a"b', 'a\nb', 'a b']) {
      expect(parseConfigDocument({ ...doc, version }).ok).toBe(false);
    }
  });

  it('never throws, whatever the input', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const input of [null, undefined, 42, 'x', [], cyclic, { wireVersion: 2 }]) {
      expect(parseConfigDocument(input).ok).toBe(false);
    }
  });
});

// The schema's parser (the specification) and the server's fast one must pass alike.
describe.each([
  ['parseEventBatch', parseEventBatch],
  ['parseEventBatchFast', parseEventBatchFast],
])('wire: EventBatch (%s)', (_name, parseEventBatch) => {
  const batch = {
    wireVersion: WIRE_VERSION,
    sdk: { name: '@threshold/sdk', version: '0.1.0' },
    sentAt: 1,
    batchId: 'b1',
    events: [
      { type: 'exposure', flag: 'f', launch: 'l', unit: 'u1', arm: 'treatment', ts: 1 },
      { type: 'track', unit: 'u1', event: 'purchase', value: 9.5, ts: 2 },
    ],
  };

  it('accepts a valid batch', () => {
    expect(parseEventBatch(batch)).toEqual({ ok: true, value: batch });
  });

  it('names the field of a bad event', () => {
    const r = parseEventBatch({
      ...batch,
      events: [{ type: 'track', unit: '', event: 'x', ts: 1 }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('events.0.unit');
  });

  it('caps the batch size', () => {
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => batch.events[1]);
    expect(parseEventBatch({ ...batch, events }).ok).toBe(false);
  });
});

describe('wire: routes and etags', () => {
  it('has stable routes and reasons', () => {
    expect(WIRE_ROUTES).toEqual({
      config: '/v1/config',
      stream: '/v1/stream',
      events: '/v1/events',
    });
    expect(EVALUATION_REASONS.SPLIT).toBe('SPLIT');
  });

  it('matches If-None-Match forms', () => {
    expect(formatEtag('v1')).toBe('"v1"');
    expect(etagMatches('"v1"', 'v1')).toBe(true);
    expect(etagMatches('W/"v1"', 'v1')).toBe(true);
    expect(etagMatches('"v0", "v1"', 'v1')).toBe(true);
    expect(etagMatches('*', 'v1')).toBe(true);
    expect(etagMatches('"v2"', 'v1')).toBe(false);
    expect(etagMatches(null, 'v1')).toBe(false);
  });
});
