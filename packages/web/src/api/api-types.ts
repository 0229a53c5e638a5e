/**
 * Shapes of the API answers the dashboard reads. They come from one source with
 * the server: api-schema.ts is generated from the server's OpenAPI document (a
 * test fails when it drifts). Where the document leaves a field open (the plan,
 * a decision, a look's conditions), core's domain type narrows it, and `Refine`
 * makes the type check prove each narrowing still fits what the server sends.
 */
import type {
  Condition,
  Decision,
  KpiCategory,
  LaunchStanding,
  LaunchStatus,
  Look as CoreLook,
  LookState,
  Plan,
  Verdict,
} from '@threshold/core';
import type * as Api from './api-schema.js';

/** T with interfaces turned into plain object types, so they compare with `{ [key: string]: unknown }`. */
type Widen<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { [K in keyof T]: Widen<T[K]> }
    : T;

/** For each key of Over: its type when it fits Base's, else Base's (so a misfit fails the constraint). */
type Fits<Base, Over> = {
  [K in keyof Over]: K extends keyof Base
    ? [Widen<Over[K]>] extends [Base[K]]
      ? Over[K]
      : Base[K]
    : never;
};

/** Base with some fields narrowed to core's types; each narrowing must fit the generated type (exported for its test). */
export type Refine<Base, Over extends Fits<Base, Over>> = Omit<Base, keyof Over> & Over;

/** A launch as lists and the stream show it. */
export type LaunchSummary = Refine<Api.LaunchSummary, { status: LaunchStatus }>;

type ApiDetail = Api.LaunchDetail;

/** Sign-off progress of one role for the gated phase. */
export type SignoffProgress = ApiDetail['signoffs'][number];

/** One approval or rejection given for the launch. */
export type ApprovalView = ApiDetail['approvals'][number];

/** One notification a launch asked for, and what became of it. */
export type NotificationView = Api.Notification;

/** One metric source's health (GET /api/v1/launches/:id). */
export type SourceHealthView = ApiDetail['sources'][number];

/** GET /api/v1/launches/:id, with the plan as core types it. */
export type LaunchDetail = Refine<
  ApiDetail,
  {
    launch: LaunchSummary & { salt: string };
    plan: { name: string; version: number; plan: Plan };
    standing: LaunchStanding;
  }
>;

/** One event of a launch's log (GET /api/v1/launches/:id/events). */
export type LaunchEvent = Api.LaunchEventsAnswer['events'][number];

type ApiLookKpi = Api.Look['kpis'][number];

/** One KPI at one look (the controller's compact form of a guard result). */
export type LookKpi = Refine<ApiLookKpi, { category: KpiCategory; verdict: Verdict }>;

/** A recorded look (event type `look` in the launch log; GET …/looks). */
export type LookRecord = Refine<
  Api.Look,
  {
    status: LaunchStatus;
    state: LookState;
    next: CoreLook['next'];
    conditions: Condition[];
    kpis: LookKpi[];
  }
>;

/** A decision event of the launch log. */
export type DecisionEvent = Pick<LaunchEvent, 'seq' | 'actor' | 'at'> & { decision: Decision };

/** One row of the dashboard's launch list: the summary plus health and sign-offs. */
export type LaunchOverview = Refine<
  Api.LaunchOverview,
  { status: LaunchStatus; health: Verdict | null; standing: LaunchStanding }
>;

/** One plan of GET /api/v1/plans. */
export type PlanListEntry = Api.PlansAnswer['plans'][number];

/** A plan version without its source. */
export type PlanVersionMeta = Api.PlanVersionMeta;

/** A plan version with its source and the normalized plan. */
export type PlanVersionView = Refine<Api.PlanVersion, { plan: Plan }>;

/** One entry of the hash-chained audit log. */
export type AuditEntry = Api.AuditEntry;

/** The audit chain's verification. */
export type AuditVerification = Api.AuditVerification;

/** Who the token belongs to. */
export type WhoAmI = Api.WhoAmIAnswer;

/** One readiness check with the attestation in force. */
export type ReadinessCheckView = Api.ReadinessCheck;

/** The one error body every API error has. */
export type ErrorAnswer = Api.ErrorAnswer;

/** GET /api/v1/launches/:id/report: the launch report's one model (core lays it out). */
export type LaunchReportView = Api.LaunchReport;

/** A post-launch review as the launch log records it. */
export type LaunchReviewView = Api.LaunchReview;
