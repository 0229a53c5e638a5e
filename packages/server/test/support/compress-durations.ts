/**
 * Runs a shipped plan on a test's clock: every duration of the plan is divided by
 * a constant factor, and nothing else changes (ADR 0023). Duration fields are found
 * through the plan's JSON Schema, so a duration field added to the schema later is
 * compressed without touching this file.
 *
 * Two clocks, each compressed by its own constant factor:
 * - `metrics`: durations inside `kpis` (a Prometheus `step`, a `window`, burn-rate
 *   windows). Their ratios to each other (steps per window) stay as shipped.
 * - `launch`: every other duration (a phase's `min_duration` and `bake`, sign-off
 *   deadlines). Their ratios stay as shipped too.
 * One factor for both cannot work: a phase holds as many steps as shipped (a 3-day
 * bake of 1-minute steps is 4,320 steps), and a step must span several scrapes.
 *
 * Defaults that are durations are written out first, so they are compressed as well:
 * a Prometheus KPI's step (1m) and the SRE Workbook burn-rate windows.
 */
import {
  formatDuration,
  parseDuration,
  schemaAt,
  type JsonSchemaNode,
  type Plan,
} from '@threshold/core';
import { DEFAULT_PROMETHEUS_STEP_MS } from '../../src/sources/prometheus-source.js';

/** How many times faster each clock runs than the shipped plan's. */
export interface ClockFactors {
  /** Phase durations, bakes and sign-off deadlines. */
  launch: number;
  /** KPI steps, windows and burn-rate windows. */
  metrics: number;
}

type Path = (string | number)[];

/** The pattern the plan schema gives every duration field. */
const DURATION_PATTERN = (() => {
  const node = schemaAt(['phases', 0, 'min_duration']).find((n) => n.pattern !== undefined);
  if (node?.pattern === undefined) throw new Error('the plan schema has no duration pattern');
  return node.pattern;
})();

/** Whether the plan schema says the value at `path` is a duration. */
export function isDurationPath(path: Path): boolean {
  return schemaAt(path).some((n) => n.pattern === DURATION_PATTERN);
}

/** Which clock a duration at `path` runs on. */
export function clockOf(path: Path): keyof ClockFactors {
  return path[0] === 'kpis' ? 'metrics' : 'launch';
}

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Whether a schema default holds a duration somewhere (so writing it out changes what is compressed). */
function holdsDuration(value: unknown, path: Path): boolean {
  if (typeof value === 'string') return isDurationPath(path);
  if (Array.isArray(value)) return value.some((v, i) => holdsDuration(v, [...path, i]));
  if (isObject(value))
    return Object.entries(value).some(([k, v]) => holdsDuration(v, [...path, k]));
  return false;
}

/** Write out the absent fields of the mapping at `path` whose defaults are durations. */
function writeDefaults(node: Record<string, unknown>, path: Path): void {
  for (const schema of schemaAt(path)) {
    for (const [key, prop] of Object.entries(schema.properties ?? {}) as [
      string,
      JsonSchemaNode,
    ][]) {
      if (key in node || prop.default === undefined) continue;
      if (holdsDuration(prop.default, [...path, key]))
        node[key] = structuredClone(prop.default) as unknown;
    }
  }
  // The step's default lives in the Prometheus source, not in the schema.
  const isKpi = path.length === 3 && path[0] === 'kpis';
  if (isKpi && node['source'] === 'prometheus' && !('step' in node))
    node['step'] = formatDuration(DEFAULT_PROMETHEUS_STEP_MS);
}

/** One duration divided by its clock's factor; it must stay a whole number of milliseconds. */
function compress(text: string, path: Path, factors: ClockFactors): string {
  const parsed = parseDuration(text);
  if (!parsed.ok) return text; // not a duration the schema accepts: left for the parser to refuse
  const factor = factors[clockOf(path)];
  const ms = parsed.value / factor;
  if (!Number.isInteger(ms))
    throw new Error(
      `${pathText(path)}: ${text} / ${factor} is not a whole number of milliseconds; choose a factor that divides it`,
    );
  return formatDuration(ms);
}

/**
 * A copy of a parsed plan document (what `yaml.parse` returns) with every duration
 * divided by its clock's factor; see the module comment.
 */
export function compressPlanDurations(doc: unknown, factors: ClockFactors): unknown {
  if (!(factors.launch > 0 && factors.metrics > 0))
    throw new RangeError('clock factors must be positive');
  const visit = (node: unknown, path: Path): unknown => {
    if (typeof node === 'string')
      return isDurationPath(path) ? compress(node, path, factors) : node;
    if (Array.isArray(node)) return node.map((v, i) => visit(v, [...path, i]));
    if (!isObject(node)) return node;
    const copy: Record<string, unknown> = { ...node };
    writeDefaults(copy, path);
    for (const [key, value] of Object.entries(copy)) copy[key] = visit(value, [...path, key]);
    return copy;
  };
  return visit(doc, []);
}

/**
 * Every difference between two parsed plans that is not a duration divided by its
 * clock's factor, and every duration left as it was (an absent Prometheus step counts
 * as its default). Empty when the compressed plan is the shipped one on a faster clock.
 */
export function differencesBeyondDurations(
  shipped: Plan,
  compressed: Plan,
  factors: ClockFactors,
): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: Path): void => {
    if (a === undefined && isStepDefault(shipped, path)) a = DEFAULT_PROMETHEUS_STEP_MS;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length)
        out.push(`${pathText(path)}: ${a.length} items became ${b.length}`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], [...path, i]);
      return;
    }
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(a[key], b[key], [...path, key]);
      return;
    }
    // A duration must be compressed, even one both plans take from a default.
    const duration = typeof a === 'number' && a > 0 && isDurationPath(path);
    if (duration ? typeof b === 'number' && b * factors[clockOf(path)] === a : Object.is(a, b))
      return;
    out.push(`${pathText(path)}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`);
  };
  walk(shipped, compressed, []);
  return out;
}

/** A Prometheus KPI's step that the shipped plan leaves to the default. */
function isStepDefault(plan: Plan, path: Path): boolean {
  if (path.length !== 4 || path[0] !== 'kpis' || path[3] !== 'step') return false;
  const kpis = (plan.kpis as Record<string, { source: string }[] | undefined>)[String(path[1])];
  return kpis?.[Number(path[2])]?.source === 'prometheus';
}
