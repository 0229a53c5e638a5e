/** `threshold launch list`: every launch with where it stands, filtered by state, plan and owner. */
import type { LaunchStanding } from '@threshold/core';
import { renderTable } from '../text-table.js';
import { formatShare } from './launch-status.js';

/** A launch as GET /api/v1/launches lists it (as far as the list reads it). */
export interface LaunchListEntry {
  id: string;
  plan: string;
  planVersion: number;
  status: string;
  phase: string;
  share: number;
  owner?: string;
  createdAt: string;
  standing?: LaunchStanding;
  /** Absent from servers before environments. */
  environment?: string;
}

/** The statuses a launch row has; other --state words are states of the standing. */
export const LAUNCH_STATUSES = ['running', 'paused', 'rolled-back', 'completed'] as const;

/** The list as a table, newest first as the server sends it; a note when empty. */
export function renderLaunchList(launches: readonly LaunchListEntry[], filtered: boolean): string {
  if (launches.length === 0)
    return filtered
      ? 'No launch matches.\n'
      : "No launches yet. Start one with 'threshold launch start PLAN'.\n";
  // A server with production alone lists as before; with several, each row says where.
  const envs = launches.some((l) => (l.environment ?? 'production') !== 'production');
  const rows = [
    ['id', 'plan', ...(envs ? ['environment'] : []), 'state', 'phase', 'share', 'health', 'owner'],
    ...launches.map((l) => [
      l.id,
      `${l.plan}@${l.planVersion}`,
      ...(envs ? [l.environment ?? 'production'] : []),
      l.standing?.label ?? l.status,
      l.standing !== undefined && l.standing.phaseIndex < 0 ? `before ${l.phase}` : l.phase,
      formatShare(l.share),
      l.standing?.healthText ?? '',
      l.owner ?? '',
    ]),
  ];
  return renderTable(rows, '')
    .map((line) => `${line}\n`)
    .join('');
}
