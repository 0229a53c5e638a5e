/**
 * The SDK config document is a pure function of the launch rows and their plan
 * versions. Its version is a hash of the flags, so every replica serving the same
 * store state answers with the same ETag and SSE id.
 */
import { createHash } from 'node:crypto';
import { WIRE_VERSION, shareToBuckets } from '@threshold/core';
import type { ConfigDocument, FlagConfig, Plan } from '@threshold/core';
import type { LaunchRecord } from '../store/store.js';

/** A launch with the plan version it runs. */
export interface LaunchWithPlan {
  launch: LaunchRecord;
  plan: Plan;
}

/** The flag an SDK evaluates for one launch. */
export function flagConfigOf({ launch, plan }: LaunchWithPlan): FlagConfig {
  const phase = plan.phases[launch.phaseIndex] ?? plan.phases[plan.phases.length - 1];
  return {
    key: plan.flag,
    launch: launch.id,
    salt: launch.salt,
    hashVersion: plan.hash_version,
    unit: plan.unit,
    state: launch.status,
    traffic: launch.status === 'rolled-back' ? 0 : shareToBuckets(launch.traffic),
    audience: phase?.audience ?? [],
    control: plan.control,
    ...(phase === undefined ? {} : { phase: phase.name }),
    planVersion: launch.planVersion,
  };
}

/**
 * Builds the document from every launch: one flag per key, the newest launch
 * (by creation time, then id) winning, flags sorted by key.
 */
export function buildConfigDocument(
  launches: readonly LaunchWithPlan[],
  generatedAt: string,
): ConfigDocument {
  const newest = new Map<string, LaunchWithPlan>();
  for (const entry of launches) {
    const key = entry.plan.flag;
    const seen = newest.get(key);
    if (seen === undefined || newer(entry.launch, seen.launch)) newest.set(key, entry);
  }
  const flags = [...newest.values()]
    .map(flagConfigOf)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const version = createHash('sha256').update(JSON.stringify(flags)).digest('hex').slice(0, 24);
  return { wireVersion: WIRE_VERSION, version, generatedAt, flags };
}

function newer(a: LaunchRecord, b: LaunchRecord): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return a.id > b.id;
}
