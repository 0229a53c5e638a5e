// Threshold SDK adapter for ../shared/bench/peers (node run.mjs --adapter=<this file>).
// The SDK runs fully offline from a bootstrap ConfigDocument, as a real app
// would from a persisted or server-rendered config. Events are off because
// there is no server URL: nothing is sent or buffered, as in every peer row.
import { createClient } from '../../packages/sdk/dist/index.js';

export const name = 'threshold-sdk (bootstrap, local eval)';
export const packages = [];
export const notes =
  'createClient({ bootstrap }) with no url: no network, no events. Rollout flags: traffic 1000 of 10,000 buckets, audience country in [NL, SE], unit userId; murmur3 v1 with a per-flag salt.';

let client;

/** Translate the SDK-neutral spec into a Threshold ConfigDocument. */
export function toConfigDocument(spec) {
  return {
    wireVersion: 1,
    version: 'bench-1',
    generatedAt: new Date(0).toISOString(),
    flags: spec.flags.map((f) =>
      f.kind === 'boolean'
        ? {
            key: f.key,
            launch: f.key,
            salt: f.key,
            hashVersion: 1,
            unit: 'userId',
            // A plain on/off flag is a completed (100%) or rolled-back launch.
            state: f.enabled ? 'completed' : 'rolled-back',
            traffic: f.enabled ? 10_000 : 0,
            audience: [],
            control: 'rest',
          }
        : {
            key: f.key,
            launch: f.key,
            salt: f.key,
            hashVersion: 1,
            unit: f.stickiness ?? 'userId',
            state: 'running',
            traffic: Math.round(f.percentage * 100),
            audience: f.constraint
              ? [
                  {
                    attribute: f.constraint.attribute,
                    op: f.constraint.operator,
                    values: f.constraint.values,
                  },
                ]
              : [],
            control: 'rest',
          },
    ),
  };
}

export async function setup(spec) {
  client = createClient({ bootstrap: toConfigDocument(spec) });
  await client.ready();
}

export function prepare(c) {
  return { key: c.flagKey, ctx: { userId: c.userId, country: c.attributes.country } };
}

export function evaluate(p) {
  return client.isOn(p.key, p.ctx);
}

export async function teardown() {
  await client?.close();
}
