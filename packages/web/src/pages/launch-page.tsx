/**
 * One launch: where it stands and why. The badge, health and status sentence
 * are the server's standing (core's launchStanding, which the CLI and the list
 * show too). The outcome (rolled back, completed, paused) comes first with the
 * evidence of the decision behind it, then the actions, the phase timeline,
 * the KPI matrix, the charts, sign-offs, notifications and the decision log.
 * Everything refreshes when the stream says the launch moved.
 */
import { KPI_CATEGORIES } from '../format/plan-constants.js';
import { integritySentence, routerSentence } from '@threshold/core';
import type { Decision } from '@threshold/core';
import { useState } from 'react';
import type { DecisionEvent, LaunchDetail, LookKpi, LookRecord } from '../api/api-types.js';
import { useLaunchStream } from '../app/launch-stream.js';
import { Link, launchPath, planPath, reportPath } from '../app/router.js';
import { useApi } from '../app/use-api.js';
import { useLaunchLog } from '../app/use-launch-log.js';
import { useNow } from '../app/use-now.js';
import { useThrottled } from '../app/use-throttled.js';
import { KpiCharts } from '../charts/kpi-charts.js';
import { DecisionEvidence } from '../components/decision-evidence.js';
import { DecisionLog } from '../components/decision-log.js';
import { ErrorNote } from '../components/error-note.js';
import { KpiMatrix, lookKpiOfGuard } from '../components/kpi-matrix.js';
import { OperatorActions } from '../components/operator-actions.js';
import { PhaseTimeline } from '../components/phase-timeline.js';
import { NotificationsPanel } from '../components/notifications-panel.js';
import { SignoffPanel } from '../components/signoff-panel.js';
import { ReadinessPanel } from '../components/readiness-panel.js';
import { HealthBadge, StandingBadge } from '../components/standing-badge.js';
import { decisionTitle } from '../format/decision-words.js';
import { clockTime, formatShare, humanDuration, toMs } from '../format/numbers.js';

/** The decision that explains where the launch stands: its rollback, completion or pause. */
function outcomeDecision(
  status: string,
  decisions: readonly DecisionEvent[],
): DecisionEvent | undefined {
  const wanted =
    status === 'rolled-back'
      ? 'rollback'
      : status === 'completed'
        ? 'complete'
        : status === 'paused'
          ? 'pause'
          : null;
  if (wanted === null) return undefined;
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (d?.decision.type === wanted) return d;
  }
  return undefined;
}

/** The last advance, for "why did it advance?". */
function lastAdvance(decisions: readonly DecisionEvent[]): DecisionEvent | undefined {
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (d?.decision.type === 'advance') return d;
  }
  return undefined;
}

/**
 * The KPI verdicts to show: the latest recorded look, overlaid with the guards of
 * the decision that ended or paused the launch when it came later (looks are
 * recorded every few seconds, so the last one may predate a rollback).
 */
function matrixAt(
  look: LookRecord | undefined,
  outcome: DecisionEvent | undefined,
): { kpis: LookKpi[]; at: number | null; from: string | null } {
  const kpis = look?.kpis ?? [];
  const guards = outcome?.decision.evidence.guards ?? [];
  if (
    outcome === undefined ||
    guards.length === 0 ||
    (look !== undefined && look.at >= outcome.decision.at)
  ) {
    return { kpis, at: look?.at ?? null, from: null };
  }
  const fromDecision = new Map(guards.map((g) => [g.kpi, lookKpiOfGuard(g)]));
  const merged = kpis.map((k) => fromDecision.get(k.kpi) ?? k);
  for (const [name, k] of fromDecision) if (!kpis.some((x) => x.kpi === name)) merged.push(k);
  return { kpis: merged, at: outcome.decision.at, from: outcome.decision.type };
}

/** True when none of a decision's KPIs had a control arm to compare with (100% traffic). */
/** The earlier phase whose control arm a decision's comparisons were judged against, if any. */
function baselineOf(decision: Decision): string | undefined {
  return (decision.evidence.guards ?? []).find((g) => g.comparison?.baseline !== undefined)
    ?.comparison?.baseline;
}

function withoutControl(decision: Decision): boolean {
  const guards = decision.evidence.guards ?? [];
  return guards.length > 0 && guards.every((g) => g.units.control === 0);
}

export function LaunchPage({ id }: { id: string }) {
  const stream = useLaunchStream();
  const [local, setLocal] = useState(0);
  const streamSeq = useThrottled(stream.launches.get(id)?.seq, 500);
  const detail = useApi<LaunchDetail>(
    `/api/v1/launches/${encodeURIComponent(id)}`,
    `${streamSeq ?? 0}:${local}`,
  );
  // While another launch's detail is still shown (after a retry navigates here), its seq is not this one's.
  const detailSeq = detail.data?.launch.id === id ? detail.data.launch.seq : 0;
  const seq = Math.max(streamSeq ?? 0, detailSeq) || undefined;
  const log = useLaunchLog(id, seq);
  const now = useNow();
  const refresh = () => setLocal((n) => n + 1);

  if (detail.data === undefined || detail.data.launch.id !== id) {
    return (
      <section>
        <h1>{id}</h1>
        {detail.state === 'error' ? <ErrorNote error={detail.error} /> : <p>Loading…</p>}
      </section>
    );
  }
  const { launch, plan, standing } = detail.data;
  const latest: LookRecord | undefined = log.looks[log.looks.length - 1];
  const ended = launch.status === 'rolled-back' || launch.status === 'completed';
  const outcome = outcomeDecision(launch.status, log.decisions);
  const advance = launch.status === 'completed' ? lastAdvance(log.decisions) : undefined;
  const notComparable = standing.kpis
    .filter((k) => k.verdict === 'not-comparable')
    .map((k) => k.kpi);
  const matrix = matrixAt(latest, outcome);
  const endedAt = standing.decision?.at ?? toMs(launch.updatedAt);
  const askCondition = latest?.conditions.find((c) => c.id === 'no-asks' && !c.met);
  const policyRoles = Object.keys(plan.plan.signoff?.roles ?? {});
  const evidence = integritySentence(detail.data.integrity);
  const kpiNames = KPI_CATEGORIES.flatMap((c) => plan.plan.kpis[c].map((k) => k.name));

  return (
    <section className="launch-page">
      <header className="page-head">
        <h1>{launch.id}</h1>
        <StandingBadge standing={standing} />
        <HealthBadge standing={standing} />
      </header>
      <p className="facts-line">
        Plan{' '}
        <Link to={planPath(plan.name, plan.version)}>
          {plan.name}@{plan.version}
        </Link>{' '}
        · phase <strong>{launch.phase}</strong> ({launch.phaseIndex + 1}/{launch.phases}) · share{' '}
        <strong>{formatShare(launch.share)}</strong> ·{' '}
        {ended
          ? `ended ${clockTime(endedAt)}`
          : `${humanDuration(now - toMs(launch.phaseStartedAt))} in phase`}{' '}
        · started by {launch.createdBy} at {clockTime(launch.createdAt)} · environment{' '}
        <strong data-environment>{launch.environment}</strong> ·{' '}
        <Link to={reportPath(launch.id)} data-report-link>
          {ended ? 'Report and review' : 'Report'}
        </Link>
      </p>
      {detail.data.lineage.length > 1 ? (
        <p className="facts-line" data-lineage>
          Attempt {detail.data.lineage.find((a) => a.id === launch.id)?.attempt ?? '?'} of{' '}
          {detail.data.lineage.length}:{' '}
          {detail.data.lineage.map((a, i) => (
            <span key={a.id}>
              {i === 0 ? '' : ' → '}
              {a.id === launch.id ? (
                <strong>{a.id}</strong>
              ) : (
                <Link to={launchPath(a.id)}>{a.id}</Link>
              )}{' '}
              <span className="muted">({a.status})</span>
            </span>
          ))}
        </p>
      ) : null}
      {(detail.data.sources ?? []).map((src) => (
        <p
          key={src.name}
          className="facts-line"
          data-source={src.name}
          data-source-state={src.state}
        >
          Source {src.target}:{' '}
          <strong>
            {src.state === 'ok' ? 'ok' : src.state === 'failing' ? 'FAILING' : 'not queried yet'}
          </strong>
          {src.lastQueryAt === undefined
            ? null
            : ` · last query ${humanDuration(Math.max(0, now - toMs(src.lastQueryAt)))} ago`}
          {src.state === 'failing' && src.lastError !== undefined ? ` · ${src.lastError}` : null}
        </p>
      ))}
      {standing.router === null ? null : (
        <p
          className={`facts-line${standing.router.state === 'failing' ? ' warning-line' : ''}`}
          data-router={standing.router.name}
          data-router-state={standing.router.state}
        >
          {routerSentence(standing.router)}
          {standing.router.applied === null
            ? null
            : ` Confirmed ${humanDuration(Math.max(0, now - standing.router.applied.at))} ago.`}
          {standing.router.since === null
            ? null
            : ` Failing for ${humanDuration(Math.max(0, now - standing.router.since))}.`}
        </p>
      )}
      {evidence === null ? null : (
        <p className="facts-line" data-integrity>
          {evidence}
        </p>
      )}
      <p className="status-line" data-status-line>
        {standing.sentence}
      </p>
      {standing.nextStep === null ? null : (
        <p className="next-step" data-next-step>
          Next: {standing.nextStep}
        </p>
      )}
      {standing.warnings.map((w) => (
        <p key={w.id} className="warning-line" data-warning={w.id} role="alert">
          ⚠ {w.message}
        </p>
      ))}

      {outcome === undefined ? null : (
        <div className={`outcome outcome-${launch.status}`} data-outcome={launch.status}>
          <h2>
            {launch.status === 'rolled-back'
              ? 'Why it rolled back'
              : launch.status === 'completed'
                ? 'Why it completed'
                : 'Why it is paused'}
          </h2>
          <p>
            <strong>{decisionTitle(outcome.decision)}</strong> at {clockTime(outcome.at)} in phase{' '}
            {outcome.decision.phase}, by {outcome.actor}.
          </p>
          <DecisionEvidence
            decision={outcome.decision}
            hideGuards={outcome.decision.type === 'complete' && withoutControl(outcome.decision)}
            hideReason
          />
          {advance === undefined || advance.seq === outcome.seq ? null : (
            <div className="advance-evidence" data-advance-evidence>
              <h3>
                The evidence it advanced on: {decisionTitle(advance.decision)} at{' '}
                {clockTime(advance.at)}
              </h3>
              <p className="muted">
                {baselineOf(outcome.decision) === undefined
                  ? 'At 100% there is no control arm, so every KPI was judged in the phases before.'
                  : `At 100% there is no control arm: the comparisons above were judged against the control arm of ${baselineOf(outcome.decision) ?? ''}, the baseline.`}
              </p>
              <DecisionEvidence decision={advance.decision} />
            </div>
          )}
        </div>
      )}

      <h2>Actions</h2>
      <OperatorActions
        launchId={launch.id}
        status={launch.status}
        planVersion={launch.planVersion}
        onDone={refresh}
      />

      <h2>Phases: planned and actual</h2>
      <PhaseTimeline
        plan={plan.plan}
        launch={launch}
        decisions={log.decisions}
        looks={log.looks}
        now={now}
      />

      <h2>
        KPI matrix{' '}
        {matrix.at === null ? null : (
          <span className="muted small">
            at {clockTime(matrix.at)}
            {matrix.from === null ? '' : `, from the ${matrix.from} decision`}
            {/* Evidence of an earlier phase is labelled so, never passed off as this phase's. */}
            {latest === undefined || latest.phaseIndex === standing.phaseIndex || ended
              ? ''
              : `, in ${latest.phase} (no look in ${standing.phase} yet)`}
          </span>
        )}
      </h2>
      <KpiMatrix plan={plan.plan} kpis={matrix.kpis} notComparable={notComparable} />

      <h2>Treatment against control over time</h2>
      {log.looks.length === 0 ? (
        <p className="muted">No looks recorded yet.</p>
      ) : (
        <div
          className="charts"
          data-looks={log.looks.length}
          data-last-look-seq={log.looks[log.looks.length - 1]?.seq}
          data-last-look-at={log.looks[log.looks.length - 1]?.at}
        >
          {kpiNames.map((name) => (
            <KpiCharts
              key={name}
              looks={log.looks}
              kpi={name}
              decisions={log.decisions}
              plan={plan.plan}
            />
          ))}
        </div>
      )}

      <h2>Sign-offs</h2>
      <SignoffPanel
        launchId={launch.id}
        ended={ended}
        policyRoles={policyRoles}
        signoffs={detail.data.signoffs}
        approvals={detail.data.approvals}
        askPhase={askCondition === undefined ? null : launch.phase}
        onDone={refresh}
      />

      <h2>Readiness</h2>
      <ReadinessPanel planName={plan.name} checks={detail.data.readiness} onDone={refresh} />

      <h2>Notifications</h2>
      <NotificationsPanel notifications={detail.data.notifications} />

      <h2>Decision log</h2>
      {log.error === null ? null : <ErrorNote error={log.error} />}
      <DecisionLog decisions={log.decisions} notifications={detail.data.notifications} />
    </section>
  );
}
