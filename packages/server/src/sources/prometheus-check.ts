/**
 * Checks of a Prometheus KPI before a launch runs: placeholders are known, and
 * every query parses, by Prometheus' own parser (format_query, Prometheus ≥ 2.38;
 * else an instant query at time 0, which parses before it evaluates). A parse
 * error's position in the filled-in query is mapped back to the plan's field.
 */
import type { Kpi } from '@threshold/core';
import type { KpiProblem } from './metric-source.js';
import { PromQueryError } from './prometheus-client.js';
import type { PromClient } from './prometheus-client.js';
import { fillQuery, lineColumn, originalOffset, unknownPlaceholders } from './promql-template.js';

/** The queries a KPI runs, by field. */
export function queryFields(kpi: Kpi): ('query' | 'numerator' | 'denominator')[] {
  return kpi.kind === 'ratio' || kpi.kind === 'slo-burn' ? ['numerator', 'denominator'] : ['query'];
}

/** Parse without running. */
async function parseCheck(client: PromClient, query: string, signal?: AbortSignal): Promise<void> {
  try {
    await client.call('format_query', { query }, signal);
  } catch (err) {
    if (err instanceof PromQueryError && err.failure === 'http')
      await client.call('query', { query, time: '0' }, signal);
    else throw err;
  }
}

/** Problems with a KPI's queries; none when they parse. */
export async function checkQueries(
  client: PromClient,
  kpi: Kpi,
  signal?: AbortSignal,
): Promise<KpiProblem[]> {
  const problems: KpiProblem[] = [];
  for (const field of queryFields(kpi)) {
    const raw = kpi[field];
    if (raw === undefined) continue;
    const unknown = unknownPlaceholders(raw);
    if (unknown.length > 0) {
      problems.push({
        field,
        message: `unknown placeholder {{${unknown[0] ?? ''}}}; known: {{arm}}, {{launch}}, {{phase}}, {{interval}}, {{window}}, {{phase_range}}`,
      });
      continue;
    }
    const filled = fillQuery(raw, {
      arm: 'treatment',
      launch: 'check',
      phase: 'check',
      interval: '60s',
      window: '3600s',
      phase_range: '3600s',
    });
    try {
      await parseCheck(client, filled.text, signal);
    } catch (err) {
      if (!(err instanceof PromQueryError)) throw err;
      if (err.failure !== 'rejected') {
        problems.push({ field, message: err.message });
        continue;
      }
      const detail = err.detail ?? err.message;
      // Prometheus writes parse errors as "1:15: parse error: …" (line:column of the query).
      const m = /^(?:.*?)(\d+):(\d+): parse error: (.*)$/s.exec(detail);
      if (m === null) {
        problems.push({ field, message: `PromQL: ${detail}` });
        continue;
      }
      const lines = filled.text.split('\n');
      const line = Number(m[1]);
      const offset =
        lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0) + Number(m[2]) - 1;
      problems.push({
        field,
        message: `PromQL parse error: ${m[3] ?? detail}`,
        position: lineColumn(raw, originalOffset(filled, offset)),
      });
    }
  }
  return problems;
}
