/** The reducer: a launch's state is its initial state folded with every decision in its log. */
import type { Decision } from './decision.js';
import type { LaunchState } from './launch-state.js';
import { PRE_START_PHASE } from './launch-state.js';

function withKey(fired: string[], key: string | undefined): string[] {
  return key === undefined || fired.includes(key) ? fired : [...fired, key];
}

/**
 * Apply one decision to a state, returning a new state (the input is not
 * modified). Side effects (notify, webhook, extend) only record their key so
 * they are never repeated.
 */
export function applyDecision(state: LaunchState, decision: Decision): LaunchState {
  switch (decision.type) {
    case 'advance':
      return {
        ...state,
        phaseIndex: decision.to,
        phase: decision.toPhase,
        phaseStartedAt: decision.at,
        traffic: decision.traffic,
        bakeStartedAt: decision.startsBake ? decision.at : null,
        // Holds and asks belong to the phase they stopped; advancing needs none in force.
        holds: [],
        asks: [],
      };
    case 'complete':
      return { ...state, status: 'completed', pause: null, holds: [], asks: [] };
    case 'rollback':
      return { ...state, status: 'rolled-back', traffic: 0, pause: null, holds: [], asks: [] };
    case 'pause':
      return {
        ...state,
        status: 'paused',
        pause: {
          rule: decision.rule,
          reason: decision.reason,
          since: decision.at,
          ...(decision.actor === undefined ? {} : { actor: decision.actor }),
        },
        fired: withKey(state.fired, decision.key),
      };
    case 'resume':
      return { ...state, status: 'running', pause: null };
    case 'hold':
      if (state.holds.some((h) => h.id === decision.hold)) return state;
      return {
        ...state,
        holds: [
          ...state.holds,
          {
            id: decision.hold,
            rule: holdRule(decision.rule),
            ...(decision.kpi === undefined ? {} : { kpi: decision.kpi }),
            ...(decision.forPhase === undefined ? {} : { forPhase: decision.forPhase }),
            since: decision.at,
            reason: decision.reason,
          },
        ],
      };
    case 'release-hold':
      return { ...state, holds: state.holds.filter((h) => h.id !== decision.hold) };
    case 'request-signoff':
      return {
        ...state,
        signoffRequests: [
          ...state.signoffRequests,
          ...decision.roles.map((r) => ({
            phase: decision.forPhase,
            role: r.role,
            requestedAt: decision.at,
            deadlineAt: r.deadlineAt,
            expired: false,
          })),
        ],
        fired: withKey(state.fired, decision.key),
      };
    case 'signoff-expired':
      return {
        ...state,
        signoffRequests: state.signoffRequests.map((r) =>
          r.phase === decision.forPhase && r.role === decision.role ? { ...r, expired: true } : r,
        ),
        fired: withKey(state.fired, decision.key),
      };
    case 'ask':
      return {
        ...state,
        asks: state.asks.some((a) => a.id === decision.ask)
          ? state.asks
          : [
              ...state.asks,
              {
                id: decision.ask,
                rule: askRule(decision.rule),
                kpi: decision.kpi,
                roles: decision.roles,
                phase: decision.phase,
                since: decision.at,
                reason: decision.reason,
              },
            ],
        fired: withKey(state.fired, decision.key),
      };
    case 'schedule':
      return {
        ...state,
        phaseIndex: -1,
        phase: PRE_START_PHASE,
        traffic: 0,
        bakeStartedAt: null,
        notBefore: decision.startAt,
      };
    case 'amend':
      return {
        ...state,
        planVersion: decision.toVersion,
        phaseIndex: decision.toPhaseIndex,
        // The editor wrote this version: like the author, they cannot approve it alone.
        authors: state.authors.includes(decision.actor)
          ? state.authors
          : [...state.authors, decision.actor],
        // Reset approvals are asked for again: requests (and their one-shot keys) start over.
        ...(decision.resetsApprovals
          ? {
              signoffRequests: [],
              fired: state.fired.filter((k) => !k.includes(':signoff-')),
            }
          : {}),
      };
    case 'notify':
    case 'webhook':
    case 'extend':
      return { ...state, fired: withKey(state.fired, decision.key) };
    default:
      // A decision type from a newer version: state is unchanged rather than corrupted.
      return state;
  }
}

function holdRule(rule: Decision['rule']): LaunchState['holds'][number]['rule'] {
  switch (rule) {
    case 'guard-breach':
    case 'risk-contingency':
    case 'insufficient-evidence':
    case 'srm':
    case 'signoff-deadline':
    case 'router':
    case 'readiness-check':
      return rule;
    default:
      return 'guard-breach';
  }
}

function askRule(rule: Decision['rule']): LaunchState['asks'][number]['rule'] {
  return rule === 'risk-contingency' || rule === 'insufficient-evidence' ? rule : 'guard-breach';
}
