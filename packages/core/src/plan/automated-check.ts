/**
 * How an automated readiness check is checked, in words (ADRs 0036, 0042): one
 * sentence the CLI's explain, the dashboard's plan page and checklist share.
 */
import { formatDuration } from './quantities.js';

/** The automated parts of a readiness item (plan or API shape). */
export interface AutomatedCheckParts {
  probe?: { url: string; status: number } | null;
  query?: { source: string; promql: string; min?: number | null; max?: number | null } | null;
  ci?: { max_age?: number | null } | null;
}

/** "probe: GET … answers 200", "query: … on prometheus ≤ 0.01", "ci: …"; null when attested. */
export function describeAutomatedCheck(item: AutomatedCheckParts): string | null {
  if (item.probe != null) return `probe: GET ${item.probe.url} answers ${item.probe.status}`;
  if (item.query != null) {
    const { min, max } = item.query;
    const bounds = [min == null ? null : `≥ ${min}`, max == null ? null : `≤ ${max}`]
      .filter((b) => b !== null)
      .join(' and ');
    return `query: ${item.query.promql} on ${item.query.source} ${bounds}`;
  }
  if (item.ci != null)
    return `ci: the latest result CI posts${item.ci.max_age == null ? '' : `, at most ${formatDuration(item.ci.max_age)} old`}`;
  return null;
}
