/**
 * `threshold launch status`: where a launch stands and why. The state, health
 * and sentence are the server's (core's launchStanding, the same the dashboard
 * shows); this file only lays them out with the look they came from.
 */
import {
  VERDICT_WORDS,
  formatPercent,
  formatSigned,
  formatValue,
  integritySentence,
  routerSentence,
} from '@threshold/core';
import type { Condition, KpiStanding, LaunchStanding, RouterStanding } from '@threshold/core';
import type { LaunchDetailAnswer, LookAnswer } from '@threshold/server';
import { renderTable } from '../text-table.js';

/**
 * What the server says about a launch (GET /api/v1/launches/:id), as far as
 * status reads it: the server's own answer type, with the fields older servers
 * do not send left optional.
 */
export type LaunchDetail = Pick<LaunchDetailAnswer, 'launch' | 'pendingSignoffs' | 'lastDecision'> &
  Partial<Pick<LaunchDetailAnswer, 'integrity' | 'sources' | 'notifications' | 'lineage'>> & {
    /** Where the launch stands, as core types it (older servers send none). */
    standing?: LaunchStanding;
  };

/** One notification's delivery, as the server reports it. */
export type NotificationView = LaunchDetailAnswer['notifications'][number];

/** One metric source's health, as the server reports it. */
export type SourceHealthView = LaunchDetailAnswer['sources'][number];

/** One KPI of a recorded look (GET /api/v1/launches/:id/looks). */
export type LookKpiView = LookAnswer['kpis'][number];

/** A recorded look, with its conditions as core types them. */
export type LookView = Omit<LookAnswer, 'conditions'> & { conditions: Condition[] };

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

/** "evidence: …" when exposures were quarantined or one token dominates; null when all is well (core's integritySentence). */
export function integrityLine(integrity: LaunchDetail['integrity'] | null): string | null {
  return integritySentence(integrity);
}

/** The router's sentence (core's), with when the last share was confirmed; null without a router. */
export function routerLine(router: RouterStanding | null | undefined, now: number): string | null {
  if (router === null || router === undefined) return null;
  const when =
    router.applied === null
      ? ''
      : ` Confirmed ${formatDuration(Math.max(0, now - router.applied.at))} ago.`;
  const failing =
    router.since === null ? '' : ` Failing for ${formatDuration(Math.max(0, now - router.since))}.`;
  return `${routerSentence(router)}${when}${failing}`;
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
  const router = routerLine(standing?.router, now);
  if (router !== null) lines.push(`router:  ${router}`);
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
  const unanswered = look?.conditions.find((c) => c.id === 'no-asks' && !c.met);
  const asks = unanswered?.id === 'no-asks' ? unanswered.asks : [];
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
