/** The rehearsal report as text for a terminal: outcomes, phases, regressions, detectable effects, findings. */
import {
  changeWords,
  countWords,
  formatShare,
  percentWords,
  rateWords,
  spanWords,
} from '@threshold/core';
import type {
  DurationSummary,
  Ends,
  Finding,
  InjectionReport,
  RateEstimate,
  RehearsalReport,
} from '@threshold/core';
import { renderTable } from '../text-table.js';

/** The marks findings are printed with, by severity. */
export const SEVERITY_MARKS: Record<Finding['severity'], string> = {
  problem: '✗',
  warning: '!',
  info: '·',
};

function durations(d: DurationSummary): string {
  if (d.medianMs === null) return '–';
  return `${spanWords(d.medianMs)} (p90 ${spanWords(d.p90Ms)})`;
}

function heading(title: string): string {
  return `\n${title}\n`;
}

function cleanSection(r: RehearsalReport): string[] {
  const c = r.clean;
  const rate = (label: string, x: RateEstimate, note = '') => [label, rateWords(x), note];
  const out = [
    heading(`Clean history (A/A): ${countWords(c.runs)} launches where nothing is wrong`),
  ];
  out.push(
    ...renderTable([
      rate('completed', c.outcomes.completed),
      rate('still running at the end', c.outcomes.unfinished),
      rate('false pause or rollback', c.falseStop, `budget ${percentWords(c.budget)}`),
      rate('  of which rollbacks', c.falseRollback),
      rate('any false alarm', c.falseAlarm, 'incl. holds, asks, notifications'),
      rate('split check held', c.srmHold),
      ['time to 100%', durations(c.timeToFull), `reached in ${rateWords(c.reachedFull)}`],
      ['time to complete', durations(c.timeToComplete), ''],
    ]),
  );
  out.push('');
  const rows: string[][] = [
    [
      'phase',
      'traffic',
      'minimum',
      'entered',
      'advanced',
      'time in phase',
      'past its minimum, waits for',
    ],
  ];
  r.plan.phases.forEach((p, i) => {
    const s = c.phases[i];
    if (s === undefined) return;
    rows.push([
      p.name,
      formatShare(p.traffic),
      spanWords(p.minDurationMs),
      percentWords(s.entered.rate),
      percentWords(s.advanced.rate),
      durations(s.time),
      s.waits
        .slice(0, 3)
        .map((w) => `${w.condition} ${percentWords(w.share)}`)
        .join(', ') || '–',
    ]);
  });
  out.push(...renderTable(rows));
  const alarms = c.kpis.filter((k) => k.falseAlarm.count > 0);
  if (alarms.length > 0) {
    out.push('', '  False alarms by KPI and phase (launches with a response to a breach):');
    out.push(
      ...renderTable(
        [
          ['KPI', ...r.plan.phases.map((p) => p.name), 'any'],
          ...alarms.map((k) => [
            k.kpi,
            ...k.byPhase.map((b) => (b.rate.count === 0 ? '–' : percentWords(b.rate.rate))),
            rateWords(k.falseAlarm),
          ]),
        ],
        '    ',
      ),
    );
  }
  return out;
}

function injectionRow(r: RehearsalReport, inj: InjectionReport): string[] {
  return [
    inj.label,
    rateWords(inj.caught),
    ...inj.byPhase.map((b) => (b.caught.count === 0 ? '–' : percentWords(b.caught.rate))),
    inj.responses[0]?.response ?? '–',
    durations(inj.timeToDetect),
    countWords(inj.unitsBeforeDetect.median),
    percentWords(inj.shipped.rate),
  ];
}

function injectionSection(r: RehearsalReport): string[] {
  if (r.injections.length === 0) return [];
  const out = [
    heading('Injected regressions: how often the plan catches them, where and how fast'),
  ];
  out.push(
    ...renderTable([
      [
        'regression',
        'caught',
        ...r.plan.phases.map((p) => `in ${p.name}`),
        'response',
        'time to detect',
        'units exposed',
        'shipped',
      ],
      ...r.injections.map((inj) => injectionRow(r, inj)),
    ]),
  );
  out.push(
    '',
    '  units exposed: median treatment units that met the regression before the first response.',
  );
  for (const curve of r.powerCurves) {
    if (curve.points.length < 3) continue;
    const where = curve.fromPhase === null ? '' : ` from ${curve.fromPhase}`;
    const points = curve.points
      .map((p) => `${changeWords(p.size, curve.relative)} ${percentWords(p.caught.rate)}`)
      .join(' · ');
    out.push(`  power curve of ${curve.kpi}${where}: ${points}`);
  }
  return out;
}

/** Every scenario's launches in four ends that add up to 100%, said so in the table. */
function endsSection(r: RehearsalReport): string[] {
  const row = (label: string, e: Ends) => [
    label,
    rateWords(e.caught),
    rateWords(e.stoppedForNothing),
    rateWords(e.shipped),
    rateWords(e.stalled),
    `${countWords(e.total)} = 100%`,
  ];
  return [
    heading('How every launch ended (each launch in exactly one column; each row adds up to 100%)'),
    ...renderTable([
      ['scenario', 'caught', 'stopped for nothing', 'shipped', 'stalled', 'launches'],
      row('clean history', r.clean.ends),
      ...r.injections.map((inj) => row(inj.label, inj.ends)),
    ]),
    '',
    '  caught: paused or rolled back by the injected KPI once live; stopped for nothing: paused or rolled back',
    '  for anything else; shipped: completed; stalled: still running when the simulated time ran out.',
  ];
}

function detectableSection(r: RehearsalReport): string[] {
  const out = [
    heading(
      'Detectable effects: the harm each guard catches with 80% power by the end of a phase’s minimum',
    ),
  ];
  const phases = r.detectableEffects;
  const header = [
    'KPI',
    ...phases.map((p) => `${p.phase} (${formatShare(p.traffic)}, ${spanWords(p.minDurationMs)})`),
  ];
  const rows = r.plan.kpis.map((k, i) => [
    k.name,
    ...phases.map((p) => {
      const e = p.kpis[i];
      if (e === undefined) return '–';
      if (e.mde === null) return e.note?.startsWith('too few') ? 'none' : '–';
      return changeWords(e.mde, e.relative);
    }),
  ]);
  out.push(...renderTable([header, ...rows]));
  out.push(
    '',
    '  none: too few units for any verdict; –: not a comparison (hard limit, burn rate, or no control at 100%).',
  );
  return out;
}

/** The whole report as text. */
export function renderReport(r: RehearsalReport): string {
  const h = r.history;
  const s = r.settings;
  const lines = [
    `Rehearsal of ${r.plan.launch}: ${countWords(s.runs)} simulated launches per scenario, seed ${s.seed}`,
    `${h.kind === 'history' ? `History ${h.source}` : 'Synthetic traffic'}: ${spanWords(h.durationMs)} of ${spanWords(h.intervalMs)} rows, ${countWords(h.unitsPerMinute.mean)} new units/min on average (${countWords(h.unitsPerMinute.min)}–${countWords(h.unitsPerMinute.max)})`,
    `Looks every ${spanWords(s.lookIntervalMs)}; sign-offs ${s.signoffDelayMs === 0 ? 'approved at the next look' : `approved after ${spanWords(s.signoffDelayMs)}`}; at most ${spanWords(s.maxDurationMs)} per launch`,
  ];
  lines.push(
    ...cleanSection(r),
    ...injectionSection(r),
    ...endsSection(r),
    ...detectableSection(r),
  );
  lines.push(heading('Findings'));
  for (const f of r.findings) lines.push(`  ${SEVERITY_MARKS[f.severity]} ${f.text}`);
  lines.push(heading('Assumptions'));
  for (const a of r.assumptions) lines.push(`  - ${a}`);
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
