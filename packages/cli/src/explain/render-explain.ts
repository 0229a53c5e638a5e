/** `plan explain` as aligned plain text. Pure: summary in, text out. */
import { renderTable } from '../text-table.js';
import type { PlanSummary, RiskGrid } from './summarize-plan.js';

const NONE = '—';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Break text into lines of at most `max` characters (a longer word gets its own line). */
export function wrap(text: string, max: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > max) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** The grid as lines: a header row of impacts, then likelihood 5→1; empty cells show "·". */
export function renderRiskGrid(grid: RiskGrid, indent = '  '): string[] {
  const header = ['likelihood ↓ / impact →', ...grid.impacts.map((i) => `${i.impact} ${i.word}`)];
  const rows = grid.rows.map((row) => [
    `${row.likelihood} ${row.word}`,
    ...row.cells.map((c) => (c.risks.length === 0 ? '·' : c.risks.join(', '))),
  ]);
  return renderTable([header, ...rows], indent);
}

function header(s: PlanSummary): string[] {
  const control =
    s.control === 'holdout'
      ? 'holdout (a same-size slice of the population)'
      : 'the rest of the population';
  const lines = [`Launch ${s.launch}`];
  lines.push(
    ...renderTable([
      ['flag', s.flag],
      ['owner', s.owner],
      ['class', s.class],
      ['unit', s.unit],
      ['control', control],
      ...(s.router === null
        ? []
        : [
            [
              'router',
              `${s.router.name}: each phase's share is ${s.router.treatment}'s weight in ${s.router.service}, ${s.router.control} takes the rest`,
            ],
          ]),
      [
        'analysis',
        `${s.analysis.method}, false alarm rate ${s.analysis.budget.text}, sample-ratio check at p < ${s.analysis.srmPValue}`,
      ],
    ]),
  );
  if (s.description !== null) lines.push('', ...wrap(s.description, 98, '  '));
  return lines;
}

function phases(s: PlanSummary): string[] {
  const rows = [
    ['phase', 'traffic', 'min duration', 'min units/arm', 'audience', 'sign-off', 'bake'],
    ...s.phases.map((p) => [
      p.name,
      p.trafficText,
      p.minDurationText,
      String(p.minUnits),
      p.audience.length === 0 ? 'everyone' : p.audience.join(' and '),
      p.signoff === null
        ? NONE
        : `${p.signoff.roles.join(', ')}${p.signoff.deadlineText === null ? '' : ` (within ${p.signoff.deadlineText})`}`,
      p.bakeText ?? NONE,
    ]),
  ];
  const t = s.timeline;
  const before = t.fullPhase === null ? 'all phases' : `the phases before ${t.fullPhase}`;
  const lines = [`Phases (${s.phases.length})`, ...renderTable(rows)];
  lines.push(
    '',
    `  Minimum time to 100%: ${t.minTimeToFullText} (sum of min_duration of ${before}); fully live after bake: ${t.fullyLiveAfterText}`,
  );
  if (t.signoffWaits) lines.push('  Sign-off waits come on top of these times.');
  if (s.fullPhaseChecks !== null) lines.push(...wrap(s.fullPhaseChecks, 98, '  '));
  return lines;
}

function kpis(s: PlanSummary): string[] {
  const total = s.kpis.reduce((n, c) => n + c.kpis.length, 0);
  const lines = [
    `KPI matrix (${plural(total, 'KPI')}; false alarm rate ${s.analysis.falseAlarmRateText} across the matrix and all ${plural(s.analysis.budget.phases, 'phase')})`,
  ];
  for (const category of s.kpis) {
    if (category.kpis.length === 0) {
      lines.push(`  ${category.category}: none`);
      continue;
    }
    lines.push(`  ${category.category}`);
    for (const k of category.kpis) {
      lines.push(
        `    ${k.name}: ${k.kindText}${k.description === null ? '' : ` — ${k.description}`}`,
      );
      const rows = [
        ['source', k.sourceText],
        ...(k.basisText === null ? [] : [['samples', k.basisText]]),
        ['guard', k.guardText],
        ['on breach', k.onBreachText],
        ['on insufficient evidence', k.onInsufficientText],
      ];
      if (k.windowText !== null) rows.push(['window', `last ${k.windowText}`]);
      lines.push(...renderTable(rows, '      '));
    }
  }
  return lines;
}

function risks(s: PlanSummary): string[] {
  if (s.risks.length === 0) return ['Risk register: empty'];
  const lines = [
    `Risk register (${plural(s.risks.length, 'risk')}; score = likelihood × impact)`,
    ...renderRiskGrid(s.riskGrid),
    '',
  ];
  for (const r of s.risks) {
    lines.push(
      `  ${r.id}  score ${r.score} (${r.likelihood} ${r.likelihoodWord} × ${r.impact} ${r.impactWord}): ${r.title}`,
    );
    const rows = [
      ['owner', r.owner],
      ['watched by', r.watch.length === 0 ? 'no KPI' : r.watch.join(', ')],
      ['contingency', r.contingency.length === 0 ? NONE : r.contingencyText],
    ];
    if (r.mitigation !== null) rows.push(['mitigation', r.mitigation]);
    lines.push(...renderTable(rows, '      '));
  }
  return lines;
}

function signoff(s: PlanSummary): string[] {
  const p = s.signoff.policy;
  if (p === null) return ['Sign-off: no policy (no phase or action waits for approval)'];
  const rules = [
    p.allowSelfApproval ? 'self-approval allowed' : 'no self-approval',
    p.resetOnEdit ? 'an edit to the plan resets approvals' : 'approvals survive edits',
    p.deadlineText === null
      ? 'no deadline'
      : `deadline ${p.deadlineText}, then ${p.onDeadline === 'hold' ? 'hold and notify' : 'rollback'}`,
  ];
  const rows = [
    ['role', 'quorum', 'deadline', 'signs before', 'asked by'],
    ...s.signoff.roles.map((r) => [
      r.role,
      String(r.quorum),
      r.deadlineText ?? NONE,
      r.phases.length === 0 ? NONE : r.phases.join(', '),
      r.askedBy.length === 0 ? NONE : r.askedBy.join(', '),
    ]),
  ];
  return [`Sign-off (${rules.join('; ')})`, ...renderTable(rows)];
}

function readiness(s: PlanSummary): string[] {
  const r = s.readiness;
  if (r.items.length === 0) return ['Readiness checklist: empty'];
  const parts = [
    ...(r.blockingAttested === 0
      ? []
      : [`${plural(r.blockingAttested, 'blocking check')} to attest by the owner before a start`]),
    ...(r.blockingProbed === 0
      ? []
      : [
          `${plural(r.blockingProbed, 'blocking automated check')} asked at the start and every look`,
        ]),
  ];
  const status = parts.length === 0 ? 'nothing blocks a start' : parts.join(', ');
  const rows = [
    ['', 'owner', 'check', 'evidence'],
    ...r.items.map((i) => [
      i.blocking ? 'blocking' : 'advisory',
      i.owner,
      i.check,
      i.automated ?? i.evidence ?? '—',
    ]),
  ];
  return [
    `Readiness checklist (${r.blocking} blocking, ${r.advisory} advisory; ${status})`,
    ...renderTable(rows),
  ];
}

/** The whole explanation, sections separated by blank lines, ending with a newline. */
export function renderExplain(s: PlanSummary): string {
  const sections = [header(s), phases(s), kpis(s), risks(s), signoff(s), readiness(s)];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
