/** Plain-language findings: what the numbers mean for the plan, and what to change. */
import type { Plan } from '../plan/index.js';
import { formatShare } from '../plan/index.js';
import type { DetectionContext } from './detectable-effects.js';
import { phaseNeeds, phaseNeedsToPass } from './detectable-effects.js';
import { guardWords } from './report-plan.js';
import { planKpis } from './live-evidence.js';
import type {
  CleanPhase,
  CleanReport,
  Finding,
  InjectionReport,
  ReportSettings,
} from './rehearsal-report.js';
import { changeWords, countWords, percentWords, rateWords, spanWords } from './report-words.js';

/** Below this chance of being caught, a regression counts as missed by the plan. */
export const CAUGHT_TARGET = 0.8;

const CONDITION_WORDS: Record<string, string> = {
  running: 'the launch not running',
  'no-holds': 'holds',
  'no-asks': 'unanswered asks',
  'min-units': 'min_units',
  guards: 'guard verdicts (insufficient evidence)',
  srm: 'the split check',
  signoff: 'sign-off',
  bake: 'the bake',
  'time-rules': "the environment's freeze windows or allowed hours",
};

/** Everything findings are drawn from. */
export interface FindingsInput {
  plan: Plan;
  settings: ReportSettings;
  clean: CleanReport;
  injections: readonly InjectionReport[];
  detection: DetectionContext;
}

/** The findings, most important first. */
export function findings(input: FindingsInput): Finding[] {
  const out: Finding[] = [];
  const { plan, clean } = input;
  const add = (
    severity: Finding['severity'],
    text: string,
    kpi: string | null = null,
    phase: string | null = null,
  ) => out.push({ severity, kpi, phase, text });

  for (const inj of input.injections) injectionFindings(input, inj, add);

  const budget = percentWords(clean.budget);
  const culprits = clean.kpis
    .filter((k) => k.falseAlarm.count > 0)
    .sort((a, b) => b.falseAlarm.count - a.falseAlarm.count)
    .slice(0, 3)
    .map((k) => `${k.kpi} ${percentWords(k.falseAlarm.rate)}`)
    .join(', ');
  if (clean.falseStop.low > clean.budget)
    add(
      'problem',
      `on clean history the plan paused or rolled back ${rateWords(clean.falseStop)} of launches, above its ${budget} false alarm budget${culprits === '' ? '' : `; breaches by ${culprits} (check those KPIs' levels against their hard limits, or their margins)`}`,
    );
  else
    add(
      'info',
      `on clean history ${rateWords(clean.falseStop)} of launches were paused or rolled back by a false alarm (budget ${budget})`,
    );
  const softOnly = clean.falseAlarm.count - clean.falseStop.count;
  if (softOnly > 0)
    add(
      'info',
      `another ${percentWords(softOnly / clean.runs)} of clean launches drew a hold, an ask or a notification`,
    );
  if (clean.srmHold.count > 0)
    add(
      'warning',
      `the split check held ${rateWords(clean.srmHold)} of clean launches: with a healthy split it should (almost) never fire`,
    );

  // A bake runs from the start of the last phase, alongside its min_duration.
  const minimum = plan.phases.reduce((s, p) => s + Math.max(p.min_duration, p.bake ?? 0), 0);
  if (clean.timeToFull.medianMs !== null)
    add(
      'info',
      `clean launches reach 100% after ${spanWords(clean.timeToFull.medianMs)} (p90 ${spanWords(clean.timeToFull.p90Ms)}) and complete after ${spanWords(clean.timeToComplete.medianMs)} (p90 ${spanWords(clean.timeToComplete.p90Ms)}); the plan's minimum is ${spanWords(minimum)}`,
    );
  if (clean.outcomes.unfinished.count > 0)
    add(
      'warning',
      `${rateWords(clean.outcomes.unfinished)} of clean launches had not completed after the simulated ${spanWords(input.settings.maxDurationMs)} (raise --max-duration or shorten the plan)`,
    );
  plan.phases.forEach((_, p) => phaseWaitFinding(input, p, add));
  // Problems first, then warnings, then the rest; the order within each stays as written.
  const rank = { problem: 0, warning: 1, info: 2 } as const;
  return out
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

type Add = (
  severity: Finding['severity'],
  text: string,
  kpi?: string | null,
  phase?: string | null,
) => void;

/** A phase that keeps clean launches waiting past its minimum, what for, and what would let it pass. */
function phaseWaitFinding(input: FindingsInput, p: number, add: Add): void {
  const c: CleanPhase | undefined = input.clean.phases[p];
  const phase = input.plan.phases[p];
  if (c === undefined || phase === undefined || c.entered.count === 0 || c.waits.length === 0)
    return;
  const stuck = 1 - c.advanced.count / c.entered.count;
  const median = c.time.medianMs;
  // A look's granularity is not a wait.
  const slow = median !== null && median > c.minDurationMs * 1.1 + input.settings.lookIntervalMs;
  if (stuck < 0.1 && !slow) return;
  const reasons = c.waits
    .slice(0, 2)
    .map((w) => {
      const words =
        w.condition === 'min-units'
          ? `min_units (${countWords(phase.min_units)} per arm)`
          : (CONDITION_WORDS[w.condition] ?? w.condition);
      return `${words} ${percentWords(w.share)} of the time`;
    })
    .join(', ');
  const undecided = c.undecided
    .slice(0, 3)
    .map((u) => `${u.kpi} ${percentWords(u.share)}`)
    .join(', ');
  const head =
    stuck >= 0.1
      ? `phase ${c.phase} never advanced in ${percentWords(stuck)} of the clean launches that entered it`
      : `phase ${c.phase} takes ${spanWords(median)} (median; its minimum is ${spanWords(c.minDurationMs)})`;
  add(
    stuck >= 0.5 ? 'problem' : 'warning',
    `${head}: past its minimum it waits for ${reasons}${undecided === '' ? '' : `; without a verdict: ${undecided}`}`,
    null,
    c.phase,
  );
  // What each KPI that keeps the phase waiting would need to pass, most blocking first.
  for (const u of c.undecided.slice(0, 3)) {
    if (u.share < 0.5) break;
    const kpiIndex = planKpis(input.plan).findIndex((k) => k.name === u.kpi);
    const needs = phaseNeedsToPass(input.detection, kpiIndex, p);
    const kpi = planKpis(input.plan)[kpiIndex];
    if (needs === null || kpi === undefined) continue;
    const options: string[] = [];
    if (Number.isFinite(needs.durationMs))
      options.push(`about ${spanWords(needs.durationMs)} at ${formatShare(phase.traffic)}`);
    if (needs.traffic !== null)
      options.push(`${formatShare(needs.traffic)} for ${spanWords(phase.min_duration)}`);
    const window = kpi.window === undefined ? '' : ` with its ${spanWords(kpi.window)} window`;
    add(
      'warning',
      `${u.kpi} cannot pass in ${c.phase}: proving it within its margin (${guardWords(kpi)})${window} needs ${options.length > 0 ? options.join(' or ') : 'more traffic than any phase share gives'} — or a wider margin`,
      u.kpi,
      c.phase,
    );
  }
}

function injectionFindings(input: FindingsInput, inj: InjectionReport, add: Add): void {
  const { plan } = input;
  const best = inj.byPhase.reduce(
    (a, b) => (b.caught.count > a.caught.count ? b : a),
    inj.byPhase[0] ?? { phase: '', caught: inj.caught },
  );
  const kpi = inj.effects.length === 1 ? (inj.effects[0]?.kpi ?? null) : null;
  if (inj.caught.rate < CAUGHT_TARGET)
    add(
      'problem',
      `${inj.label}: caught in only ${rateWords(inj.caught)} of launches; it went fully live in ${rateWords(inj.shipped)}`,
      kpi,
    );
  else
    add(
      'info',
      `${inj.label}: caught in ${rateWords(inj.caught)} of launches, most often in ${best.phase}, ${spanWords(inj.timeToDetect.medianMs)} after going live (median; p90 ${spanWords(inj.timeToDetect.p90Ms)}), with ${countWords(inj.unitsBeforeDetect.median)} treatment units exposed first (median)`,
      kpi,
    );
  if (inj.effects.length !== 1) return;
  const effect = inj.effects[0];
  if (effect === undefined) return;
  const kpiIndex = planKpis(plan).findIndex((k) => k.name === effect.kpi);
  const onset =
    effect.fromPhase === null ? 0 : plan.phases.findIndex((p) => p.name === effect.fromPhase);
  const phase = plan.phases[onset];
  const there = inj.byPhase[onset];
  if (phase === undefined || there === undefined || there.caught.rate >= 0.5) return;
  const needs = phaseNeeds(input.detection, kpiIndex, onset, effect);
  if (needs === null) return;
  const change = changeWords(effect.size, effect.relative);
  const options: string[] = [];
  if (Number.isFinite(needs.durationMs))
    options.push(`${spanWords(needs.durationMs)} at ${formatShare(phase.traffic)}`);
  if (needs.traffic !== null)
    options.push(`${formatShare(needs.traffic)} for ${spanWords(phase.min_duration)}`);
  const mde = Number.isFinite(needs.mde)
    ? `it detects ${changeWords(needs.mde, needs.relative)} at best`
    : 'it sees too few units for any verdict';
  add(
    there.caught.rate < 0.2 ? 'problem' : 'warning',
    `phase ${phase.name} (${formatShare(phase.traffic)} for ${spanWords(phase.min_duration)}) cannot detect ${change} in ${effect.kpi}: caught there in ${rateWords(there.caught)} of launches; ${mde}${options.length > 0 ? `; it needs ${options.join(' or ')}` : ''}`,
    effect.kpi,
    phase.name,
  );
}
