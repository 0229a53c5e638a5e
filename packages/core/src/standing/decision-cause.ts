/**
 * Why a decision that ended or paused a launch was taken, in two parts: who or
 * what took it ("alice", "risk R7's contingency") and the cause in figures. Built
 * from the decision's evidence where it has the numbers, so the sentence never
 * repeats the action ("rolled back … rolling back to 0%") nor nests brackets.
 */
import type { Decision } from '../decide/decision.js';
import { breachFigures } from '../decide/format.js';
import type { GuardResult } from '../statistics/guard-result.js';

/** Who or what decided, and why. */
export interface DecisionCause {
  /** "alice", "the on_breach of error_rate", "the contingency of risk R7 (Ranking service errors)"; '' when nobody in particular. */
  by: string;
  /** The cause: the breached guards in figures, the operator's words, or the rule's own reason. */
  why: string;
}

/** "text." -> "text"; non-strings -> ''. */
function clause(text: unknown): string {
  return typeof text === 'string' ? text.trim().replace(/\.$/, '') : '';
}

/** `text` without `prefix` and without a trailing action clause such as ": rolling back to 0% (…)". */
function strip(text: string, prefix: string, suffixes: readonly RegExp[]): string {
  let out = prefix !== '' && text.startsWith(prefix) ? text.slice(prefix.length) : text;
  for (const s of suffixes) out = out.replace(s, '');
  return clause(out);
}

/** The action clauses core's decide() appends to the cause in a reason (see respond-to-verdicts.ts). */
const ACTION_SUFFIXES: readonly RegExp[] = [
  /: rolling back to 0%(?: \((?:on_breach of [^()]*|contingency of risk [^()]*(?:\([^()]*\))?)\))?$/,
  /: pausing until an operator resumes(?: \((?:on_breach of [^()]*|contingency of risk [^()]*(?:\([^()]*\))?)\))?$/,
  /; pausing$/,
];

/** A breached guard in figures: "error_rate +0.197 [+0.058, +0.335] > 0.03". */
export function breachInFigures(g: GuardResult): string {
  const figures = breachFigures(g);
  return figures === '' ? `${g.kpi}: ${clause(g.reason)}` : `${g.kpi} ${figures}`;
}

function guardsOf(d: Decision): GuardResult[] {
  const guards = Array.isArray(d.evidence?.guards) ? d.evidence.guards : [];
  const breached = guards.filter((g) => g.verdict === 'breach');
  return breached.length > 0 ? breached : guards;
}

/** Who decided a breach response: the KPI's on_breach or the contingency of a risk. */
function breachSource(d: Decision): string {
  const risk = d.evidence?.risks?.[0];
  if (d.rule === 'risk-contingency' && risk !== undefined)
    return `the contingency of risk ${risk.id} (${risk.title})`;
  const kpi = 'kpi' in d && typeof d.kpi === 'string' ? d.kpi : guardsOf(d)[0]?.kpi;
  return kpi === undefined ? 'the plan' : `the on_breach of ${kpi}`;
}

/**
 * Who took a rollback, pause or completion and why, without the action itself.
 * `actor` is the log's actor of the decision ('controller' for decide()).
 */
export function decisionCause(d: Decision, actor: string): DecisionCause {
  const reason = typeof d.reason === 'string' ? d.reason : '';
  if (d.rule === 'operator') {
    const who = 'actor' in d && typeof d.actor === 'string' ? d.actor : actor;
    const verb =
      d.type === 'rollback'
        ? 'rolled back'
        : d.type === 'pause'
          ? 'paused'
          : d.type === 'resume'
            ? 'resumed'
            : d.type;
    if (d.type === 'rollback' || d.type === 'pause' || d.type === 'resume')
      return { by: who, why: strip(reason, `${verb} by ${who}: `, []) };
    // Promote, skip, amend, schedule: the person's words follow the first ': ' after "by <who>".
    const at = reason.indexOf(`by ${who}`);
    const colon = at < 0 ? -1 : reason.indexOf(': ', at);
    return { by: who, why: clause(colon < 0 ? reason : reason.slice(colon + 2)) };
  }
  if (d.rule === 'guard-breach' || d.rule === 'risk-contingency') {
    const guards = guardsOf(d);
    const why =
      guards.length > 0
        ? guards.map(breachInFigures).join('; ')
        : strip(reason, '', ACTION_SUFFIXES);
    return { by: breachSource(d), why };
  }
  return { by: '', why: strip(reason, '', ACTION_SUFFIXES) };
}
