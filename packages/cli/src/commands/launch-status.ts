/**
 * `threshold launch status`: where a launch stands and why. The state, health
 * and sentence are the server's (core's launchStanding, the same the dashboard
 * shows); this file only lays them out with the look they came from.
 */
import {
  VERDICT_WORDS,
  formatCount,
  formatPercent,
  formatSigned,
  formatValue,
} from '@threshold/core';
import type { KpiStanding, LaunchStanding } from '@threshold/core';
import { renderTable } from '../text-table.js';

/** What the server says about a launch (GET /api/v1/launches/:id), as far as status reads it. */
export interface LaunchDetail {
  launch: {
    id: string;
    plan: string;
    planVersion: number;
    flag: string;
    status: string;
    phase: string;
    phaseIndex: number;
    phases: number;
    share: number;
    phaseStartedAt: string;
    /** Absent from servers before environments (ADR 0032). */
    environment?: string;
  };
  /** Every attempt of the launch, first to last (absent from servers before retries). */
  lineage?: { id: string; attempt: number; status: string; retryOf: string | null }[];
  pendingSignoffs: {
    phase: string;
    role: string;
    quorum: number;
    approvedBy: string[];
    rejectedBy: string[];
    missing: number;
  }[];
  lastDecision: {
    seq?: number;
    type?: string;
    reason?: string;
    at?: string;
    actor?: string;
  } | null;
  /** Evidence integrity (absent from servers before ADR 0019). */
  integrity?: {
    phase: string;
    quarantined: Record<string, number>;
    dominant: { name: string; share: number } | null;
  };
  /** Health of the metric sources the plan reads (older servers send none). */
  sources?: SourceHealthView[];
  /** Where the launch stands (older servers send none). */
  standing?: LaunchStanding;
  /** What became of each notification the launch asked for (older servers send none). */
  notifications?: NotificationView[];
}

/** One notification's delivery, as the server reports it. */
export interface NotificationView {
  key: string;
  kind: 'notify' | 'webhook' | 'warning';
  target: string;
  seq: number;
  at: string;
  kpi: string | null;
  state: 'queued' | 'delivered' | 'failed' | 'not-configured' | 'unknown';
  error: string | null;
  attempts: number;
  settledAt: string | null;
}

/** One metric source's health, as the server reports it. */
export interface SourceHealthView {
  name: string;
  kind: string;
  target: string;
  state: 'ok' | 'failing' | 'unknown';
  lastError?: string;
  lastQueryAt?: string;
}

/** One KPI of a recorded look (GET /api/v1/launches/:id/looks). */
export interface LookKpiView {
  kpi: string;
  category: string;
  verdict: string;
  estimate: { treatment: number | null; control: number | null };
  difference: number | null;
  interval: [number | null, number | null] | null;
  threshold: number | null;
  relative: boolean | null;
}

/** A recorded look, as far as status reads it. */
export interface LookView {
  seq: number;
  at: number;
  state: string;
  summary: string;
  units: { treatment: number; control: number };
  srm: { healthy: boolean; pValue: number };
  next: { phase: string; traffic: number } | null;
  conditions: { id: string; met: boolean; asks?: string[] }[];
  kpis: LookKpiView[];
}

/** The whole status, as `--json` prints it. */
export interface LaunchStatusView {
  launch: LaunchDetail['launch'];
  /** Where the launch stands and why (null from servers that predate it). */
  standing: LaunchStanding | null;
  timeInPhaseMs: number;
  /** The look the standing's health and KPIs come from (null when none describes the launch now). */
  look: LookView | null;
  pendingSignoffs: LaunchDetail['pendingSignoffs'];
  lastDecision: LaunchDetail['lastDecision'];
  notifications: NotificationView[];
  integrity: LaunchDetail['integrity'] | null;
  sources: SourceHealthView[];
  lineage: NonNullable<LaunchDetail['lineage']>;
}

/** Combine the detail and the latest look at `now` (ms). */
export function statusView(
  detail: LaunchDetail,
  latest: LookView | null,
  now: number,
): LaunchStatusView {
  const standing = detail.standing ?? null;
  // Only the look the standing describes the launch by: an older one says what the launch was.
  const look =
    standing === null
      ? latest
      : standing.look !== null && latest?.seq === standing.look.seq
        ? latest
        : null;
  return {
    launch: detail.launch,
    standing,
    timeInPhaseMs: Math.max(0, now - Date.parse(detail.launch.phaseStartedAt)),
    look,
    pendingSignoffs: detail.pendingSignoffs,
    lastDecision: detail.lastDecision,
    notifications: detail.notifications ?? [],
    integrity: detail.integrity ?? null,
    sources: detail.sources ?? [],
    lineage: detail.lineage ?? [],
  };
}

/** One line per notification: where it went and what became of it. */
export function notificationLines(notifications: readonly NotificationView[]): string[] {
  return notifications.map((n) => {
    const what =
      n.kind === 'webhook'
        ? `webhook ${n.target}`
        : n.kind === 'warning'
          ? `warning to ${n.target}`
          : `notify ${n.target}`;
    const about = n.kpi === null ? '' : ` about ${n.kpi}`;
    const outcome =
      n.state === 'delivered'
        ? 'delivered'
        : n.state === 'queued'
          ? n.error === null
            ? 'queued'
            : `queued, retrying after ${n.attempts} failed attempt${n.attempts === 1 ? '' : 's'} (${n.error})`
          : n.state === 'not-configured'
            ? `NOT SENT: ${n.error ?? 'no URL configured'}`
            : n.state === 'failed'
              ? `FAILED: ${n.error ?? 'unknown error'}`
              : `outcome unknown (${n.error ?? 'not recorded'})`;
    return `${what}${about}: ${outcome}`;
  });
}

/** "evidence: …" when exposures were quarantined or one token dominates; null when all is well. */
export function integrityLine(integrity: LaunchDetail['integrity'] | null): string | null {
  if (integrity === null || integrity === undefined) return null;
  const reasons = Object.entries(integrity.quarantined).filter(([, n]) => n > 0);
  const total = reasons.reduce((a, [, n]) => a + n, 0);
  const parts: string[] = [];
  if (total > 0)
    parts.push(
      `${formatCount(total)} exposure${total === 1 ? '' : 's'} quarantined (${reasons.map(([r, n]) => `${r} ${formatCount(n)}`).join(', ')})`,
    );
  const d = integrity.dominant;
  if (d !== null)
    parts.push(
      `token ${d.name} supplied ${formatPercent(d.share, false)} of ${integrity.phase}'s units`,
    );
  return parts.length === 0 ? null : `evidence: ${parts.join('; ')}`;
}

/** "1h 4m", "2m 5s", "12s". */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** A share as a percentage: 0.25 → "25%", 0.0001 → "0.01%". */
export function formatShare(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}

/** A difference or margin with its sign: +12.3% when relative, else three significant digits (+320, −0.0396). */
export function signed(v: number, relative: boolean): string {
  if (v === 0) return relative ? '0%' : '0';
  return relative ? formatPercent(v) : formatSigned(v);
}

function bound(v: number | null, relative: boolean, side: 'low' | 'high'): string {
  if (v === null) return side === 'low' ? '-∞' : '+∞';
  return signed(v, relative);
}

/** An estimate: three significant digits (320, 200, 0.0396; 1.00e+6 from a million up), '–' when missing. */
export function plain(v: number | null): string {
  if (v === null) return '–';
  return formatValue(v);
}

/** One row per KPI: verdict (as the standing words it), estimates, the difference with its interval, the margin. */
function kpiRows(
  kpis: readonly LookKpiView[],
  verdicts: readonly { kpi: string; verdict: KpiStanding }[],
): string[][] {
  return kpis.map((k) => {
    const verdict = verdicts.find((v) => v.kpi === k.kpi)?.verdict ?? (k.verdict as KpiStanding);
    const relative = k.relative === true;
    const diff =
      k.difference === null
        ? '–'
        : `${signed(k.difference, relative)} [${bound(k.interval?.[0] ?? null, relative, 'low')}, ${bound(k.interval?.[1] ?? null, relative, 'high')}]`;
    const margin = k.threshold === null ? '–' : signed(k.threshold, relative);
    return [
      k.kpi,
      k.category,
      VERDICT_WORDS[verdict] ?? k.verdict,
      `${plain(k.estimate.treatment)} vs ${plain(k.estimate.control)}`,
      diff,
      margin,
    ];
  });
}

/** The status as text for people. */
export function renderStatus(view: LaunchStatusView, now: number): string {
  const { launch, look, standing } = view;
  const ago = (ms: number) => formatDuration(Math.max(0, now - ms));
  const lines: string[] = [];
  lines.push(
    `${launch.id}  (plan ${launch.plan}@${launch.planVersion}, flag ${launch.flag}${launch.environment === undefined || launch.environment === 'production' ? '' : `, in ${launch.environment}`})`,
  );
  if (view.lineage.length > 1) {
    const me = view.lineage.find((a) => a.id === launch.id);
    lines.push(
      `attempt: ${me?.attempt ?? '?'} of ${view.lineage.length}: ${view.lineage.map((a) => `${a.id} (${a.status})`).join(' → ')}`,
    );
  }
  const ended = launch.status === 'rolled-back' || launch.status === 'completed';
  if (standing === null) lines.push(`status:  ${launch.status}`);
  else {
    lines.push(`state:   ${standing.label} (health: ${standing.healthText})`);
    lines.push(`why:     ${standing.sentence}`);
  }
  const position =
    launch.phaseIndex >= 0
      ? `${launch.phase} (${launch.phaseIndex + 1} of ${launch.phases})`
      : launch.phase;
  const endedAt = standing?.decision?.at;
  lines.push(
    `phase:   ${position} at ${formatShare(launch.share)}, ${
      ended && endedAt !== undefined
        ? `ended ${ago(endedAt)} ago`
        : `for ${formatDuration(view.timeInPhaseMs)}`
    }`,
  );
  if (standing === null) {
    if (look?.next != null)
      lines.push(`next:    ${look.next.phase} at ${formatShare(look.next.traffic)}`);
  } else if (standing.nextStep !== null) lines.push(`next:    ${standing.nextStep}`);
  for (const w of standing?.warnings ?? []) lines.push(`warning: ${w.message}`);
  if (look !== null) {
    if (standing === null) lines.push(`now:     ${look.summary} (look ${ago(look.at)} ago)`);
    lines.push(
      `units:   ${look.units.treatment} treatment, ${look.units.control} control; split ${look.srm.healthy ? 'healthy' : 'BROKEN'} (p=${plain(look.srm.pValue)}); look ${ago(look.at)} ago`,
    );
    if (look.kpis.length > 0) {
      lines.push('');
      lines.push(
        ...renderTable([
          ['KPI', 'category', 'verdict', 'treatment vs control', 'difference [interval]', 'margin'],
          ...kpiRows(look.kpis, standing?.kpis ?? []),
        ]),
      );
    }
  } else if (!ended) {
    lines.push('units:   no look in this phase yet (the controller looks every few seconds)');
  }
  for (const src of view.sources) {
    const state =
      src.state === 'ok' ? 'ok' : src.state === 'failing' ? 'FAILING' : 'not queried yet';
    const when =
      src.lastQueryAt === undefined ? '' : `, last query ${ago(Date.parse(src.lastQueryAt))} ago`;
    lines.push(
      `source:  ${src.target}: ${state}${when}${src.state === 'failing' && src.lastError !== undefined ? ` (${src.lastError})` : ''}`,
    );
  }
  lines.push('');
  const asks = look?.conditions.find((c) => c.id === 'no-asks' && !c.met)?.asks ?? [];
  if (view.pendingSignoffs.length === 0 && asks.length === 0) lines.push('sign-offs: none pending');
  else {
    const parts = view.pendingSignoffs.map(
      (s) =>
        `${s.role} ${s.approvedBy.length}/${s.quorum} for ${s.phase}${s.rejectedBy.length > 0 ? ` (rejected by ${s.rejectedBy.join(', ')})` : ''}`,
    );
    for (const a of asks) parts.push(`answer to ask ${a}`);
    lines.push(`sign-offs pending: ${parts.join('; ')}`);
  }
  for (const n of notificationLines(view.notifications)) lines.push(`notification: ${n}`);
  const evidence = integrityLine(view.integrity);
  if (evidence !== null) lines.push(evidence);
  const d = view.lastDecision;
  if (d === null || d.reason === undefined) lines.push('last decision: none yet');
  else {
    const when = d.at === undefined ? '' : `, ${ago(Date.parse(d.at))} ago`;
    // The sentence above already says why an ended or paused launch stands where it does.
    const told =
      standing !== null && standing.decision?.seq === d.seq && launch.status !== 'running';
    lines.push(
      `last decision: ${d.type ?? 'decision'} by ${d.actor ?? 'controller'}${when}${told ? ' (see why above)' : `: ${d.reason}`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
