import type { Plan } from '@threshold/core';
import type { z } from 'zod';
import type { launchSummarySchema } from '../http/common-schemas.js';
import type { LaunchRecord, Store } from '../store/store.js';

/** A launch as the API lists it. */
export type LaunchSummary = z.infer<typeof launchSummarySchema>;

/** The summary of a launch row with its plan. */
export function launchSummary(launch: LaunchRecord, plan: Plan): LaunchSummary {
  return {
    id: launch.id,
    plan: launch.planName,
    planVersion: launch.planVersion,
    flag: plan.flag,
    status: launch.status,
    phase: plan.phases[launch.phaseIndex]?.name ?? '',
    phaseIndex: launch.phaseIndex,
    phases: plan.phases.length,
    share: launch.traffic,
    phaseStartedAt: launch.phaseStartedAt,
    createdBy: launch.createdBy,
    createdAt: launch.createdAt,
    updatedAt: launch.updatedAt,
    seq: launch.seq,
    environment: launch.environment,
    retryOf: launch.retryOf,
  };
}

/** Loads plan versions for several launches, each version once. */
export async function summarizeLaunches(
  store: Store,
  launches: readonly LaunchRecord[],
): Promise<LaunchSummary[]> {
  const plans = new Map<string, Plan | undefined>();
  const out: LaunchSummary[] = [];
  for (const launch of launches) {
    const key = `${launch.planName}@${launch.planVersion}`;
    if (!plans.has(key)) {
      plans.set(key, (await store.getPlanVersion(launch.planName, launch.planVersion))?.plan);
    }
    const plan = plans.get(key);
    if (plan !== undefined) out.push(launchSummary(launch, plan));
  }
  return out;
}
