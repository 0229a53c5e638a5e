/** `threshold rehearse` arguments, turned into the engine's options; every mistake names its option. */
import {
  parseBaseline,
  parseDuration,
  parseInjection,
  parseShare,
  parseTrafficRate,
} from '@threshold/core';
import type {
  Injection,
  KpiBaseline,
  Plan,
  RehearsalOptions,
  TrafficProfile,
} from '@threshold/core';
import { availableParallelism } from 'node:os';
import { UsageError } from '../usage-error.js';

/** The value options of `threshold rehearse`. */
export const REHEARSE_VALUES = [
  'max-bytes',
  'history',
  'from',
  'prometheus',
  'units-query',
  'traffic',
  'baseline',
  'inject',
  'runs',
  'seed',
  'look',
  'look-interval',
  'workers',
  'signoff-delay',
  'max-duration',
  'audience',
  'html',
  'server',
  'token',
  'launches',
  'environment',
  'environments-file',
] as const;

/** The switches of `threshold rehearse`. */
export const REHEARSE_FLAGS = ['json', 'diurnal', 'progress', 'record'] as const;

/** Where the launches are replayed: a history file, a Prometheus history, or synthetic traffic. */
export type RehearsalSourceArgs =
  | { kind: 'history'; file: string }
  | { kind: 'prometheus'; pull: PrometheusPull }
  | { kind: 'profile'; profile: TrafficProfile }
  | { kind: 'launches'; launches: number; traffic?: string };

/** `--history prometheus`: where and how far back to pull, and the units per step. */
export interface PrometheusPull {
  url: string;
  fromMs: number;
  unitsQuery?: string;
  unitsPerMinute?: number;
}

/** Where `--history prometheus` reads when no --prometheus URL is given. */
export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';

/** What the options say, before the plan and the history are read. */
export interface RehearseArgs {
  source: RehearsalSourceArgs;
  options: Omit<RehearsalOptions, 'onProgress'>;
  json: boolean;
  html: string | null;
  /** Threads that simulate (default: every core). */
  workers: number;
  /** Progress lines on stderr even when it is not a terminal. */
  progress: boolean;
  /** --environment: meet that environment's time rules, read as the server reads them. */
  environment: { name: string; file?: string } | null;
  /** Run it on the server (--server) against the stored version, which records it (ADR 0041). */
  record: boolean;
}

const COMMAND = 'rehearse';
/** More threads than any machine's cores gain nothing. */
const MAX_WORKERS = 256;
/** Far above any useful run count; keeps a typo like --runs 2000000000 from running for days. */
const MAX_RUNS = 1_000_000;

function fail(message: string): never {
  throw new UsageError(message, COMMAND);
}

function single(values: Map<string, string[]>, name: string): string | undefined {
  const list = values.get(name);
  if (list === undefined) return undefined;
  if (list.length > 1) fail(`--${name} is given ${list.length} times; give it once`);
  return list[0];
}

function wholeNumber(text: string | undefined, name: string, min: number, max: number) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}

function duration(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const d = parseDuration(text);
  if (!d.ok) fail(`--${name} ${d.message}`);
  return d.value;
}

/** Read the options that need no plan, and check they fit together. */
export function readRehearseArgs(values: Map<string, string[]>, flags: Set<string>): RehearseArgs {
  const history = single(values, 'history');
  const traffic = single(values, 'traffic');
  const fromPrometheus = history === 'prometheus';
  const fromLaunches = history === 'launches';
  if (!fromPrometheus)
    for (const name of ['from', 'prometheus', 'units-query'])
      if (values.has(name)) fail(`--${name} belongs to --history prometheus`);
  const record = flags.has('record');
  if (!fromLaunches)
    for (const name of record ? ['launches'] : ['server', 'token', 'launches'])
      if (values.has(name))
        fail(`--${name} belongs to --history launches${name === 'launches' ? '' : ' or --record'}`);
  if (record) {
    // The server's rehearsal takes the plan, the traffic, injections, runs, seed and look interval only.
    if (fromPrometheus)
      fail(
        '--record runs the rehearsal on the server: use --history FILE, --history launches or --traffic, not --history prometheus',
      );
    for (const name of ['audience', 'signoff-delay', 'max-duration', 'workers'])
      if (values.has(name))
        fail(`--${name} is not supported with --record (the server's rehearsal does not take it)`);
    if (flags.has('progress')) fail('--progress is not supported with --record');
    if (values.has('environments-file'))
      fail(
        '--environments-file is not used with --record: the server applies its own environments',
      );
  }
  if (history !== undefined && traffic !== undefined && !fromPrometheus && !fromLaunches)
    fail('give --history FILE or --traffic RATE, not both');
  if (history === undefined && traffic === undefined)
    fail('say what to replay: --history FILE (a history CSV) or --traffic RATE (e.g. 1200/min)');
  if (history !== undefined && flags.has('diurnal'))
    fail('--diurnal shapes synthetic traffic: use it with --traffic, not --history');
  if (history !== undefined && !fromLaunches && values.has('baseline'))
    fail('--baseline sets synthetic KPI levels: use it with --traffic or --history launches');
  const rate = traffic === undefined ? undefined : parseTrafficRate(traffic);
  if (rate !== undefined && !rate.ok) fail(`--traffic: ${rate.message}`);
  let source: RehearsalSourceArgs;
  if (fromLaunches) {
    source = {
      kind: 'launches',
      launches: wholeNumber(single(values, 'launches'), 'launches', 1, 20) ?? 3,
      ...(traffic === undefined ? {} : { traffic }),
    };
  } else if (fromPrometheus) {
    const from = duration(single(values, 'from'), 'from');
    if (from === undefined)
      fail('--history prometheus needs --from DURATION (how far back, e.g. 7d)');
    const unitsQuery = single(values, 'units-query');
    if ((unitsQuery === undefined) === (rate === undefined))
      fail(
        '--history prometheus needs the new units per step: --units-query PROMQL or --traffic RATE (one of them)',
      );
    const pull: PrometheusPull = {
      url: single(values, 'prometheus') ?? DEFAULT_PROMETHEUS_URL,
      fromMs: from,
    };
    if (!/^https?:\/\/[^/]/.test(pull.url))
      fail(`--prometheus must be an http(s) URL, got '${pull.url}'`);
    if (unitsQuery !== undefined) pull.unitsQuery = unitsQuery;
    if (rate?.ok === true) pull.unitsPerMinute = rate.value;
    source = { kind: 'prometheus', pull };
  } else if (rate?.ok === true) {
    source = {
      kind: 'profile',
      profile: { unitsPerMinute: rate.value, diurnal: flags.has('diurnal') },
    };
  } else source = { kind: 'history', file: history ?? '' };

  const options: RehearseArgs['options'] = {};
  const runs = wholeNumber(single(values, 'runs'), 'runs', 1, MAX_RUNS);
  if (runs !== undefined) options.runs = runs;
  const seed = wholeNumber(single(values, 'seed'), 'seed', 0, Number.MAX_SAFE_INTEGER);
  if (seed !== undefined) options.seed = seed;
  if (values.has('look') && values.has('look-interval'))
    fail('--look is another name for --look-interval: give one of them');
  const lookName = values.has('look') ? 'look' : 'look-interval';
  const look = duration(single(values, lookName), lookName);
  if (look !== undefined) {
    if (look < 1000) fail(`--${lookName} must be at least 1s, got '${single(values, lookName)}'`);
    options.lookIntervalMs = look;
  }
  const delay = duration(single(values, 'signoff-delay'), 'signoff-delay');
  if (delay !== undefined) options.signoffDelayMs = delay;
  const max = duration(single(values, 'max-duration'), 'max-duration');
  if (max !== undefined) {
    if (max < (options.lookIntervalMs ?? 5 * 60_000))
      fail('--max-duration must be at least one look (--look-interval, default 5m)');
    options.maxDurationMs = max;
  }
  const environmentName = single(values, 'environment');
  const environmentsFile = single(values, 'environments-file');
  if (environmentsFile !== undefined && environmentName === undefined)
    fail('--environments-file defines environments: name one with --environment NAME');
  const workers =
    wholeNumber(single(values, 'workers'), 'workers', 1, MAX_WORKERS) ??
    Math.min(MAX_WORKERS, availableParallelism());
  return {
    source,
    options,
    json: flags.has('json'),
    html: single(values, 'html') ?? null,
    workers,
    progress: flags.has('progress'),
    environment:
      environmentName === undefined
        ? null
        : {
            name: environmentName,
            ...(environmentsFile === undefined ? {} : { file: environmentsFile }),
          },
    record,
  };
}

/** Read the options that name KPIs and phases (injections, baselines, audiences) against the plan. */
export function readPlanArgs(values: Map<string, string[]>, plan: Plan, args: RehearseArgs): void {
  const injections: Injection[] = [];
  for (const spec of values.get('inject') ?? []) {
    const r = parseInjection(spec, plan);
    if (!r.ok) fail(`--inject ${spec}: ${r.message}`);
    if (injections.some((i) => i.label === r.injection.label))
      fail(`--inject ${r.injection.label} is given twice`);
    injections.push(r.injection);
  }
  if (injections.length > 0) args.options.injections = injections;

  const baselines: Record<string, KpiBaseline> = {};
  for (const spec of values.get('baseline') ?? []) {
    const r = parseBaseline(spec, plan);
    if (!r.ok) fail(`--baseline ${spec}: ${r.message}`);
    baselines[r.value.kpi] = r.value.baseline;
  }
  if (args.source.kind === 'profile' && Object.keys(baselines).length > 0)
    args.source.profile.baselines = baselines;

  const audience: Record<string, number> = {};
  const phases = plan.phases.map((p) => p.name);
  for (const spec of values.get('audience') ?? []) {
    const eq = spec.indexOf('=');
    const phase = eq > 0 ? spec.slice(0, eq).trim() : '';
    if (!phases.includes(phase))
      fail(
        `--audience ${spec}: write PHASE=SHARE with a phase of the plan (${phases.join(', ')}), e.g. ${phases[0] ?? 'canary'}=20%`,
      );
    const share = parseShare(spec.slice(eq + 1).trim());
    if (!share.ok || !(share.value > 0))
      fail(`--audience ${spec}: the share ${share.ok ? 'must be above 0%' : share.message}`);
    audience[phase] = share.value;
  }
  if (Object.keys(audience).length > 0) args.options.audience = audience;
}
