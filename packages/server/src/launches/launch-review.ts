/**
 * The post-launch review: after a launch ends, its owner records what happened,
 * which risks of the register materialized and the follow-ups with owners. It
 * is an event of the launch's log (the reducer ignores it: a review changes
 * nothing about the launch) and an entry of the audit chain, written in one
 * transaction. A later review amends: the newest one counts, every one stays.
 */
import { z } from 'zod';
import { requiredText, safeText } from '../http/common-schemas.js';
import { HttpError } from '../http/http-error.js';
import type { LaunchEvent, Store } from '../store/store.js';
import type { LaunchReview } from './launch-report-schema.js';

/** Event type of a review in a launch's log. */
export const REVIEW_EVENT = 'review';

/** What a review request carries. */
export const reviewBody = z.object({
  outcome: requiredText(4000).meta({ description: 'What happened, in a few sentences.' }),
  materialized: z
    .array(safeText(40))
    .max(100)
    .default([])
    .meta({ description: "Ids of the plan's risks that materialized (e.g. R1)." }),
  followUps: z
    .array(
      z.object({
        what: requiredText(1000),
        owner: requiredText(200),
        due: safeText(40).optional().meta({ description: 'When, e.g. 2026-12-31.' }),
      }),
    )
    .max(100)
    .default([])
    .meta({ description: 'What is to be done, and who owns it.' }),
});

/** A review request after validation. */
export type ReviewRequest = z.infer<typeof reviewBody>;

interface ReviewData {
  outcome: string;
  materialized: string[];
  followUps: { what: string; owner: string; due: string | null }[];
  auditSeq: number;
}

/** The review a `review` event of the log records. */
export function reviewOf(event: LaunchEvent): LaunchReview {
  const d = event.data as Partial<ReviewData> | null;
  return {
    seq: event.seq,
    at: event.at,
    by: event.actor,
    outcome: typeof d?.outcome === 'string' ? d.outcome : '',
    materialized: Array.isArray(d?.materialized) ? d.materialized.map(String) : [],
    followUps: Array.isArray(d?.followUps) ? d.followUps : [],
    auditSeq: typeof d?.auditSeq === 'number' ? d.auditSeq : 0,
  };
}

/**
 * Record a review of launch `launchId` by `actor`: refused while the launch
 * runs or is paused (INVALID_TRANSITION) and for a risk id the plan does not
 * have (VALIDATION_FAILED naming the field). Returns undefined for an unknown launch.
 */
export async function recordReview(
  store: Store,
  launchId: string,
  actor: string,
  request: ReviewRequest,
): Promise<LaunchReview | undefined> {
  return store.transaction(async (tx) => {
    const launch = await tx.getLaunch(launchId);
    if (launch === undefined) return undefined;
    if (launch.status !== 'completed' && launch.status !== 'rolled-back')
      throw new HttpError(
        'INVALID_TRANSITION',
        `cannot review launch ${launchId}: it is ${launch.status}; a review is written after the launch ends (completed or rolled back)`,
        { status: launch.status, action: 'review' },
      );
    const version = await tx.getPlanVersion(launch.planName, launch.planVersion);
    const ids = version?.plan.risks.map((r) => r.id) ?? [];
    const materialized = [...new Set(request.materialized)];
    materialized.forEach((id, i) => {
      if (!ids.includes(id))
        throw new HttpError(
          'VALIDATION_FAILED',
          `body.materialized.${i}: '${id}' is not a risk of plan ${launch.planName}@${launch.planVersion}${ids.length === 0 ? ' (its register is empty)' : ` (its risks: ${ids.join(', ')})`}`,
          { errors: [{ path: `body.materialized.${i}`, message: 'not a risk of the plan' }] },
        );
    });
    const followUps = request.followUps.map((f) => ({
      what: f.what,
      owner: f.owner,
      due: f.due ?? null,
    }));
    const audit = await tx.appendAudit({
      actor,
      action: 'launch.reviewed',
      subject: `launch:${launchId}`,
      data: { outcome: request.outcome, materialized, followUps },
    });
    const data: ReviewData = {
      outcome: request.outcome,
      materialized,
      followUps,
      auditSeq: audit.seq,
    };
    const event = await tx.appendLaunchEvent(
      { launchId, type: REVIEW_EVENT, actor, data },
      launch.seq,
    );
    return reviewOf(event);
  });
}
