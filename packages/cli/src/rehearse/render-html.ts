/**
 * The rehearsal report as one self-contained HTML file: inline CSS, an inline
 * SVG power-curve chart, no scripts and nothing fetched. Deterministic: the
 * same report gives the same bytes (no time of the run in it).
 */
import {
  changeWords,
  countWords,
  formatShare,
  percentWords,
  rateWords,
  spanWords,
} from '@threshold/core';
import type { DurationSummary, RehearsalReport } from '@threshold/core';
import { escapeHtml as e } from './escape-html.js';
import { powerCurveSvg } from './power-curve-svg.js';
import { SEVERITY_MARKS } from './render-report.js';

const CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bad: #b42318; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.meta { color: var(--muted); margin: 0; }
div.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.n { white-space: nowrap; }
ul.findings { list-style: none; padding: 0; }
ul.findings li { padding: 6px 10px; margin: 4px 0; border-left: 4px solid var(--line); background: #f6f8fa; }
ul.findings li.problem { border-color: var(--bad); }
ul.findings li.warning { border-color: var(--warn); }
.mark { font-weight: 700; margin-right: 6px; }
li.problem .mark { color: var(--bad); }
li.warning .mark { color: var(--warn); }
svg { width: 100%; max-width: 640px; height: auto; display: block; }
svg .grid { stroke: #eaeef2; }
svg .axis { stroke: var(--muted); }
svg .tick, svg .legend, svg .label { font-size: 12px; fill: var(--muted); stroke: none; }
p.note { color: var(--muted); font-size: 13px; }
`;

function table(header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th>${e(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((cell, i) => `<td${i > 0 ? ' class="n"' : ''}>${e(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="wide"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function durations(d: DurationSummary): string {
  return d.medianMs === null ? '–' : `${spanWords(d.medianMs)} (p90 ${spanWords(d.p90Ms)})`;
}

function cleanSection(r: RehearsalReport): string {
  const c = r.clean;
  const outcomes = table(
    ['on clean history', 'launches', 'note'],
    [
      ['completed', rateWords(c.outcomes.completed), ''],
      ['still running at the end', rateWords(c.outcomes.unfinished), ''],
      ['false pause or rollback', rateWords(c.falseStop), `budget ${percentWords(c.budget)}`],
      ['false rollback', rateWords(c.falseRollback), ''],
      ['any false alarm', rateWords(c.falseAlarm), 'incl. holds, asks, notifications'],
      ['split check held', rateWords(c.srmHold), ''],
      ['time to 100%', durations(c.timeToFull), `reached in ${rateWords(c.reachedFull)}`],
      ['time to complete', durations(c.timeToComplete), ''],
    ],
  );
  const phases = table(
    [
      'phase',
      'traffic',
      'minimum',
      'entered',
      'advanced',
      'time in phase',
      'past its minimum, waits for',
      'without a verdict',
    ],
    r.plan.phases.map((p, i) => {
      const s = c.phases[i];
      return [
        p.name,
        formatShare(p.traffic),
        spanWords(p.minDurationMs),
        s === undefined ? '–' : percentWords(s.entered.rate),
        s === undefined ? '–' : percentWords(s.advanced.rate),
        s === undefined ? '–' : durations(s.time),
        s?.waits.map((w) => `${w.condition} ${percentWords(w.share)}`).join(', ') || '–',
        s?.undecided
          .slice(0, 3)
          .map((u) => `${u.kpi} ${percentWords(u.share)}`)
          .join(', ') || '–',
      ];
    }),
  );
  const alarms = table(
    ['KPI', ...r.plan.phases.map((p) => p.name), 'any phase'],
    c.kpis.map((k) => [
      k.kpi,
      ...k.byPhase.map((b) => (b.rate.count === 0 ? '–' : percentWords(b.rate.rate))),
      rateWords(k.falseAlarm),
    ]),
  );
  return `<h2>Clean history (A/A): ${e(countWords(c.runs))} launches where nothing is wrong</h2>
${outcomes}
<h3>Phases</h3>
${phases}
<h3>False alarms by KPI and phase</h3>
${alarms}`;
}

function injectionSection(r: RehearsalReport): string {
  const svg = powerCurveSvg(r.powerCurves);
  const chart =
    svg ??
    '<p class="note">No power curve: give several <code>--inject</code> sizes for one KPI (e.g. <code>--inject error_rate=+10% --inject error_rate=+20%</code>) to draw one.</p>';
  if (r.injections.length === 0) return `<h2>Power curves</h2>\n${chart}`;
  const rows = r.injections.map((inj) => [
    inj.label,
    rateWords(inj.caught),
    ...inj.byPhase.map((b) => (b.caught.count === 0 ? '–' : percentWords(b.caught.rate))),
    inj.responses[0]?.response ?? '–',
    durations(inj.timeToDetect),
    countWords(inj.unitsBeforeDetect.median),
    countWords(inj.unitsBeforeStop.median),
    percentWords(inj.shipped.rate),
  ]);
  const header = [
    'regression',
    'caught',
    ...r.plan.phases.map((p) => `in ${p.name}`),
    'first response',
    'time to detect',
    'units before detection',
    'units before stop',
    'shipped',
  ];
  return `<h2>Power curves</h2>
${chart}
<h2>Injected regressions</h2>
${table(header, rows)}
<p class="note">Units: median treatment units that met the regression before the first response, and before the launch was paused or rolled back.</p>`;
}

function detectableSection(r: RehearsalReport): string {
  const header = [
    'KPI',
    ...r.detectableEffects.map(
      (p) => `${p.phase} (${formatShare(p.traffic)}, ${spanWords(p.minDurationMs)})`,
    ),
  ];
  const rows = r.plan.kpis.map((k, i) => [
    `${k.name} (${k.guard})`,
    ...r.detectableEffects.map((p) => {
      const x = p.kpis[i];
      if (x === undefined) return '–';
      return x.mde === null ? (x.note ?? '–') : changeWords(x.mde, x.relative);
    }),
  ]);
  return `<h2>Detectable effects</h2>
<p class="note">The harm each guard catches with 80% power by the end of a phase's minimum duration, from the statistics engine, at the history's mean traffic.</p>
${table(header, rows)}`;
}

/** The report as a complete HTML document. */
export function renderHtml(r: RehearsalReport): string {
  const h = r.history;
  const s = r.settings;
  const findings = r.findings
    .map(
      (f) =>
        `<li class="${f.severity}"><span class="mark">${e(SEVERITY_MARKS[f.severity])}</span>${e(f.text)}</li>`,
    )
    .join('\n');
  const assumptions = r.assumptions.map((a) => `<li>${e(a)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rehearsal of ${e(r.plan.launch)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Rehearsal of ${e(r.plan.launch)}</h1>
<p class="meta">${e(`${countWords(s.runs)} simulated launches per scenario, seed ${s.seed}; looks every ${spanWords(s.lookIntervalMs)}; at most ${spanWords(s.maxDurationMs)} per launch`)}</p>
<p class="meta">${e(`${h.kind === 'history' ? `History ${h.source}` : 'Synthetic traffic'}: ${spanWords(h.durationMs)} of ${spanWords(h.intervalMs)} rows, ${countWords(h.unitsPerMinute.mean)} new units/min on average (${countWords(h.unitsPerMinute.min)}–${countWords(h.unitsPerMinute.max)})`)}</p>
<h2>Findings</h2>
<ul class="findings">
${findings}
</ul>
${injectionSection(r)}
${cleanSection(r)}
${detectableSection(r)}
<h2>Assumptions</h2>
<ul>
${assumptions}
</ul>
</main>
</body>
</html>
`;
}
