/**
 * Before a launch starts in an environment: the environment exists, its
 * promotion policy is met (the plan version completed in the environment
 * before it, and baked there long enough), and its time rules allow a start
 * now. Each refusal names what is missing; nothing is written before these pass.
 */
import { formatDuration, timeRuleAt } from '@threshold/core';
import { HttpError } from '../http/http-error.js';
import type { LaunchRecord, Store } from '../store/store.js';
import type { EnvironmentConfig } from './environment-config.js';

/** The environment named, or UNKNOWN_ENVIRONMENT listing the ones there are. */
export function environmentNamed(
  environments: readonly EnvironmentConfig[],
  name: string,
): EnvironmentConfig {
  const env = environments.find((e) => e.name === name);
  if (env === undefined)
    throw new HttpError(
      'UNKNOWN_ENVIRONMENT',
      `environment '${name}' is not defined on this server (environments: ${environments.map((e) => e.name).join(', ')})`,
      { environment: name, environments: environments.map((e) => e.name) },
    );
  return env;
}

/** When a completed launch completed (ms): its completing decision, else its last update. */
function completedAt(launch: LaunchRecord): number {
  const d = launch.lastDecision as { type?: unknown; at?: unknown } | null;
  if (d !== null && d?.type === 'complete' && typeof d.at === 'string') return Date.parse(d.at);
  return Date.parse(launch.updatedAt);
}

/** Refuse (PROMOTION_REQUIRED) unless the environment's promotion policy is met for name@version. */
export async function checkPromotion(
  store: Store,
  env: EnvironmentConfig,
  plan: { name: string; version: number },
  now: number,
): Promise<void> {
  const req = env.requires;
  if (req === undefined) return;
  const done = (await store.listLaunches({ status: ['completed'], environment: req.environment }))
    .filter((l) => l.planName === plan.name && l.planVersion === plan.version)
    .map(completedAt)
    .sort((a, b) => a - b);
  const first = done[0];
  const what = `${plan.name}@${plan.version}`;
  if (first === undefined)
    throw new HttpError(
      'PROMOTION_REQUIRED',
      `${env.name} requires plan ${what} to complete in ${req.environment} first${req.bakeMs > 0 ? ` and bake there ${formatDuration(req.bakeMs)}` : ''}: it has not completed there`,
      {
        missing: [
          {
            environment: req.environment,
            plan: plan.name,
            version: plan.version,
            completed: false,
            bakeMs: req.bakeMs,
          },
        ],
      },
    );
  const baked = now - first;
  if (baked < req.bakeMs)
    throw new HttpError(
      'PROMOTION_REQUIRED',
      `${env.name} requires plan ${what} to bake ${formatDuration(req.bakeMs)} in ${req.environment} after completing: ${formatDuration(baked)} so far, ${formatDuration(req.bakeMs - baked)} to go`,
      {
        missing: [
          {
            environment: req.environment,
            plan: plan.name,
            version: plan.version,
            completed: true,
            bakeMs: req.bakeMs,
            remainingMs: req.bakeMs - baked,
          },
        ],
      },
    );
}

/** Refuse (LAUNCH_BLOCKED) a start that would expose anyone while the time rules are closed. */
export function checkTimeRules(env: EnvironmentConfig, now: number, exposes: boolean): void {
  if (!exposes) return;
  const v = timeRuleAt(env.timeRules, now);
  if (!v.open)
    throw new HttpError('LAUNCH_BLOCKED', `cannot start in ${env.name}: ${v.reason}`, {
      action: 'start',
      blocking: [v.reason],
    });
}
