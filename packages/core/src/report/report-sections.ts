/**
 * The launch report as sections of words, tables and charts: the one layout
 * the Markdown, the HTML and the dashboard's Report view all render, so they
 * say the same words in the same order.
 */
import { roughDuration } from '../decide/format.js';
import { formatDuration, formatShare } from '../plan/quantities.js';
import type { LaunchReportModel, ReportGuard } from './launch-report.js';
import { kpiChartSvg, trafficChartSvg } from './report-svg.js';

/** A table: header cells and rows of cells (plain text). */
export interface ReportTable {
  head: string[];
  rows: string[][];
}

/** One section of the report. */
export interface ReportSection {
  id: string;
  title: string;
  lines: string[];
  table?: ReportTable;
  /** Inline SVG charts (HTML only; Markdown names them). */
  charts?: { title: string; svg: string }[];
  /** Preformatted text (the plan diff). */
  pre?: string;
}

const dash = '–';
const num = (v: number | null) => (v === null ? dash : String(Number(v.toPrecision(4))));
const pct = (v: number) => `${Number((v * 100).toFixed(1))}%`;
const when = (iso: string | null) =>
  iso === null ? dash : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

function valueOf(g: ReportGuard, v: number | null): string {
  if (v === null) return dash;
  return g.relative === true ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%` : num(v);
}

/** A guard's evidence in one cell: difference [interval] against the margin. */
export function guardEvidence(g: ReportGuard): string {
  const interval =
    g.interval === null
      ? ''
      : ` [${g.interval[0] === null ? '−∞' : valueOf(g, g.interval[0])}, ${g.interval[1] === null ? '+∞' : valueOf(g, g.interval[1])}]`;
  const margin =
    g.threshold === null
      ? ''
      : ` vs ${g.bad === null ? 'limit' : 'margin'} ${valueOf(g, g.threshold)}`;
  return `${valueOf(g, g.difference)}${interval}${margin}`;
}

/** The sections every rendering shows, in order. */
export function reportSections(r: LaunchReportModel): ReportSection[] {
  const l = r.launch;
  const sections: ReportSection[] = [];
  sections.push({
    id: 'summary',
    title: 'Summary',
    lines: [
      `**${r.standing.label}** (health: ${r.standing.healthText}). ${r.standing.sentence}`,
      `Plan ${r.plan.name}@${r.plan.version} (owner ${r.plan.owner}; uploaded by ${r.plan.uploadedBy} at ${when(r.plan.uploadedAt)}; sha256 ${r.plan.sourceHash.slice(0, 16)}…), flag ${l.flag}.`,
      `Started by ${l.createdBy} at ${when(l.createdAt)}; now ${l.status} in ${l.phase || dash} at ${formatShare(l.share)}.`,
      `Report generated at ${when(r.generatedAt)} from audit chain head ${r.audit.head === null ? '(empty)' : `${r.audit.head.seq}:${r.audit.head.hash}`}.`,
    ],
  });
  const p = r.previous;
  sections.push({
    id: 'plan-diff',
    title: 'Plan version and changes',
    lines:
      p === null
        ? ['This is the first launch of this plan.']
        : [
            `Previous launch of this plan: ${p.launch} (${p.status}, plan version ${p.planVersion}, started ${when(p.createdAt)}).`,
            p.changed
              ? `The plan changed since: ${p.diff.filter((d) => d.kind === 'added').length} lines added, ${p.diff.filter((d) => d.kind === 'removed').length} removed.`
              : 'The plan is unchanged since then.',
          ],
    ...(p?.changed === true
      ? {
          pre: p.diff
            .filter((d) => d.kind !== 'same')
            .map((d) => `${d.kind === 'added' ? '+' : '-'} ${d.text}`)
            .join('\n'),
        }
      : {}),
  });
  sections.push({
    id: 'timeline',
    title: 'Timeline: planned against actual',
    lines: [
      'Planned starts are the earliest each phase can start (the minimum durations and bakes before it).',
    ],
    table: {
      head: [
        'Phase',
        'Planned share',
        'Planned min. duration',
        'Planned start',
        'Sign-off',
        'Entered',
        'Left',
        'Actual time',
        'Outcome',
      ],
      rows: r.timeline.map((t) => [
        t.phase,
        formatShare(t.plannedTraffic),
        formatDuration(t.plannedMinDurationMs) +
          (t.plannedBakeMs === null ? '' : ` + bake ${formatDuration(t.plannedBakeMs)}`),
        `+${formatDuration(t.plannedStartMs)}`,
        t.signoff.length === 0 ? dash : t.signoff.join(', '),
        when(t.enteredAt),
        when(t.leftAt),
        t.actualMs === null ? dash : roughDuration(t.actualMs),
        t.outcome,
      ]),
    },
    charts: [{ title: 'Treatment share: planned against actual', svg: trafficChartSvg(r) }],
  });
  sections.push({
    id: 'decisions',
    title: 'Decisions and their evidence',
    lines:
      r.decisions.length === 0
        ? ['No decision yet.']
        : [`${r.decisions.length} decision${r.decisions.length === 1 ? '' : 's'}, oldest first.`],
    table: {
      head: [
        '#',
        'Time',
        'By',
        'Decision',
        'Rule',
        'Phase',
        'Reason',
        'Evidence',
        'Units (T/C)',
        'Risk / contingency',
      ],
      rows: r.decisions.map((d) => [
        String(d.seq),
        when(d.at),
        d.actor,
        d.type,
        d.rule,
        d.phase,
        d.reason,
        d.guards.map((g) => `${g.kpi} ${g.verdict}: ${guardEvidence(g)}`).join('; ') || dash,
        d.units === null ? dash : `${d.units.treatment}/${d.units.control}`,
        [
          ...d.risks.map((x) => `${x.id} ${x.title} (${x.owner})`),
          ...d.actions.map((a) => `on_breach ${a}`),
        ].join('; ') || dash,
      ]),
    },
  });
  sections.push({
    id: 'signoffs',
    title: 'Sign-offs',
    lines: r.approvals.length === 0 ? ['No approval was given or asked for.'] : [],
    ...(r.approvals.length === 0
      ? {}
      : {
          table: {
            head: ['Time', 'Who', 'Role', 'Phase', 'Answer', 'Plan version', 'Comment'],
            rows: r.approvals.map((a) => [
              when(a.at),
              a.actor,
              a.role,
              a.phase,
              a.decision,
              String(a.planVersion),
              a.comment || dash,
            ]),
          },
        }),
  });
  sections.push({
    id: 'readiness',
    title: 'Readiness evidence',
    lines: r.readiness.length === 0 ? ['The plan has no readiness checklist.'] : [],
    ...(r.readiness.length === 0
      ? {}
      : {
          table: {
            head: ['Check', 'Owner', 'Blocking', 'At the start', 'Evidence'],
            rows: r.readiness.map((x) => [
              x.check,
              x.owner,
              x.blocking ? 'yes' : 'no',
              x.attestation === null
                ? x.status
                : `${x.status}: ${x.attestation.actor} as ${x.attestation.role} at ${x.attestation.at} until ${x.attestation.expiresAt}: ${x.attestation.note}`,
              [x.attestation?.link ?? null, x.evidence].filter((e) => e !== null).join(' · ') ||
                'none',
            ]),
          },
        }),
  });
  sections.push({
    id: 'notifications',
    title: 'Notifications',
    lines: r.notifications.length === 0 ? ['No notification was asked for.'] : [],
    ...(r.notifications.length === 0
      ? {}
      : {
          table: {
            head: [
              '#',
              'Asked at',
              'Kind',
              'To',
              'KPI',
              'Delivery',
              'Attempts',
              'Why not delivered',
            ],
            rows: r.notifications.map((n) => [
              String(n.seq),
              when(n.at),
              n.kind,
              n.target,
              n.kpi ?? dash,
              n.state,
              String(n.attempts),
              n.error ?? dash,
            ]),
          },
        }),
  });
  sections.push({
    id: 'operator-actions',
    title: 'Operator actions',
    lines: r.operatorActions.length === 0 ? ['Nobody paused, resumed or rolled back by hand.'] : [],
    ...(r.operatorActions.length === 0
      ? {}
      : {
          table: {
            head: ['#', 'Time', 'Who', 'Action', 'Reason'],
            rows: r.operatorActions.map((o) => [
              String(o.seq),
              when(o.at),
              o.actor,
              o.action,
              o.reason,
            ]),
          },
        }),
  });
  const shareText = (x: { rate: number; low: number; high: number }) =>
    `${pct(x.rate)} [${pct(x.low)}, ${pct(x.high)}]`;
  sections.push({
    id: 'rehearsals',
    title: 'Rehearsals before the launch',
    lines: [r.rehearsals.note, r.rehearsals.rule],
    ...(r.rehearsals.list.length === 0
      ? {}
      : {
          table: {
            head: [
              '#',
              'Time',
              'Who',
              'Settings',
              'Scenario',
              'Shipped',
              'Caught',
              'Stopped for nothing',
              'Stalled',
            ],
            rows: r.rehearsals.list.flatMap((h) =>
              h.scenarios.map((sc) => [
                String(h.id),
                when(h.at),
                h.actor,
                h.settings,
                `${sc.label} (${sc.runs} runs)`,
                shareText(sc.shipped),
                shareText(sc.caught),
                shareText(sc.stoppedForNothing),
                shareText(sc.stalled),
              ]),
            ),
          },
        }),
  });
  const charts = r.charts
    .map((s) => ({ s, svg: kpiChartSvg(s) }))
    .filter((x): x is { s: LaunchReportModel['charts'][number]; svg: string } => x.svg !== null)
    .map(({ s, svg }) => ({
      title: `${s.kpi}: difference with its interval against the margin`,
      svg,
    }));
  sections.push({
    id: 'kpis',
    title: 'Final KPI matrix',
    lines: [
      r.standing.look === null
        ? 'No look was recorded.'
        : `At the look that describes the launch (log #${r.standing.look.seq}, ${when(new Date(r.standing.look.at).toISOString())}).`,
    ],
    table: {
      head: ['KPI', 'Category', 'Verdict', 'Estimate [interval] vs margin', 'Units (T/C)', 'Why'],
      rows: r.kpis.map((k) => [
        k.kpi,
        k.category || dash,
        k.standing,
        guardEvidence(k),
        `${k.units.treatment}/${k.units.control}`,
        k.reason,
      ]),
    },
    charts,
  });
  const rv = r.review;
  sections.push({
    id: 'review',
    title: 'Post-launch review',
    lines:
      rv === null
        ? [
            l.status === 'completed' || l.status === 'rolled-back'
              ? 'Not reviewed yet.'
              : 'The launch has not ended; it is reviewed after it ends.',
          ]
        : [
            `Reviewed by ${rv.by} at ${when(rv.at)} (audit #${rv.auditSeq}).`,
            `Outcome: ${rv.outcome}`,
            `Risks that materialized: ${rv.materialized.length === 0 ? 'none' : rv.materialized.join(', ')}.`,
          ],
    ...(rv === null || rv.followUps.length === 0
      ? {}
      : {
          table: {
            head: ['Follow-up', 'Owner', 'Due'],
            rows: rv.followUps.map((f) => [f.what, f.owner, f.due ?? dash]),
          },
        }),
  });
  sections.push({
    id: 'risks',
    title: 'Risk register against what happened',
    lines: [
      r.risks.unwatched.length === 0
        ? 'No KPI breached without a risk watching it.'
        : `KPIs that breached without a risk watching them: ${r.risks.unwatched.join(', ')}.`,
      ...(r.risks.risks.length === 0 ? ['The plan has no risk register.'] : []),
    ],
    ...(r.risks.risks.length === 0
      ? {}
      : {
          table: {
            head: [
              'Risk',
              'Title',
              'Owner',
              'Watches',
              'Breached',
              'Contingency fired',
              'Materialized (review)',
            ],
            rows: r.risks.risks.map((x) => [
              x.id,
              x.title,
              x.owner,
              x.watch.join(', ') || dash,
              x.breached.join(', ') || dash,
              x.fired ? 'yes' : 'no',
              x.materialized === null ? 'not reviewed' : x.materialized ? 'yes' : 'no',
            ]),
          },
        }),
  });
  sections.push({
    id: 'audit',
    title: 'Audit chain',
    lines: [
      `Built from audit chain head ${r.audit.head === null ? '(empty)' : `${r.audit.head.seq}:${r.audit.head.hash}`}. Verify it:`,
      ...r.audit.verify.map((v) => `- ${v}`),
      `${r.audit.entries.length} audit entr${r.audit.entries.length === 1 ? 'y concerns' : 'ies concern'} this launch.`,
    ],
    table: {
      head: ['Seq', 'Time', 'Actor', 'Action', 'Hash'],
      rows: r.audit.entries.map((e) => [String(e.seq), when(e.at), e.actor, e.action, e.hash]),
    },
  });
  return sections;
}
