/**
 * The launch report's one model (issue 18). The API answers it as JSON; the
 * Markdown and HTML renderings and the dashboard's Report view are laid out
 * from it, so no view of the record says something the others do not.
 */
import { z } from 'zod';
import { extendLaunchSummary } from '../http/common-schemas.js';
import { notificationSchema } from './launch-notifications.js';
import { standingSchema } from './standing-schema.js';

const pair = z.object({ treatment: z.number(), control: z.number() });
const nullable = z.number().nullable();

/** One KPI's evidence at a look or a decision, compact (the server's LookKpi). */
const reportGuardSchema = z
  .object({
    kpi: z.string(),
    category: z.string(),
    verdict: z.enum(['pass', 'breach', 'insufficient-evidence']),
    reason: z.string().meta({ description: "The guard's own sentence, in numbers." }),
    difference: nullable,
    interval: z.tuple([nullable, nullable]).nullable(),
    threshold: nullable.meta({
      description: 'The margin as a difference in the bad direction, or the hard limit.',
    }),
    relative: z.boolean().nullable(),
    bad: z.enum(['increase', 'decrease']).nullable(),
    units: pair,
  })
  .meta({ title: 'ReportGuard' });

const diffLineSchema = z.object({
  kind: z.enum(['same', 'added', 'removed']),
  text: z.string(),
});

const appliedRiskSchema = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.string(),
});

/** One decision of the log with the evidence behind it. */
const reportDecisionSchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    type: z.string(),
    rule: z.string(),
    phase: z.string(),
    reason: z.string(),
    units: pair.nullable(),
    guards: z.array(reportGuardSchema),
    risks: z.array(appliedRiskSchema).meta({ description: 'Risks whose contingency applied.' }),
    actions: z.array(z.string()).meta({ description: "The KPI's own actions that applied." }),
  })
  .meta({ title: 'ReportDecision' });

/** One phase: as planned, and as it went. */
const timelinePhaseSchema = z
  .object({
    phase: z.string(),
    index: z.number().int(),
    plannedTraffic: z.number(),
    plannedMinDurationMs: z.number(),
    plannedBakeMs: z.number().nullable(),
    plannedStartMs: z
      .number()
      .meta({ description: 'Earliest planned start, ms after the launch was created.' }),
    signoff: z.array(z.string()).meta({ description: 'Roles whose sign-off gates the phase.' }),
    enteredAt: z.string().nullable(),
    leftAt: z.string().nullable(),
    actualMs: z.number().nullable().meta({ description: 'Time spent in it (so far, if current).' }),
    outcome: z.enum(['advanced', 'completed', 'rolled-back', 'current', 'not-reached']),
  })
  .meta({ title: 'TimelinePhase' });

/** A KPI's recorded looks, for the report's charts. */
const kpiSeriesSchema = z
  .object({
    kpi: z.string(),
    relative: z.boolean().nullable(),
    bad: z.enum(['increase', 'decrease']).nullable(),
    threshold: nullable,
    points: z.array(
      z.object({
        at: z.number(),
        phase: z.string(),
        difference: nullable,
        low: nullable,
        high: nullable,
        verdict: z.enum(['pass', 'breach', 'insufficient-evidence']),
      }),
    ),
  })
  .meta({ title: 'KpiSeries' });

/** The launch's review, written by its owner after it ended. */
export const reviewSchema = z
  .object({
    seq: z.number().int().meta({ description: 'Its place in the launch log.' }),
    at: z.string(),
    by: z.string(),
    outcome: z.string().meta({ description: 'What happened, in the owner’s words.' }),
    materialized: z
      .array(z.string())
      .meta({ description: 'Ids of the risks of the register that materialized.' }),
    followUps: z.array(
      z.object({
        what: z.string(),
        owner: z.string(),
        due: z.string().nullable(),
      }),
    ),
    auditSeq: z.number().int().meta({ description: 'The audit entry that records it.' }),
  })
  .meta({ title: 'LaunchReview' });

/** The plan's risk register against what happened. */
const riskComparisonSchema = z
  .object({
    risks: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        owner: z.string(),
        watch: z.array(z.string()),
        fired: z
          .boolean()
          .meta({ description: 'A watched KPI breached and the contingency applied.' }),
        breached: z.array(z.string()).meta({ description: 'Watched KPIs that breached.' }),
        materialized: z
          .boolean()
          .nullable()
          .meta({ description: 'What the review says (null before a review).' }),
      }),
    ),
    unwatched: z
      .array(z.string())
      .meta({ description: 'KPIs that breached without any risk of the register watching them.' }),
  })
  .meta({ title: 'RiskComparison' });

/** A share of simulated launches with its 95% interval. */
const shareSchema = z.object({ rate: z.number(), low: z.number(), high: z.number() });

/** The whole report. */
export const launchReportSchema = z
  .object({
    format: z.literal('threshold.launch-report/1'),
    generatedAt: z.string(),
    launch: extendLaunchSummary({ owner: z.string() }),
    standing: standingSchema,
    plan: z.object({
      name: z.string(),
      version: z.number().int(),
      owner: z.string(),
      uploadedBy: z.string(),
      uploadedAt: z.string(),
      sourceHash: z.string(),
    }),
    previous: z
      .object({
        launch: z.string(),
        planVersion: z.number().int(),
        status: z.string(),
        createdAt: z.string(),
        changed: z.boolean().meta({ description: 'Whether the plan source differs.' }),
        diff: z.array(diffLineSchema).meta({ description: 'Line diff of the plan sources.' }),
      })
      .nullable()
      .meta({ description: 'The previous launch of the same plan, and what changed since.' }),
    timeline: z.array(timelinePhaseSchema),
    traffic: z
      .array(z.object({ at: z.number(), share: z.number() }))
      .meta({ description: 'The treatment share after each change, from the decisions.' }),
    decisions: z.array(reportDecisionSchema),
    approvals: z.array(
      z.object({
        phase: z.string(),
        role: z.string(),
        decision: z.enum(['approve', 'reject']),
        actor: z.string(),
        comment: z.string(),
        planVersion: z.number().int(),
        at: z.string(),
      }),
    ),
    readiness: z.array(
      z.object({
        check: z.string(),
        owner: z.string(),
        blocking: z.boolean(),
        evidence: z.string().nullable(),
        status: z.enum(['attested', 'expired', 'missing', 'automated']),
        attestation: z
          .object({
            actor: z.string(),
            subject: z.string().nullable(),
            role: z.string(),
            note: z.string(),
            link: z.string().nullable(),
            at: z.string(),
            expiresAt: z.string(),
          })
          .nullable(),
      }),
    ),
    notifications: z.array(notificationSchema),
    operatorActions: z.array(
      z.object({
        seq: z.number().int(),
        at: z.string(),
        actor: z.string(),
        action: z.string(),
        reason: z.string(),
      }),
    ),
    rehearsals: z
      .object({
        note: z.string(),
        rule: z.string().meta({ description: 'How "predicted" is decided (ADR 0041).' }),
        predicted: z.boolean().nullable(),
        list: z.array(
          z.object({
            id: z.number().int(),
            at: z.string(),
            actor: z.string(),
            settings: z.string(),
            auditSeq: z.number().int().nullable(),
            scenarios: z.array(
              z.object({
                label: z.string(),
                runs: z.number().int(),
                shipped: shareSchema,
                caught: shareSchema,
                stoppedForNothing: shareSchema,
                stalled: shareSchema,
              }),
            ),
          }),
        ),
      })
      .meta({
        description:
          'Rehearsals of the launched plan version recorded before the launch started, and whether the newest predicted the outcome.',
      }),
    kpis: z
      .array(
        reportGuardSchema.extend({
          standing: z.enum(['pass', 'breach', 'insufficient-evidence', 'not-comparable']),
        }),
      )
      .meta({ description: 'The final KPI matrix: the look that describes the launch.' }),
    charts: z.array(kpiSeriesSchema),
    review: reviewSchema.nullable(),
    risks: riskComparisonSchema,
    audit: z.object({
      head: z
        .object({ seq: z.number().int(), hash: z.string() })
        .nullable()
        .meta({ description: 'The audit chain head the report was built from.' }),
      entries: z.array(
        z.object({
          seq: z.number().int(),
          at: z.string(),
          actor: z.string(),
          action: z.string(),
          hash: z.string(),
        }),
      ),
      verify: z.array(z.string()).meta({ description: 'How to verify the head, one way a line.' }),
    }),
  })
  .meta({ title: 'LaunchReport' });

/** The launch report's model. */
export type LaunchReport = z.infer<typeof launchReportSchema>;
/** One KPI's compact evidence. */
export type ReportGuard = z.infer<typeof reportGuardSchema>;
/** A launch's review. */
export type LaunchReview = z.infer<typeof reviewSchema>;
