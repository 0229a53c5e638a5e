/** A launch's status with a word and a symbol, so it reads without colour too. */
import type { LaunchStatus } from '@threshold/core';

const SYMBOL: Record<LaunchStatus, string> = {
  running: '▶',
  paused: '❚❚',
  'rolled-back': '↺',
  completed: '★',
};

export function StatusBadge({ status }: { status: LaunchStatus }) {
  return (
    <span className={`status status-${status}`} data-status={status}>
      <span aria-hidden="true">{SYMBOL[status]}</span> {status}
    </span>
  );
}
