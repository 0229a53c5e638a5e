/**
 * The launch report's model (issue 18), as the renderers read it. The server
 * builds it (and documents it as the `LaunchReport` schema of its API); the
 * Markdown, the HTML and the dashboard's Report view are all laid out from it
 * by {@link reportSections}, so they say the same words in the same order.
 */
import type { LaunchStanding } from '../standing/launch-standing.js';

/** Treatment and control counts. */
export interface ArmPair {
  treatment: number;
  control: number;
}

/** One KPI's evidence at a look or a decision, compact. */
export interface ReportGuard {
  kpi: string;
  category: string;
  verdict: 'pass' | 'breach' | 'insufficient-evidence';
  /** The guard's own sentence, in numbers. */
  reason: string;
  difference: number | null;
  interval: [number | null, number | null] | null;
  /** The margin as a difference in the bad direction, or the hard limit. */
  threshold: number | null;
  relative: boolean | null;
  bad: 'increase' | 'decrease' | null;
  units: ArmPair;
}

/** A KPI's recorded looks, for the charts. */
export interface ReportKpiSeries {
  kpi: string;
  relative: boolean | null;
  bad: 'increase' | 'decrease' | null;
  threshold: number | null;
  points: {
    at: number;
    phase: string;
    difference: number | null;
    low: number | null;
    high: number | null;
    verdict: 'pass' | 'breach' | 'insufficient-evidence';
  }[];
}

/** The owner's review after the launch ended. */
export interface ReportReview {
  seq: number;
  at: string;
  by: string;
  outcome: string;
  materialized: string[];
  followUps: { what: string; owner: string; due: string | null }[];
  auditSeq: number;
}

/** A share of simulated launches with its 95% interval. */
export interface ReportShare {
  rate: number;
  low: number;
  high: number;
}

/** A rehearsal of the launched plan version recorded before the launch. */
export interface ReportRehearsal {
  id: number;
  at: string;
  actor: string;
  /** What it ran with, e.g. "200 runs, seed 1, synthetic traffic at 50 units/min". */
  settings: string;
  auditSeq: number | null;
  scenarios: {
    label: string;
    runs: number;
    shipped: ReportShare;
    caught: ReportShare;
    stoppedForNothing: ReportShare;
    stalled: ReportShare;
  }[];
}

/** The launch report. */
export interface LaunchReportModel {
  format: 'threshold.launch-report/1';
  generatedAt: string;
  launch: {
    id: string;
    flag: string;
    status: string;
    phase: string;
    share: number;
    createdBy: string;
    createdAt: string;
    owner: string;
  };
  standing: Pick<LaunchStanding, 'label' | 'healthText' | 'sentence' | 'look'>;
  plan: {
    name: string;
    version: number;
    owner: string;
    uploadedBy: string;
    uploadedAt: string;
    sourceHash: string;
  };
  previous: {
    launch: string;
    planVersion: number;
    status: string;
    createdAt: string;
    changed: boolean;
    diff: { kind: 'same' | 'added' | 'removed'; text: string }[];
  } | null;
  timeline: {
    phase: string;
    index: number;
    plannedTraffic: number;
    plannedMinDurationMs: number;
    plannedBakeMs: number | null;
    /** Earliest planned start, ms after the launch was created. */
    plannedStartMs: number;
    signoff: string[];
    enteredAt: string | null;
    leftAt: string | null;
    actualMs: number | null;
    outcome: 'advanced' | 'completed' | 'rolled-back' | 'current' | 'not-reached';
  }[];
  traffic: { at: number; share: number }[];
  decisions: {
    seq: number;
    at: string;
    actor: string;
    type: string;
    rule: string;
    phase: string;
    reason: string;
    units: ArmPair | null;
    guards: ReportGuard[];
    risks: { id: string; title: string; owner: string }[];
    actions: string[];
  }[];
  approvals: {
    phase: string;
    role: string;
    decision: 'approve' | 'reject';
    actor: string;
    comment: string;
    planVersion: number;
    at: string;
  }[];
  /** The checklist as it stood when the launch started: who attested what, until when. */
  readiness: {
    check: string;
    owner: string;
    blocking: boolean;
    evidence: string | null;
    /** At the start: attested, expired, missing, or automated (a probe). */
    status: 'attested' | 'expired' | 'missing' | 'automated';
    attestation: {
      actor: string;
      subject: string | null;
      role: string;
      note: string;
      link: string | null;
      at: string;
      expiresAt: string;
    } | null;
  }[];
  notifications: {
    seq: number;
    at: string;
    kind: string;
    target: string;
    kpi: string | null;
    state: string;
    attempts: number;
    error: string | null;
  }[];
  operatorActions: { seq: number; at: string; actor: string; action: string; reason: string }[];
  rehearsals: {
    /** What the rehearsals say, in a sentence. */
    note: string;
    /** How "predicted" is decided (ADR 0041). */
    rule: string;
    /** Whether the newest one predicted the outcome; null when unknown. */
    predicted: boolean | null;
    /** Rehearsals of this plan version recorded before the launch started, oldest first. */
    list: ReportRehearsal[];
  };
  kpis: (ReportGuard & { standing: string })[];
  charts: ReportKpiSeries[];
  review: ReportReview | null;
  risks: {
    risks: {
      id: string;
      title: string;
      owner: string;
      watch: string[];
      fired: boolean;
      breached: string[];
      materialized: boolean | null;
    }[];
    unwatched: string[];
  };
  audit: {
    head: { seq: number; hash: string } | null;
    entries: { seq: number; at: string; actor: string; action: string; hash: string }[];
    verify: string[];
  };
}
