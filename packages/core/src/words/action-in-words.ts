/** Actions in words: what a breach or missing evidence makes happen. Zod-free (see guard-in-words.ts). */
import type { Action, InsufficientEvidenceAction } from '../plan/action-schema.js';

/** One action in words: "rollback", "notify payments-oncall", "ask product, sre", "wait". */
export function actionInWords(action: Action | InsufficientEvidenceAction): string {
  switch (action.type) {
    case 'notify':
      return action.to.length === 0 ? 'notify the owner' : `notify ${action.to.join(', ')}`;
    case 'ask':
      return `ask ${action.roles.join(', ')}`;
    case 'webhook':
      return `webhook ${action.url}`;
    default:
      return action.type;
  }
}

/** Actions joined with " + " (they all happen); "nothing" for none. */
export function actionsInWords(actions: readonly (Action | InsufficientEvidenceAction)[]): string {
  return actions.length === 0 ? 'nothing' : actions.map(actionInWords).join(' + ');
}

/** What happens while a KPI has no verdict yet, with what it means. */
export function insufficientInWords(a: InsufficientEvidenceAction): string {
  switch (a.type) {
    case 'wait':
      return 'wait (keep collecting within the phase)';
    case 'extend':
      return 'extend (keep the phase open until there is a verdict)';
    case 'hold':
      return 'hold (stop advancing and alert)';
    case 'ask':
      return `ask ${a.roles.join(', ')}`;
  }
}
