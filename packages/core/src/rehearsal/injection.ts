/**
 * Injected regressions: what a rehearsal pretends the new version does to a KPI.
 * Written `KPI=+10%` (relative), `KPI=+0.02` (absolute) or `KPI=+10%@phase`
 * (from the start of that phase on); several joined by commas act together.
 */
import type { Kpi, Plan } from '../plan/index.js';
import { KPI_CATEGORIES } from '../plan/index.js';
import { didYouMeanSuffix } from '../text/index.js';

/** One change of one KPI in the treatment arm. */
export interface Effect {
  kpi: string;
  /** Signed size: +0.1 with `relative` is +10%; without, +0.1 in the KPI's own unit. */
  size: number;
  relative: boolean;
  /** The phase from whose start the change applies; null: from the launch's start. */
  fromPhase: string | null;
}

/** An automated readiness check (probe or query) that fails from a phase on. */
export interface CheckFailure {
  /** The check's text, as in the plan. */
  check: string;
  /** The phase from whose start it fails; null: from the launch's start. */
  fromPhase: string | null;
}

/** One scenario of a rehearsal: effects (and failing checks) that act together. */
export interface Injection {
  /** As the user wrote it, normalized, e.g. "conversion=-5%@early". */
  label: string;
  effects: Effect[];
  /** Blocking automated checks that fail in this scenario (`check:TEXT[@phase]`); absent: none. */
  checks?: CheckFailure[];
}

/** The outcome of reading an injection. */
export type InjectionParseResult =
  { ok: true; injection: Injection } | { ok: false; message: string };

const SIZE = /^([+-]?)(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(%?)$/i;

function kpiNames(plan: Plan): string[] {
  return KPI_CATEGORIES.flatMap((c) => plan.kpis[c].map((k: Kpi) => k.name));
}

/** Read `KPI=+10%[@phase][,KPI=...]` against a plan; the message names what is wrong. */
export function parseInjection(spec: string, plan: Plan): InjectionParseResult {
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0)
    return { ok: false, message: 'empty injection: write KPI=+10% (or KPI=+10%@phase)' };
  const names = kpiNames(plan);
  const phases = plan.phases.map((p) => p.name);
  const effects: Effect[] = [];
  const checks: CheckFailure[] = [];
  // Any blocking check can fail mid-launch: an automated one fails, an attested one lapses.
  const probes = plan.readiness.filter((r) => r.blocking).map((r) => r.check);
  for (const part of parts) {
    if (part.startsWith('check:')) {
      // A failing automated readiness check: it fails from that phase on.
      let name = part.slice('check:'.length).trim();
      let fromPhase: string | null = null;
      const at = name.lastIndexOf('@');
      if (at >= 0 && phases.includes(name.slice(at + 1).trim())) {
        fromPhase = name.slice(at + 1).trim();
        name = name.slice(0, at).trim();
      }
      if (!probes.includes(name))
        return {
          ok: false,
          message:
            probes.length === 0
              ? `"${name}" is not a blocking readiness check: the plan has none`
              : `"${name}" is not a blocking readiness check${didYouMeanSuffix(name, probes)}; the plan has ${probes.map((p) => `"${p}"`).join(', ')}`,
        };
      if (checks.some((c) => c.check === name))
        return { ok: false, message: `check:${name} appears twice in one injection` };
      checks.push({ check: name, fromPhase });
      continue;
    }
    const eq = part.indexOf('=');
    if (eq <= 0)
      return {
        ok: false,
        message: `"${part}" is not KPI=SIZE: write e.g. ${names[0] ?? 'error_rate'}=+10%`,
      };
    const kpi = part.slice(0, eq).trim();
    if (!names.includes(kpi))
      return {
        ok: false,
        message: `unknown KPI "${kpi}"${didYouMeanSuffix(kpi, names)}; the plan has ${names.join(', ')}`,
      };
    let rest = part.slice(eq + 1).trim();
    let fromPhase: string | null = null;
    const at = rest.indexOf('@');
    if (at >= 0) {
      fromPhase = rest.slice(at + 1).trim();
      rest = rest.slice(0, at).trim();
      if (!phases.includes(fromPhase))
        return {
          ok: false,
          message: `unknown phase "${fromPhase}" after @${didYouMeanSuffix(fromPhase, phases)}; the plan has ${phases.join(', ')}`,
        };
    }
    const m = SIZE.exec(rest);
    if (m === null)
      return {
        ok: false,
        message: `size of ${kpi}: "${rest}" is not a change like +10% (relative) or +0.02 (absolute)`,
      };
    const magnitude = Number(m[2]);
    const relative = m[3] === '%';
    const size = (m[1] === '-' ? -1 : 1) * (relative ? magnitude / 100 : magnitude);
    if (relative && size <= -1)
      return { ok: false, message: `size of ${kpi}: a relative change must be above -100%` };
    const kind = plan.kpis[categoryOf(plan, kpi)].find((k: Kpi) => k.name === kpi)?.kind;
    if (!relative && (kind === 'occurrence' || kind === 'slo-burn') && Math.abs(size) >= 1)
      return {
        ok: false,
        message: `size of ${kpi}: ${rest} cannot exist: ${kpi} is a rate (${kind === 'occurrence' ? 'the share of units with the event' : 'the share of bad events'}, from 0 to 1), so an absolute change must be smaller than 1; write a relative change like ${m[1] === '-' ? '-' : '+'}${magnitude}% or an absolute one like ${m[1] === '-' ? '-' : '+'}0.01`,
      };
    if (effects.some((e) => e.kpi === kpi))
      return { ok: false, message: `${kpi} appears twice in one injection` };
    effects.push({ kpi, size, relative, fromPhase });
  }
  const label = [
    ...effects.map(formatEffect),
    ...checks.map((c) => `check:${c.check}${c.fromPhase === null ? '' : `@${c.fromPhase}`}`),
  ].join(',');
  return {
    ok: true,
    injection: { label, effects, ...(checks.length === 0 ? {} : { checks }) },
  };
}

function categoryOf(plan: Plan, kpi: string): (typeof KPI_CATEGORIES)[number] {
  return KPI_CATEGORIES.find((c) => plan.kpis[c].some((k: Kpi) => k.name === kpi)) ?? 'efficiency';
}

/**
 * Why an injection cannot exist at a KPI's level over the history (`level`: a
 * rate, a count per unit, a quantile), or null: a rate pushed past 100% or below
 * 0, a count or a quantile pushed below 0. A rehearsal refuses these rather than
 * clamp them silently into some other regression.
 */
export function impossibleEffect(e: Effect, kind: Kpi['kind'], level: number): string | null {
  const after = e.relative ? level * (1 + e.size) : level + e.size;
  const rate = kind === 'occurrence' || kind === 'slo-burn';
  const shown = `${formatEffect({ ...e, fromPhase: null })}`;
  const at = Number(level.toPrecision(3));
  const to = Number(after.toPrecision(3));
  if (rate && after > 1)
    return `${shown} cannot exist: ${e.kpi} is a rate of ${at} in the history, and it would become ${to}, above 1 (100%)`;
  if (after < 0 && (rate || kind === 'count' || kind === 'quantile'))
    return `${shown} cannot exist: ${e.kpi} is ${at} in the history, and it would become ${to}, below 0`;
  return null;
}

/** "conversion=-5%@early", "abandonment=+0.02". */
export function formatEffect(e: Effect): string {
  const sign = e.size < 0 ? '-' : '+';
  const magnitude = Math.abs(e.size) * (e.relative ? 100 : 1);
  const size = `${sign}${Number(magnitude.toPrecision(6))}${e.relative ? '%' : ''}`;
  return `${e.kpi}=${size}${e.fromPhase === null ? '' : `@${e.fromPhase}`}`;
}
