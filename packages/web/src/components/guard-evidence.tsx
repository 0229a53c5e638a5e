/** One KPI's guard result as evidence: estimates, the interval against the margin, and the verdict in words. */
import type { GuardResult } from '@threshold/core';
import { comparisonSentence } from '../format/decision-words.js';
import { formatDifference, formatInterval, formatShare, formatValue } from '../format/numbers.js';
import { IntervalBar } from './interval-bar.js';
import { VerdictBadge } from './verdict-badge.js';

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
