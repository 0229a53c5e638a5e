/** One KPI's guard result as evidence: estimates, the interval against the margin, and the verdict in words. */
import type { GuardResult } from '@threshold/core';
import { comparisonSentence } from '../format/decision-words.js';
import { formatDifference, formatInterval, formatShare, formatValue } from '../format/numbers.js';
import { IntervalBar } from './interval-bar.js';
import { VerdictBadge } from './verdict-badge.js';

/** What one sample is, per source basis (ADR 0015). */
const BASIS_WORDS: Record<string, string> = {
  'per-unit': 'one randomization unit',
  'per-interval': 'one query interval (step)',
  'per-interval-limit': 'one query interval (step), against the hard limit',
  'request-counts': 'one request, counts divided by the overdispersion φ',
  'per-row': 'one row of the query',
  none: 'no data (the source failed)',
};

const value = (x: number | null) => (x === null ? 'n/a' : formatValue(x));

export function GuardEvidence({ guard }: { guard: GuardResult }) {
  const c = guard.comparison;
  const threshold =
    c === undefined ? null : (c.threshold ?? (c.bad === 'increase' ? c.margin : -c.margin));
  const sentence = comparisonSentence(guard);
  return (
    <div className="guard-evidence" data-kpi={guard.kpi}>
      <div className="guard-head">
        <strong className="kpi-name">{guard.kpi}</strong>{' '}
        <span className="muted">
          {guard.category} · {guard.kind}
        </span>{' '}
        <VerdictBadge verdict={guard.verdict} />
      </div>
      <dl className="facts">
        <dt>Estimate</dt>
        <dd>
          treatment {value(guard.estimate.treatment)} vs control {value(guard.estimate.control)}
        </dd>
        {c === undefined ? null : (
          <>
            <dt>Difference</dt>
            <dd>
              {formatDifference(c.difference, c.relative)} ({c.relative ? 'relative' : 'absolute'})
            </dd>
            <dt>Interval</dt>
            <dd>
              {formatInterval(c.interval, c.relative)}{' '}
              <span className="muted">anytime-valid, {guard.method}</span>
            </dd>
            <dt>Margin</dt>
            <dd>
              {formatDifference(threshold, c.relative)}{' '}
              <span className="muted">
                ({c.bad === 'increase' ? 'at most' : 'at least'}{' '}
                {c.relative ? formatShare(c.margin) : formatValue(c.margin)}{' '}
                {c.bad === 'increase' ? 'above' : 'below'} control is allowed)
              </span>
            </dd>
          </>
        )}
        {guard.source === undefined || guard.source.kind === 'events' ? null : (
          <>
            <dt>Source</dt>
            <dd data-basis={guard.source.basis}>
              {guard.source.name} ({guard.source.kind}), one sample ={' '}
              {BASIS_WORDS[guard.source.basis] ?? guard.source.basis}
              {guard.source.note === undefined ? null : (
                <span className="muted"> · {guard.source.note}</span>
              )}
              {Object.entries(guard.source.queries ?? {}).map(([arm, q]) => (
                <code key={arm} className="query">
                  {arm}: {q}
                </code>
              ))}
            </dd>
          </>
        )}
        {guard.limit === undefined ? null : (
          <>
            <dt>Hard limit</dt>
            <dd>
              {guard.limit.max === undefined ? '' : `at most ${formatValue(guard.limit.max)}`}
              {guard.limit.min === undefined ? '' : ` at least ${formatValue(guard.limit.min)}`};
              treatment interval {formatInterval(guard.limit.interval, false)}
            </dd>
          </>
        )}
        {guard.burn === undefined ? null : (
          <>
            <dt>Burn rate</dt>
            <dd>
              {guard.burn
                .map(
                  (b) =>
                    `${formatValue(b.longRate)}× long / ${formatValue(b.shortRate)}× short (limit ${b.factor}×)`,
                )
                .join('; ')}
            </dd>
          </>
        )}
        <dt>Units</dt>
        <dd>
          {guard.units.treatment} treatment, {guard.units.control} control
          {c?.baseline === undefined ? '' : ` (the control arm of ${c.baseline}, the baseline)`}
        </dd>
        <dt>False-alarm budget</dt>
        <dd>
          {formatShare(guard.alpha.guard)} for this KPI
          {guard.alpha.phases === undefined ? '' : ' in this phase'} of{' '}
          {formatShare(guard.alpha.launch)} for the whole launch
          {guard.alpha.phases === undefined
            ? ''
            : ` (split over ${guard.alpha.phases} phase${guard.alpha.phases === 1 ? '' : 's'})`}
        </dd>
      </dl>
      {c === undefined ? null : (
        <IntervalBar
          interval={c.interval}
          estimate={c.difference}
          threshold={threshold}
          label={`${guard.kpi}: interval ${formatInterval(c.interval, c.relative)} against margin ${formatDifference(threshold, c.relative)}`}
        />
      )}
      {sentence === null ? null : <p className="because">{sentence}</p>}
      <p className="muted small">{guard.reason}</p>
    </div>
  );
}
