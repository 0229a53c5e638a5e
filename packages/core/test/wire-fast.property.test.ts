/**
 * parseEventBatchFast against the specification (eventBatchSchema through
 * parseEventBatch): for valid batches and subtly broken ones, the same verdict, the
 * same output value (keys, their order, undefined-valued keys) and the same issues in
 * the same order, so the server's `{ index, path, reason }` list is identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_EVENTS, parseEventBatch, parseEventBatchFast } from '../src/index.js';

/** Serialization that keeps key order and marks undefined-valued keys (toStrictEqual ignores order). */
function ordered(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v === undefined ? '<undefined>' : typeof v === 'bigint' ? `${v}n` : v,
  );
}

/** Runs both validators and requires identical results; returns the verdict. */
function agree(input: unknown): boolean {
  const spec = parseEventBatch(input);
  const fast = parseEventBatchFast(input);
  expect(fast).toStrictEqual(spec);
  expect(ordered(fast)).toBe(ordered(spec));
  return spec.ok;
}

// ---- values near and past every limit ------------------------------------------------

const EMOJI = '\u{1F600}'; // two UTF-16 units, one code point: zod counts code points
const LONE_HIGH = '\uD83D';
const LONE_LOW = '\uDE00';

/** Strings of `n` characters of one kind, with n around a limit. */
function stringsNear(limits: number[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...limits),
      fc.integer({ min: -2, max: 2 }),
      fc.constantFrom('a', EMOJI, LONE_HIGH, LONE_LOW, `${LONE_LOW}${LONE_HIGH}`, 'é'),
    )
    .map(([limit, delta, chunk]) => chunk.repeat(Math.max(0, limit + delta)));
}

const anyString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', ' ', LONE_HIGH, LONE_LOW, EMOJI, 'treatment', 'exposure', 'track'),
  // NUL: both validators refuse it in every stored string (PostgreSQL text cannot hold it).
  fc.constantFrom('\u0000', 'a\u0000', `${'b'.repeat(200)}\u0000`),
  stringsNear([1, 100, 200, 512, 1000]),
);

const oddNumbers = fc.constantFrom(
  0,
  -0,
  -1,
  1.5,
  -1.5,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  Number.MIN_SAFE_INTEGER,
  -(2 ** 60),
  2 ** 60,
  1e21,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
);

/** Anything a field might wrongly hold, JSON or not (undefined, NaN, bigint…). */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  oddNumbers,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, false, 1n, [], [1, 2], {}),
  // Objects and arrays with a `length`: zod runs its length checks on them after the type error.
  fc.constantFrom({ length: 0 }, { length: 'abc' }, { length: 5000 }, { length: [600] }, ['x']),
  fc.array(fc.constantFrom('a', 1, null), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('type', 'unit', 'x'), anyString, { maxKeys: 2 }),
);

// ---- valid batches ----------------------------------------------------------------------

const name = fc.oneof(
  fc.string({ minLength: 1, maxLength: 10 }),
  stringsNear([200]).filter(ok(1, 200)),
);
const unit = fc.oneof(
  fc.string({ minLength: 1, maxLength: 10 }),
  stringsNear([512]).filter(ok(1, 512)),
);
const timestamp = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 45 }),
  fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER),
);

/** A filter keeping strings whose length in code points is within [min, max]. */
function ok(min: number, max: number): (s: string) => boolean {
  return (s) => {
    const n = [...s].length;
    return n >= min && n <= max;
  };
}

/** Optional keys: absent, present, or present as undefined (the spec keeps that key). */
function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | typeof ABSENT> {
  return fc.oneof(
    { weight: 3, arbitrary: arb },
    { weight: 2, arbitrary: fc.constant(ABSENT) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}
const ABSENT = Symbol('absent');

/** An object from entries, dropping ABSENT ones; sometimes with keys the schema does not know. */
function build(
  entries: [string, unknown][],
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) if (v !== ABSENT) o[k] = v;
  return Object.assign(o, extra);
}
const extraKeys = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom('extra', 'x', 'meta', 'constructor'), fc.integer(), {
      maxKeys: 2,
    }),
  },
);

const exposure = fc
  .tuple(
    name,
    name,
    unit,
    fc.constantFrom('treatment', 'control', 'excluded'),
    optional(fc.oneof(fc.string({ maxLength: 8 }), stringsNear([200]).filter(ok(0, 200)))),
    timestamp,
    extraKeys,
  )
  .map(([flag, launch, u, arm, phase, ts, extra]) =>
    build(
      // Input key order differs from the schema's: the output must follow the schema.
      [
        ['ts', ts],
        ['unit', u],
        ['type', 'exposure'],
        ['arm', arm],
        ['flag', flag],
        ['launch', launch],
        ['phase', phase],
      ],
      extra,
    ),
  );

const track = fc
  .tuple(
    unit,
    name,
    optional(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer())),
    timestamp,
    extraKeys,
  )
  .map(([u, event, value, ts, extra]) =>
    build(
      [
        ['type', 'track'],
        ['unit', u],
        ['event', event],
        ['value', value],
        ['ts', ts],
      ],
      extra,
    ),
  );

const event = fc.oneof(exposure, track);

const validBatch = fc
  .tuple(
    fc.record({ name, version: fc.string({ minLength: 1, maxLength: 8 }) }),
    timestamp,
    optional(fc.string({ minLength: 1, maxLength: 20 })),
    fc.array(event, { maxLength: 6 }),
    optional(fc.string({ minLength: 1, maxLength: 20 })),
    extraKeys,
  )
  .map(([sdk, sentAt, batchId, events, token, extra]) =>
    build(
      [
        ['events', events],
        ['wireVersion', 1],
        ['sdk', sdk],
        ['sentAt', sentAt],
        ['batchId', batchId],
        ['token', token],
      ],
      extra,
    ),
  );

// ---- subtly invalid batches: a valid one with one to three small edits -----------------

type Path = (string | number)[];

/** Every path to a property or element inside a JSON-like value. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const keys: (string | number)[] = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value);
  return keys.flatMap((k) => {
    const path = [...prefix, k];
    return [path, ...pathsOf((value as Record<string | number, unknown>)[k], path)];
  });
}

/** The parent holding the last key of `path`. */
function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let at = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  return at;
}

const FIELDS = [
  'wireVersion',
  'sdk',
  'sentAt',
  'batchId',
  'events',
  'token',
  'type',
  'unit',
  'flag',
  'launch',
  'arm',
  'phase',
  'event',
  'value',
  'ts',
  'name',
  'version',
];

type Edit =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: oddValue }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      at: fc.nat(),
      key: fc.constantFrom(...FIELDS),
      value: oddValue,
    }),
  },
);

function applyEdits(batch: Record<string, unknown>, edits: Edit[]): unknown {
  const root = structuredClone(batch);
  for (const e of edits) {
    const paths = [[], ...pathsOf(root)] as Path[];
    const path = paths[e.at % paths.length] as Path;
    if (e.kind === 'add') {
      const target =
        path.length === 0 ? root : parentOf(root, path)[path[path.length - 1] as string];
      if (typeof target === 'object' && target !== null && !Array.isArray(target))
        (target as Record<string, unknown>)[e.key] = structuredClone(e.value);
      continue;
    }
    if (path.length === 0) continue;
    const parent = parentOf(root, path);
    const key = path[path.length - 1] as string | number;
    // A fresh copy: arbitraries may hand out one shared instance (fc.constant({})),
    // and adding it into itself would build a cycle no JSON body can carry.
    if (e.kind === 'set') parent[key] = structuredClone(e.value);
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  }
  return root;
}

const subtlyInvalid = fc
  .tuple(validBatch, fc.array(edit, { minLength: 1, maxLength: 3 }))
  .map(([batch, edits]) => applyEdits(batch, edits));

describe('parseEventBatchFast agrees with the schema', () => {
  it('on valid batches (verdict, value, key order)', () => {
    fc.assert(
      fc.property(validBatch, (b) => {
        expect(agree(b)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('on subtly invalid batches (verdict and every issue, in order)', () => {
    let rejected = 0;
    let runs = 0;
    fc.assert(
      fc.property(subtlyInvalid, (b) => {
        runs++;
        if (!agree(b)) rejected++;
      }),
      { numRuns: 4000 },
    );
    // The edits must mostly break something, or this property would test little.
    expect(rejected).toBeGreaterThan(runs / 2);
  });

  it('on arbitrary values, including non-objects', () => {
    fc.assert(
      fc.property(
        fc.oneof(oddValue, fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 4 })),
        (v) => {
          agree(v);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('at the batch size limit, with a bad event inside or past it', () => {
    fc.assert(
      fc.property(
        event,
        fc.constantFrom(MAX_BATCH_EVENTS - 1, MAX_BATCH_EVENTS, MAX_BATCH_EVENTS + 1),
        fc.option(fc.tuple(fc.nat(), oddValue), { nil: undefined }),
        fc.option(oddValue, { nil: undefined }),
        (e, n, bad, sentAt) => {
          const events: unknown[] = Array.from({ length: n }, () => ({ ...e }));
          if (bad !== undefined) events[bad[0] % n] = { ...e, unit: bad[1] };
          agree({
            wireVersion: 1,
            sdk: { name: 'sdk', version: '1' },
            sentAt: sentAt ?? 1,
            events,
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('on the hand-picked corner cases of zod 4', () => {
    const base = { wireVersion: 1, sdk: { name: 'n', version: '1' }, sentAt: 1, events: [] };
    const t = { type: 'track', unit: 'u', event: 'e', ts: 1 };
    const cases: unknown[] = [
      null,
      [],
      'batch',
      {},
      new Date(0),
      Object.assign(Object.create(null) as object, base),
      { ...base, sentAt: -(2 ** 60) }, // two issues: outside the safe range, and below 0
      { ...base, sentAt: -1.5 }, // not an int: the minimum is not checked
      { ...base, events: 'x'.repeat(1001) }, // not an array, and too long
      { ...base, events: { length: 5000 } },
      { ...base, events: [{ ...t, unit: [] }] }, // a string field holding an empty array
      { ...base, events: [{ ...t, unit: EMOJI.repeat(512) }] }, // 1,024 units, 512 code points
      { ...base, events: [{ ...t, unit: EMOJI.repeat(513) }] },
      { ...base, events: [{ ...t, type: 'click', unit: '' }] }, // only the discriminator is reported
      {
        ...base,
        events: [
          { ...t, value: null },
          { ...t, value: undefined },
        ],
      },
      { ...base, batchId: undefined, token: undefined },
    ];
    for (const c of cases) agree(c);
  });
});
