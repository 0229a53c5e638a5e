/** A look's inputs to evaluateGuards, from what the statistics' property tests draw. */
import type { ArmAggregates, GuardsOptions } from '../../../src/statistics/index.js';

/** What a property test draws for one look: each KPI's arms (by position) and the options. */
export interface DrawnLook {
  data: readonly (ArmAggregates | undefined)[];
  minUnits: number;
  tuneUnits: number | undefined;
  baseline: string | undefined;
  phaseElapsedMs: number;
}

/** The data record (KPIs without arms left out) and verdict-only options of a drawn look. */
export function lookInputs(
  names: readonly string[],
  l: DrawnLook,
): { data: Record<string, ArmAggregates>; options: GuardsOptions } {
  const data: Record<string, ArmAggregates> = {};
  names.forEach((name, i) => {
    const a = l.data[i];
    if (a !== undefined) data[name] = a;
  });
  const options: GuardsOptions = {
    minUnits: l.minUnits,
    phaseElapsedMs: l.phaseElapsedMs,
    explain: false,
  };
  if (l.tuneUnits !== undefined) options.tuneUnits = l.tuneUnits;
  if (l.baseline !== undefined) options.baseline = l.baseline;
  return { data, options };
}
