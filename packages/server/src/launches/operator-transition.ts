/**
 * What an operator may do to a launch in each status. Kept deliberately small:
 * the controller's decide() owns every phase change; operators only freeze,
 * unfreeze, or pull the launch.
 */
import type { LaunchPatch, LaunchStatus } from '../store/store.js';

/** The operator actions of `POST /api/v1/launches/:id/{action}`. */
export type OperatorAction = 'pause' | 'resume' | 'rollback';

/** All operator actions. */
export const OPERATOR_ACTIONS: readonly OperatorAction[] = ['pause', 'resume', 'rollback'];

/** The launch event, audit action and row patch of an allowed transition, or why not. */
export type TransitionResult =
  { ok: true; event: string; audit: string; patch: LaunchPatch } | { ok: false; message: string };

/** Applies an operator action to a status. Pure. */
export function operatorTransition(status: LaunchStatus, action: OperatorAction): TransitionResult {
  switch (action) {
    case 'pause':
      return status === 'running'
        ? { ok: true, event: 'paused', audit: 'launch.paused', patch: { status: 'paused' } }
        : refuse(status, action, 'only a running launch can be paused');
    case 'resume':
      return status === 'paused'
        ? { ok: true, event: 'resumed', audit: 'launch.resumed', patch: { status: 'running' } }
        : refuse(status, action, 'only a paused launch can be resumed');
    case 'rollback':
      return status === 'running' || status === 'paused'
        ? {
            ok: true,
            event: 'rolled-back',
            audit: 'launch.rolled-back',
            patch: { status: 'rolled-back', traffic: 0 },
          }
        : refuse(status, action, 'only a running or paused launch can be rolled back');
  }
}

function refuse(status: LaunchStatus, action: OperatorAction, why: string): TransitionResult {
  return { ok: false, message: `cannot ${action} a ${status} launch: ${why}` };
}
