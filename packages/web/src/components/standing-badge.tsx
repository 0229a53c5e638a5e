/**
 * Where a launch stands, as a badge that reads without colour (a word and a
 * symbol), and its health: the server's standing, the same the CLI prints.
 */
import type { LaunchStanding, StandingState } from '@threshold/core';
import { VerdictBadge } from './verdict-badge.js';

const SYMBOL: Record<StandingState, string> = {
  waiting: '◔',
  'waiting-for-signoff': '✍',
  asking: '✍',
  holding: '■',
  baking: '◑',
  'no-exposures': '⚠',
  paused: '❚❚',
  'rolled-back': '↺',
  completed: '★',
};

export function StandingBadge({ standing }: { standing: LaunchStanding }) {
  return (
    <span
      className={`status standing-${standing.state} status-${standing.status}`}
      data-standing={standing.state}
      data-status={standing.status}
    >
      <span aria-hidden="true">{SYMBOL[standing.state]}</span> {standing.label}
    </span>
  );
}

/** The health badge: a verdict, or a muted word when there is none to show. */
export function HealthBadge({ standing }: { standing: LaunchStanding }) {
  const h = standing.health;
  if (h === 'pass' || h === 'breach' || h === 'insufficient-evidence')
    return (
      <span data-health={h}>
        <VerdictBadge verdict={h} />
      </span>
    );
  return (
    <span className="muted" data-health={h}>
      {standing.healthText}
    </span>
  );
}
