/**
 * The risk register as a 5×5 likelihood × impact heat map. Each cell prints its
 * score, so the grid reads without colour; below it, every risk with the KPIs
 * that watch it and its contingency.
 */
import { IMPACT_WORDS, LIKELIHOOD_WORDS } from '../format/plan-constants.js';
import type { Risk } from '@threshold/core';
import { actionsInWords } from '../format/plan-words.js';

function band(score: number): 'low' | 'medium' | 'high' | 'critical' {
  if (score >= 15) return 'critical';
  if (score >= 10) return 'high';
  if (score >= 5) return 'medium';
  return 'low';
}

export function RiskHeatMap({ risks }: { risks: readonly Risk[] }) {
  const levels = [1, 2, 3, 4, 5];
  return (
    <div className="risk-register">
      <table className="heat-map" aria-label="Risks by likelihood and impact">
        <thead>
          <tr>
            <th scope="col" className="corner">
              likelihood ↓ / impact →
            </th>
            {levels.map((impact) => (
              <th key={impact} scope="col">
                {impact} {IMPACT_WORDS[impact - 1]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...levels].reverse().map((likelihood) => (
            <tr key={likelihood}>
              <th scope="row">
                {likelihood} {LIKELIHOOD_WORDS[likelihood - 1]}
              </th>
              {levels.map((impact) => {
                const score = likelihood * impact;
                const here = risks.filter(
                  (r) => r.likelihood === likelihood && r.impact === impact,
                );
                return (
                  <td
                    key={impact}
                    className={`cell band-${band(score)}`}
                    data-cell={`${likelihood}x${impact}`}
                  >
                    <span className="score">{score}</span>
                    {here.map((r) => (
                      <span key={r.id} className="risk-chip" title={r.title}>
                        {r.id}
                      </span>
                    ))}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {risks.length === 0 ? (
        <p className="muted">The plan has no risks in its register.</p>
      ) : (
        <table className="risks">
          <thead>
            <tr>
              <th>Risk</th>
              <th className="num">L × I</th>
              <th>Owner</th>
              <th>Watched by KPIs</th>
              <th>Contingency</th>
            </tr>
          </thead>
          <tbody>
            {[...risks]
              .sort((a, b) => b.likelihood * b.impact - a.likelihood * a.impact)
              .map((r) => (
                <tr key={r.id} data-risk={r.id}>
                  <td>
                    <strong>{r.id}</strong> {r.title}
                    {r.mitigation === undefined ? null : (
                      <div className="muted small">mitigation: {r.mitigation}</div>
                    )}
                  </td>
                  <td className="num">
                    {r.likelihood} × {r.impact} = <strong>{r.likelihood * r.impact}</strong>{' '}
                    <span className="muted small">{band(r.likelihood * r.impact)}</span>
                  </td>
                  <td>{r.owner}</td>
                  <td>
                    {r.watch.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      r.watch.join(', ')
                    )}
                  </td>
                  <td>{actionsInWords(r.contingency)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
