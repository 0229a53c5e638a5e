/**
 * The phases as planned against what happened: when each was entered and left,
 * how long it took against its minimum, and where it waited and why, from the
 * looks' status lines (consecutive looks blocked by the same condition form one wait).
 */
import { PRE_START_PHASE } from '@threshold/core';
import type { Plan } from '@threshold/core';
import type { DecisionEvent, LaunchSummary, LookRecord } from '../api/api-types.js';
import { formatShare, humanDuration, toMs } from '../format/numbers.js';

interface Wait {
  key: string;
  from: number;
  to: number;
  summary: string;
}

export interface PhaseRun {
  index: number;
  name: string;
  enteredAt: number | null;
  leftAt: number | null;
  outcome: 'advanced' | 'rolled back' | 'completed' | 'current' | 'not reached';
  waits: Wait[];
}

const WAIT_STATES = new Set([
  'waiting',
  'waiting-for-signoff',
  'holding',
  'asking',
  'paused',
  'baking',
]);

/** Groups a phase's looks into waits, each labelled by its latest status line. */
export function waitsOf(looks: readonly LookRecord[], endAt: number | null): Wait[] {
  const waits: Wait[] = [];
  for (let i = 0; i < looks.length; i++) {
    const look = looks[i];
    if (look === undefined || !WAIT_STATES.has(look.state)) continue;
    const blocking = look.conditions.find((c) => !c.met)?.id ?? '';
    const key = `${look.state}:${blocking}`;
    const nextAt = looks[i + 1]?.at ?? endAt ?? look.at;
    const last = waits[waits.length - 1];
    if (last !== undefined && last.key === key && last.to === look.at) {
      last.to = nextAt;
      last.summary = look.summary;
    } else {
      waits.push({ key, from: look.at, to: nextAt, summary: look.summary });
    }
  }
  return waits;
}

/** What happened in each phase (index -1 first when the launch waited before its first phase). */
export function phaseRuns(
  plan: Plan,
  launch: LaunchSummary,
  decisions: readonly DecisionEvent[],
  looks: readonly LookRecord[],
): PhaseRun[] {
  const entered = new Map<number, number>();
  const left = new Map<number, { at: number; outcome: PhaseRun['outcome'] }>();
  const gated = plan.phases[0]?.signoff !== undefined;
  if (!gated) entered.set(0, toMs(launch.createdAt));
  else entered.set(-1, toMs(launch.createdAt));
  for (const { decision: d } of decisions) {
    if (d.type === 'advance') {
      entered.set(d.to, d.at);
      left.set(d.from, { at: d.at, outcome: 'advanced' });
    } else if (d.type === 'rollback') {
      left.set(d.phaseIndex, { at: d.at, outcome: 'rolled back' });
    } else if (d.type === 'complete') {
      left.set(d.phaseIndex, { at: d.at, outcome: 'completed' });
    }
  }
  const indexes = [...(entered.has(-1) ? [-1] : []), ...plan.phases.map((_, i) => i)];
  return indexes.map((index) => {
    const enteredAt = entered.get(index) ?? null;
    const end = left.get(index);
    const outcome: PhaseRun['outcome'] =
      end?.outcome ?? (enteredAt === null ? 'not reached' : 'current');
    return {
      index,
      name: index === -1 ? PRE_START_PHASE : (plan.phases[index]?.name ?? `#${index}`),
      enteredAt,
      leftAt: end?.at ?? null,
      outcome,
      waits: waitsOf(
        looks.filter((l) => l.phaseIndex === index),
        end?.at ?? null,
      ),
    };
  });
}

const OUTCOME_SYMBOL: Record<PhaseRun['outcome'], string> = {
  advanced: '✓',
  completed: '★',
  'rolled back': '↺',
  current: '▶',
  'not reached': '·',
};

export function PhaseTimeline({
  plan,
  launch,
  decisions,
  looks,
  now,
}: {
  plan: Plan;
  launch: LaunchSummary;
  decisions: readonly DecisionEvent[];
  looks: readonly LookRecord[];
  now: number;
}) {
  const runs = phaseRuns(plan, launch, decisions, looks);
  const ended = launch.status === 'rolled-back' || launch.status === 'completed';
  return (
    <table className="timeline">
      <thead>
        <tr>
          <th>Phase</th>
          <th>Planned</th>
          <th>Actual</th>
          <th>Where it waited and why</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const phase = plan.phases[run.index];
          const spent =
            run.enteredAt === null
              ? null
              : (run.leftAt ?? (ended ? toMs(launch.updatedAt) : now)) - run.enteredAt;
          return (
            <tr
              key={run.index}
              className={`outcome-${run.outcome.replace(' ', '-')}`}
              data-phase={run.name}
            >
              <td>
                <span className="outcome-symbol" aria-hidden="true">
                  {OUTCOME_SYMBOL[run.outcome]}
                </span>{' '}
                <strong>{run.index === -1 ? 'before start' : run.name}</strong>
                <div className="muted small">{run.outcome}</div>
              </td>
              <td>
                {phase === undefined ? (
                  <span className="muted">waits for the first phase&apos;s sign-off at 0%</span>
                ) : (
                  <>
                    {formatShare(phase.traffic)} for ≥ {humanDuration(phase.min_duration)}, ≥{' '}
                    {phase.min_units} units per arm
                    {phase.signoff === undefined ? null : (
                      <div className="small">sign-off: {phase.signoff.roles.join(', ')}</div>
                    )}
                    {phase.bake === undefined ? null : (
                      <div className="small">bake {humanDuration(phase.bake)}</div>
                    )}
                  </>
                )}
              </td>
              <td>
                {spent === null ? (
                  <span className="muted">not reached</span>
                ) : (
                  <>
                    {humanDuration(spent)}
                    {phase === undefined || run.outcome === 'current' ? null : (
                      <span className="muted">
                        {' '}
                        ({spent >= phase.min_duration ? 'met' : 'under'} the{' '}
                        {humanDuration(phase.min_duration)} minimum)
                      </span>
                    )}
                  </>
                )}
              </td>
              <td>
                {run.waits.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <ul className="waits">
                    {run.waits.map((w) => (
                      <li key={`${w.key}:${w.from}`}>
                        <span className="wait-time">{humanDuration(w.to - w.from)}</span>{' '}
                        {w.summary}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
