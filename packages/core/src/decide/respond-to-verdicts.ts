/** What a look does about breaches and missing evidence: the plan's responses, each taken once. */
import type { Phase } from '../plan/index.js';
import type { GuardResult } from '../statistics/index.js';
import type { Verdicts } from './classify-verdicts.js';
import { breachFigures, roughDuration } from './format.js';
import { decision, clause, emit, holding, taken } from './look-run.js';
import type { LookRun } from './look-run.js';
import type { KpiEntry } from './plan-index.js';
/** Why a breach response applies: the KPI's on_breach, or a risk's contingency. */
function sourceText(e: KpiEntry): string {
  return e.responseRisk === null
    ? `on_breach of ${e.name}`
    : `contingency of risk ${e.responseRisk.id} (${e.responseRisk.title})`;
}

/**
 * "error_rate breached its guard (+0.197 [+0.058, +0.335] > 0.03)": the figures
 * when the result carries them (the guard's own sentence has parentheses of its
 * own, which nested into unreadable brackets), else the guard's reason.
 */
function breachText(e: KpiEntry, r: GuardResult | undefined): string {
  const figures = breachFigures(r);
  const why = figures === '' ? clause(r?.reason) : figures;
  return why === '' ? `${e.name} breached its guard` : `${e.name} breached its guard (${why})`;
}

/**
 * An advisory breach in words, for the decisions and the look that go on
 * despite it: "api_calls breaches its guard (+14% [+6%, +22%] > 10%):
 * advisory, the plan only notifies".
 */
export function advisoryText(e: KpiEntry, r: GuardResult | undefined): string {
  const figures = breachFigures(r);
  const why = figures === '' ? clause(r?.reason) : figures;
  return `${e.name} breaches its guard${why === '' ? '' : ` (${why})`}: advisory, the plan only notifies`;
}

function breachEvidence(e: KpiEntry, r: GuardResult | undefined) {
  return {
    guards: r === undefined ? [] : [r],
    actions: e.kpi.on_breach,
    risks: e.risks,
  };
}

/** Roll back for the KPIs whose response is rollback, then fire every breach's side effects. */
export function rollBack(
  run: LookRun,
  rollers: number[],
  kpis: KpiEntry[],
  v: Verdicts,
  units: { treatment: number; control: number },
): void {
  const first = kpis[rollers[0] as number] as KpiEntry;
  const texts = rollers.map((i) => breachText(kpis[i] as KpiEntry, v.results[i]));
  const risks = rollers.flatMap((i) => (kpis[i] as KpiEntry).risks);
  emit(
    run,
    decision(
      run,
      first.responseRule,
      `${texts.join('; ')}: rolling back to 0% (${sourceText(first)})`,
      {
        guards: rollers.flatMap((i) => {
          const r = v.results[i];
          return r === undefined ? [] : [r];
        }),
        actions: first.kpi.on_breach,
        risks: risks.filter((r, i) => risks.findIndex((x) => x.id === r.id) === i),
        units,
      },
      {
        type: 'rollback',
        traffic: 0,
      },
    ),
  );
  for (const i of v.breach) fireSideEffects(run, kpis[i] as KpiEntry, v.results[i]);
}

/** Fire a breach's notify and webhook actions, each once per phase and target. */
export function fireSideEffects(run: LookRun, e: KpiEntry, r: GuardResult | undefined): void {
  for (const s of e.sideEffects) {
    const key = run.state.phase + s.keySuffix;
    if (taken(run, key)) continue;
    const notify = s.type === 'notify';
    const advisory = e.advisory ? ' (advisory: the plan only notifies, so it does not block)' : '';
    emit(
      run,
      decision(
        run,
        s.rule,
        `${breachText(e, r)}: ${notify ? `notifying ${s.target}` : `calling the webhook ${s.target}`}${advisory}`,
        breachEvidence(e, r),
        notify
          ? { type: 'notify', key, to: s.target, kpi: e.name }
          : { type: 'webhook', key, url: s.target, kpi: e.name },
      ),
    );
  }
}

/**
 * Take a breach's most severe response (pause, hold or ask) once, and its side
 * effects. An advisory breach (no state change in its response) only fires them.
 */
export function respondToBreach(run: LookRun, e: KpiEntry, r: GuardResult | undefined): void {
  const phase = run.state.phase;
  if (e.response === 'pause') {
    const key = `${phase}:${e.responseRule}:${e.name}:pause`;
    if (run.status === 'running' && !taken(run, key))
      emit(
        run,
        decision(
          run,
          e.responseRule,
          `${breachText(e, r)}: pausing until an operator resumes (${sourceText(e)})`,
          breachEvidence(e, r),
          {
            type: 'pause',
            key,
            kpi: e.name,
          },
        ),
      );
  } else if (e.response === 'hold') {
    const id = `breach:${e.name}`;
    if (!holding(run, id))
      emit(
        run,
        decision(
          run,
          e.responseRule,
          `${breachText(e, r)}: holding in ${phase} until it recovers (${sourceText(e)})`,
          breachEvidence(e, r),
          {
            type: 'hold',
            hold: id,
            kpi: e.name,
          },
        ),
      );
  } else if (e.response === 'ask') {
    const key = `${phase}:${e.responseRule}:${e.name}:ask`;
    if (!taken(run, key))
      emit(
        run,
        decision(
          run,
          e.responseRule,
          `${breachText(e, r)}: not advancing until ${e.askRoles.join(', ')} approve${e.askRoles.length === 1 ? 's' : ''} (${sourceText(e)})`,
          breachEvidence(e, r),
          {
            type: 'ask',
            key,
            ask: `breach:${e.name}`,
            kpi: e.name,
            roles: e.askRoles,
          },
        ),
      );
  }
  fireSideEffects(run, e, r);
}

/** Take a KPI's on_insufficient action once its phase passed the minimum duration. */
export function respondToInsufficient(
  run: LookRun,
  e: KpiEntry,
  r: GuardResult | undefined,
  phase: Phase,
): void {
  const action = e.kpi.on_insufficient;
  if (action.type === 'wait') return;
  const here = run.state.phase;
  // The sentence and the evidence only for a decision taken: once its key is taken,
  // every later look of the phase takes none.
  let lackText: string | undefined;
  const lack = (): string => {
    if (lackText === undefined) {
      const why = r === undefined ? 'no result for it' : clause(r.reason);
      lackText = `${e.name} has no verdict after the minimum ${roughDuration(phase.min_duration)}${why === '' ? '' : ` (${why})`}`;
    }
    return lackText;
  };
  let shared: { guards: GuardResult[]; actions: (typeof action)[] } | undefined;
  const evidence = () => (shared ??= { guards: r === undefined ? [] : [r], actions: [action] });
  if (action.type === 'extend') {
    const key = `${here}:insufficient-evidence:${e.name}:extend`;
    if (!taken(run, key))
      emit(
        run,
        decision(
          run,
          'insufficient-evidence',
          `${lack()}: keeping ${here} open until it has one`,
          evidence(),
          {
            type: 'extend',
            key,
            kpi: e.name,
          },
        ),
      );
  } else if (action.type === 'hold') {
    const id = `insufficient:${e.name}`;
    if (!holding(run, id))
      emit(
        run,
        decision(run, 'insufficient-evidence', `${lack()}: holding in ${here}`, evidence(), {
          type: 'hold',
          hold: id,
          kpi: e.name,
        }),
      );
    const owner = run.plan.owner;
    const key = `${here}:insufficient-evidence:${e.name}:${owner}`;
    if (!taken(run, key))
      emit(
        run,
        decision(run, 'insufficient-evidence', `${lack()}: notifying ${owner}`, evidence(), {
          type: 'notify',
          key,
          to: owner,
          kpi: e.name,
        }),
      );
  } else {
    const key = `${here}:insufficient-evidence:${e.name}:ask`;
    if (!taken(run, key))
      emit(
        run,
        decision(
          run,
          'insufficient-evidence',
          `${lack()}: not advancing until ${action.roles.join(', ')} approve${action.roles.length === 1 ? 's' : ''}`,
          evidence(),
          {
            type: 'ask',
            key,
            ask: `insufficient:${e.name}`,
            kpi: e.name,
            roles: action.roles,
          },
        ),
      );
  }
}

/** Release breach and missing-evidence holds whose KPI recovered or left the plan. */
export function releaseRecovered(
  run: LookRun,
  positions: Record<string, number>,
  v: Verdicts,
): void {
  for (const h of run.holds) {
    const breach = h.id.startsWith('breach:');
    if (!breach && !h.id.startsWith('insufficient:')) continue;
    const kpi = h.kpi ?? h.id.slice(h.id.indexOf(':') + 1);
    const at = positions[kpi];
    const verdict = at === undefined ? undefined : v.verdicts[at];
    const stays = breach ? verdict === 'breach' : verdict === 'insufficient-evidence';
    if (stays) continue;
    const r = at === undefined ? undefined : v.results[at];
    const now =
      at === undefined
        ? `${kpi} is no longer in the plan`
        : breach
          ? `${kpi} no longer breaches${r === undefined ? '' : ` (${clause(r.reason)})`}`
          : `${kpi} has a verdict: ${verdict}`;
    emit(
      run,
      decision(
        run,
        h.rule,
        `${now}: releasing the hold`,
        { guards: r === undefined ? [] : [r] },
        {
          type: 'release-hold',
          hold: h.id,
        },
      ),
    );
  }
}
