/**
 * Builds a launch's report from its record: the log (decisions, looks, the
 * review), its approvals, its plan version, the previous launch of the same
 * plan and the audit chain. Where the launch stands comes from the one
 * derivation (LaunchReader → core's launchStanding); nothing here re-derives
 * a status, it only gathers and lays out what the log says.
 */
import { KPI_CATEGORIES, lineDiff } from '@threshold/core';
import type { Decision, Plan } from '@threshold/core';
import { DECISION_EVENT, LOOK_EVENT } from '../controller/launch-log.js';
import { lookKpiOf } from '../controller/look-record.js';
import type { LookKpi, LookRecord } from '../controller/look-record.js';
import type { LaunchEvent, LaunchRecord, Store } from '../store/store.js';
import {
  REHEARSAL_PREDICTION_RULE,
  rehearsalPredicted,
  rehearsalsBefore,
} from './rehearsal-record.js';
import { launchNotifications } from './launch-notifications.js';
import { readinessStatus } from './readiness-status.js';
import type { LaunchReading } from './launch-reader.js';
import type { LaunchReport, ReportGuard } from './launch-report-schema.js';
import { launchSummary } from './launch-view.js';
import { REVIEW_EVENT, reviewOf } from './launch-review.js';

/** The rehearsals section: those of the plan version before the launch, and the prediction. */
async function rehearsalsOf(
  store: Store,
  launch: LaunchRecord,
  events: readonly LaunchEvent[],
): Promise<LaunchReport['rehearsals']> {
  const before = rehearsalsBefore(
    launch,
    await store.listRehearsals(launch.planName, launch.planVersion),
  );
  const predicted = rehearsalPredicted(launch, events, before);
  const newest = before[before.length - 1];
  const note =
    newest === undefined
      ? `No rehearsal of ${launch.planName} version ${launch.planVersion} was recorded before the launch started (rehearse the stored version through the server or \`threshold rehearse --record\`).`
      : `${before.length} rehearsal${before.length === 1 ? '' : 's'} of version ${launch.planVersion} before the launch; the newest (#${newest.id}) ${predicted === null ? 'cannot be scored yet: the launch has not ended' : predicted ? 'predicted the outcome' : 'did not predict the outcome'}.`;
  return {
    note,
    rule: REHEARSAL_PREDICTION_RULE,
    predicted,
    list: before.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      settings: `${r.settings.runs} runs, seed ${r.settings.seed}, ${r.settings.source === 'history' ? 'a history' : 'synthetic traffic'} at ${Number(r.settings.unitsPerMinute.toPrecision(4))} units/min${r.settings.environment === null ? '' : `, ${r.settings.environment}'s time rules`} (via ${r.settings.via})`,
      auditSeq: r.auditSeq,
      scenarios: r.scenarios.map((sc) => ({
        label: sc.label,
        runs: sc.runs,
        shipped: sc.shipped,
        caught: sc.caught,
        stoppedForNothing: sc.stoppedForNothing,
        stalled: sc.stalled,
      })),
    })),
  };
}

const compact = (k: LookKpi): ReportGuard => ({
  kpi: k.kpi,
  category: k.category,
  verdict: k.verdict,
  reason: k.reason,
  difference: k.difference,
  interval: k.interval,
  threshold: k.threshold,
  relative: k.relative,
  bad: k.bad,
  units: k.units,
});

const iso = (ms: number) => new Date(ms).toISOString();

/** A decision with the event that logged it. */
export interface LoggedDecisionEvent {
  event: LaunchEvent;
  decision: Decision;
}

/** The decisions of a log, in order. */
export function decisionsOf(events: readonly LaunchEvent[]): LoggedDecisionEvent[] {
  const out: LoggedDecisionEvent[] = [];
  for (const event of events) {
    if (event.type !== DECISION_EVENT) continue;
    const d = event.data as Decision | null;
    if (
      typeof d === 'object' &&
      d !== null &&
      typeof d.type === 'string' &&
      typeof d.at === 'number'
    )
      out.push({ event, decision: d });
  }
  return out;
}

function looksOf(events: readonly LaunchEvent[]): (LookRecord & { seq: number })[] {
  return events
    .filter((e) => e.type === LOOK_EVENT && typeof e.data === 'object' && e.data !== null)
    .map((e) => ({ ...(e.data as LookRecord), seq: e.seq }));
}

/** Planned against actual, phase by phase. */
export function timelineOf(
  plan: Plan,
  createdAt: number,
  decisions: readonly LoggedDecisionEvent[],
  now: number,
): LaunchReport['timeline'] {
  const entered = new Map<number, number>();
  const left = new Map<number, { at: number; outcome: 'advanced' | 'completed' | 'rolled-back' }>();
  for (const { decision: d } of decisions) {
    if (d.type === 'advance') {
      entered.set(d.to, d.at);
      if (d.from >= 0) left.set(d.from, { at: d.at, outcome: 'advanced' });
    } else if (d.type === 'complete' || d.type === 'rollback') {
      if (d.phaseIndex >= 0)
        left.set(d.phaseIndex, {
          at: d.at,
          outcome: d.type === 'complete' ? 'completed' : 'rolled-back',
        });
    }
  }
  // A first phase without a sign-off opens when the launch is created.
  if (!entered.has(0) && plan.phases[0]?.signoff === undefined) entered.set(0, createdAt);
  let plannedStart = 0;
  return plan.phases.map((p, index) => {
    const start = entered.get(index);
    const end = left.get(index);
    const row = {
      phase: p.name,
      index,
      plannedTraffic: p.traffic,
      plannedMinDurationMs: p.min_duration,
      plannedBakeMs: p.bake ?? null,
      plannedStartMs: plannedStart,
      signoff: p.signoff?.roles ?? [],
      enteredAt: start === undefined ? null : iso(start),
      leftAt: end === undefined ? null : iso(end.at),
      actualMs: start === undefined ? null : (end?.at ?? now) - start,
      outcome:
        start === undefined
          ? ('not-reached' as const)
          : end === undefined
            ? ('current' as const)
            : end.outcome,
    };
    plannedStart += p.min_duration + (p.bake ?? 0);
    return row;
  });
}

/** The treatment share over time: at creation, then after every decision that moved it. */
function trafficOf(
  createdAt: number,
  events: readonly LaunchEvent[],
  decisions: readonly LoggedDecisionEvent[],
): LaunchReport['traffic'] {
  const created = events.find((e) => e.type === 'created')?.data as { traffic?: unknown } | null;
  const out = [
    { at: createdAt, share: typeof created?.traffic === 'number' ? created.traffic : 0 },
  ];
  for (const { decision: d } of decisions) {
    if (d.type === 'advance') out.push({ at: d.at, share: d.traffic });
    else if (d.type === 'rollback') out.push({ at: d.at, share: 0 });
  }
  return out;
}

function chartsOf(plan: Plan, looks: readonly LookRecord[]): LaunchReport['charts'] {
  const names = KPI_CATEGORIES.flatMap((c) => plan.kpis[c] ?? []).map((k) => k.name);
  return names.map((kpi) => {
    const points: LaunchReport['charts'][number]['points'] = [];
    let last: LookKpi | undefined;
    for (const look of looks) {
      const k = look.kpis.find((x) => x.kpi === kpi);
      if (k === undefined) continue;
      last = k;
      points.push({
        at: look.at,
        phase: look.phase,
        difference: k.bad === null ? (k.estimate.treatment ?? null) : k.difference,
        low: k.interval?.[0] ?? null,
        high: k.interval?.[1] ?? null,
        verdict: k.verdict,
      });
    }
    return {
      kpi,
      relative: last?.relative ?? null,
      bad: last?.bad ?? null,
      threshold: last?.threshold ?? null,
      points,
    };
  });
}

/** The risk register against what happened: risks that fired, breaches no risk watched. */
export function compareRisks(
  plan: Plan,
  decisions: readonly { guards: readonly ReportGuard[]; risks: readonly { id: string }[] }[],
  looks: readonly { kpis: readonly { kpi: string; verdict: string }[] }[],
  materialized: readonly string[] | null,
): LaunchReport['risks'] {
  const breached = new Set<string>();
  for (const d of decisions)
    for (const g of d.guards) if (g.verdict === 'breach') breached.add(g.kpi);
  for (const l of looks) for (const k of l.kpis) if (k.verdict === 'breach') breached.add(k.kpi);
  const fired = new Set(decisions.flatMap((d) => d.risks.map((r) => r.id)));
  const watched = new Set(plan.risks.flatMap((r) => r.watch));
  return {
    risks: plan.risks.map((r) => ({
      id: r.id,
      title: r.title,
      owner: r.owner,
      watch: r.watch,
      fired: fired.has(r.id),
      breached: r.watch.filter((k) => breached.has(k)),
      materialized: materialized === null ? null : materialized.includes(r.id),
    })),
    unwatched: [...breached].filter((k) => !watched.has(k)).sort(),
  };
}

/** Everything the report needs besides the reading. */
export interface ReportInputs {
  store: Store;
  reading: LaunchReading;
  events: readonly LaunchEvent[];
  now: number;
  /** Base URL of the server, for the verify instructions (e.g. http://localhost:4600). */
  serverUrl: string;
}

/** The launch report's model. */
export async function buildLaunchReport(input: ReportInputs): Promise<LaunchReport> {
  const { store, reading, events, now } = input;
  const { launch, version, standing } = reading;
  const { plan } = version;
  const createdAt = Date.parse(launch.createdAt);
  const decisions = decisionsOf(events);
  const looks = looksOf(events);

  // The previous launch of the same plan: the newest created before this one.
  const others = (await store.listLaunches())
    .filter((l) => l.planName === launch.planName && l.id !== launch.id)
    .filter(
      (l) =>
        l.createdAt < launch.createdAt || (l.createdAt === launch.createdAt && l.id < launch.id),
    )
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const prior = others[0];
  let previous: LaunchReport['previous'] = null;
  if (prior !== undefined) {
    const before = await store.getPlanVersion(prior.planName, prior.planVersion);
    const changed = before !== undefined && before.source !== version.source;
    previous = {
      launch: prior.id,
      planVersion: prior.planVersion,
      status: prior.status,
      createdAt: prior.createdAt,
      changed,
      diff: changed
        ? lineDiff(before.source, version.source).map((l) => ({ kind: l.kind, text: l.text }))
        : [],
    };
  }

  const reportDecisions = decisions.map(({ event, decision: d }) => ({
    seq: event.seq,
    at: iso(d.at),
    actor: event.actor,
    type: d.type,
    rule: d.rule,
    phase: d.phase,
    reason: d.reason,
    units: d.evidence.units ?? null,
    guards: (d.evidence.guards ?? []).map((g) => compact(lookKpiOf(g))),
    risks: (d.evidence.risks ?? []).map((r) => ({ id: r.id, title: r.title, owner: r.owner })),
    actions: (d.evidence.actions ?? []).map((a) => a.type),
  }));

  const describing =
    standing.look === null ? undefined : looks.find((l) => l.seq === standing.look?.seq);
  const kpis = standing.kpis.map((k) => {
    const at = describing?.kpis.find((x) => x.kpi === k.kpi);
    const base: ReportGuard =
      at === undefined
        ? {
            kpi: k.kpi,
            category: '',
            verdict: 'insufficient-evidence',
            reason: 'no recorded look',
            difference: null,
            interval: null,
            threshold: null,
            relative: null,
            bad: null,
            units: { treatment: 0, control: 0 },
          }
        : compact(at);
    return { ...base, standing: k.verdict };
  });

  const reviewEvent = [...events].reverse().find((e) => e.type === REVIEW_EVENT);
  const review = reviewEvent === undefined ? null : reviewOf(reviewEvent);

  const head = await store.auditHead();
  const entries = (await store.listAudit({ subject: `launch:${launch.id}`, limit: 100_000 })).map(
    (e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, hash: e.hash }),
  );
  const headText = head === null ? null : `${head.seq}:${head.hash}`;

  return {
    format: 'threshold.launch-report/1',
    generatedAt: iso(now),
    launch: { ...launchSummary(launch, plan), owner: plan.owner },
    standing,
    plan: {
      name: version.name,
      version: version.version,
      owner: plan.owner,
      uploadedBy: version.createdBy,
      uploadedAt: version.createdAt,
      sourceHash: version.sourceHash,
    },
    previous,
    timeline: timelineOf(plan, createdAt, decisions, now),
    traffic: trafficOf(createdAt, events, decisions),
    decisions: reportDecisions,
    approvals: await store.listApprovals(launch.id),
    // As it stood when the launch started: later attestations did not let it start.
    readiness: readinessStatus(
      plan,
      (await store.listAttestations(version.name)).filter((a) => Date.parse(a.at) <= createdAt),
      createdAt,
    ).map((r) => ({
      check: r.check,
      owner: r.owner,
      blocking: r.blocking,
      evidence: r.evidence,
      status: r.status,
      attestation:
        r.attestation === null
          ? null
          : {
              actor: r.attestation.actor,
              subject: r.attestation.subject,
              role: r.attestation.role,
              note: r.attestation.note,
              link: r.attestation.link,
              at: r.attestation.at,
              expiresAt: r.attestation.expiresAt,
            },
    })),
    notifications: await launchNotifications(store, launch.id, events),
    operatorActions: reportDecisions
      .filter((d) => d.rule === 'operator')
      .map((d) => ({ seq: d.seq, at: d.at, actor: d.actor, action: d.type, reason: d.reason })),
    rehearsals: await rehearsalsOf(store, launch, events),
    kpis,
    charts: chartsOf(plan, looks),
    review,
    risks: compareRisks(plan, reportDecisions, looks, review?.materialized ?? null),
    audit: {
      head,
      entries,
      verify:
        headText === null
          ? ['The audit log was empty when this report was built.']
          : [
              `GET ${input.serverUrl}/api/v1/audit/verify?expect_head=${headText} answers ok: true while the chain still holds this head`,
              `threshold audit verify --expect-head ${headText} (on the server's store: --data-dir or THRESHOLD_DATABASE_URL)`,
            ],
    },
  };
}
