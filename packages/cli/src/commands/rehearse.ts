/**
 * `threshold rehearse PLAN (--history FILE|prometheus|launches | --traffic RATE) [--inject KPI=+10%[@phase]]...`:
 * replay the plan through history and injected regressions with the same guards
 * and decide() as a live launch, and report what it would do.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatHistoryError, formatPlanError, parseHistory, parsePlan } from '@threshold/core';
import {
  EnvironmentConfigError,
  PrometheusHistoryError,
  RehearsalPool,
  loadEnvironmentConfigs,
  readPrometheusHistory,
} from '@threshold/server';
import type {
  History,
  KpiBaseline,
  Plan,
  RehearsalReport,
  TimeRules,
  TrafficProfile,
} from '@threshold/core';
import { historyEstimates, renderHistory } from '../explain/history-estimates.js';
import type { PlanHistoryAnswer } from '../explain/history-estimates.js';
import { ApiCallError, callApi, connectionOf } from './launch-http.js';
import { parseCommandArgs } from '../args.js';
import type { ParsedArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { cannotRead, maxBytesOption, readPlanFile } from '../read-plan-file.js';
import { terminalSafe } from '../terminal-text.js';
import {
  REHEARSE_FLAGS,
  REHEARSE_VALUES,
  readPlanArgs,
  readRehearseArgs,
} from '../rehearse/rehearse-args.js';
import type { RehearseArgs } from '../rehearse/rehearse-args.js';
import { renderHtml } from '../rehearse/render-html.js';
import { renderReport } from '../rehearse/render-report.js';
import { UsageError } from '../usage-error.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Run `threshold rehearse`; returns the exit code. */
export async function runRehearse(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'rehearse',
    flags: REHEARSE_FLAGS,
    values: REHEARSE_VALUES,
    positionals: 'one',
    positionalName: 'PLAN',
  });
  if (parsed.help) {
    io.stdout.write(helpText('rehearse') ?? '');
    return 0;
  }
  const options = readRehearseArgs(parsed.values, parsed.flags);
  const file = parsed.positionals[0] ?? '';
  const read = await readPlanFile(file, io.cwd, maxBytesOption(parsed, 'rehearse'));
  if (!read.ok) {
    io.stderr.write(terminalSafe(cannotRead(file, read.reason)));
    return 2;
  }
  const plan = parsePlan(read.source, { file });
  if (!plan.valid) {
    io.stderr.write(terminalSafe(plan.errors.map((x) => `${formatPlanError(x)}\n`).join('')));
    const problems = plan.errors.length + plan.omittedErrors;
    io.stderr.write(
      terminalSafe(
        `✗ cannot rehearse ${file}: ${plural(problems, 'problem')} in the plan (see above)\n`,
      ),
    );
    return 1;
  }
  readPlanArgs(parsed.values, plan.plan, options);
  // With --record the server reads its own environments (POST /api/v1/rehearsals).
  if (options.environment !== null && !options.record) {
    const rules = environmentRules(options.environment, io);
    if (typeof rules === 'string') {
      io.stderr.write(terminalSafe(`✗ cannot rehearse in ${options.environment.name}: ${rules}\n`));
      return 2;
    }
    options.options.timeRules = rules;
  }

  let source: History | TrafficProfile;
  let historyText: string | null = null;
  if (options.source.kind === 'history') {
    const name = options.source.file;
    // History is data, often far larger than a plan: no size limit.
    const text = await readPlanFile(name, io.cwd, Number.POSITIVE_INFINITY);
    if (!text.ok) {
      io.stderr.write(cannotRead(name, text.reason));
      return 2;
    }
    historyText = text.source;
    const history = parseHistory(text.source, plan.plan, { file: name });
    if (!history.ok) {
      io.stderr.write(history.errors.map((x) => `${formatHistoryError(x)}\n`).join(''));
      io.stderr.write(
        `✗ cannot rehearse with ${name}: ${plural(history.errors.length, 'problem')} in the history (see above; docs/rehearsal.md describes the columns)\n`,
      );
      return 1;
    }
    source = history.history;
  } else if (options.source.kind === 'prometheus') {
    try {
      source = await readPrometheusHistory(plan.plan, options.source.pull);
    } catch (e) {
      if (!(e instanceof PrometheusHistoryError)) throw e;
      io.stderr.write(
        terminalSafe(
          `${e.message}\n✗ cannot rehearse with a Prometheus history (see above; docs/rehearsal.md)\n`,
        ),
      );
      return 1;
    }
  } else if (options.source.kind === 'launches') {
    // The plan's past launches as the profile; --traffic and --baseline override what they measured.
    const conn = connectionOf(parsed, io, 'rehearse');
    let answer: PlanHistoryAnswer;
    try {
      answer = await callApi<PlanHistoryAnswer>(
        conn,
        'GET',
        `/api/v1/plans/${encodeURIComponent(plan.plan.launch)}/history?launches=${options.source.launches}`,
      );
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      io.stderr.write(terminalSafe(`threshold rehearse: ${err.message}\n`));
      return err.code === 'NOT_FOUND' ? 1 : 2;
    }
    const estimates = historyEstimates(
      plan.plan,
      answer,
      {
        ...(options.source.traffic === undefined ? {} : { traffic: options.source.traffic }),
        baselines: parsed.values.get('baseline') ?? [],
      },
      'rehearse',
    );
    if (estimates.unitsPerMinute === null) {
      io.stderr.write(
        `✗ no past launch of ${plan.plan.launch} measured its traffic: give --traffic RATE\n`,
      );
      return 1;
    }
    const baselines: Record<string, KpiBaseline> = {};
    for (const k of estimates.kpis) if (k.baseline !== null) baselines[k.kpi] = k.baseline;
    source = { unitsPerMinute: estimates.unitsPerMinute, baselines };
    if (!options.json)
      io.stderr.write(
        terminalSafe(
          `${renderHistory(plan.plan, { ...estimates, detectable: null }).join('\n')}\n`,
        ),
      );
  } else source = options.source.profile;

  // Checked before the run, so a long rehearsal never ends in an unwritable path.
  const htmlName = options.html;
  const html = htmlName === null ? null : resolve(io.cwd, htmlName);
  if (htmlName !== null && html !== null && !(await isDirectory(dirname(html))))
    throw new UsageError(`--html ${htmlName}: no such directory ${dirname(htmlName)}`, 'rehearse');

  let report: RehearsalReport;
  if (options.record) {
    const recorded = await recordOnServer(parsed, io, {
      name: plan.plan.launch,
      source: read.source,
      historyText,
      profile: historyText === null ? (source as TrafficProfile) : null,
      injections: parsed.values.get('inject') ?? [],
      options: options.options,
      environment: options.environment?.name ?? null,
    });
    if (typeof recorded === 'number') return recorded;
    report = recorded;
  } else {
    report = await rehearseHere(plan.plan, source, options, io);
  }
  io.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : terminalSafe(renderReport(report)),
  );
  if (html !== null && htmlName !== null) {
    const written = await writeAtomically(html, renderHtml(report));
    if (written !== null) {
      io.stderr.write(`${htmlName}: cannot write: ${written}\n`);
      return 2;
    }
    io.stderr.write(`wrote ${htmlName}\n`);
  }
  return 0;
}

/**
 * The time rules of the environment named, from the definitions the server
 * reads (--environments-file, else THRESHOLD_ENVIRONMENTS_FILE or
 * THRESHOLD_ENVIRONMENTS); an environment without rules gives empty ones, so
 * the report still says which applied. A string says why not.
 */
function environmentRules(
  environment: { name: string; file?: string },
  io: Io,
): TimeRules | string {
  const env: Record<string, string | undefined> = { ...(io.env ?? process.env) };
  if (environment.file !== undefined) env['THRESHOLD_ENVIRONMENTS_FILE'] = environment.file;
  let configs;
  try {
    configs = loadEnvironmentConfigs(undefined, env, (path) =>
      readFileSync(resolve(io.cwd, path), 'utf8'),
    );
  } catch (e) {
    if (e instanceof EnvironmentConfigError) return e.message;
    throw e;
  }
  const found = configs.find((c) => c.name === environment.name);
  if (found === undefined) {
    const file = environment.file ?? env['THRESHOLD_ENVIRONMENTS_FILE'];
    const names = configs.map((c) => c.name).join(', ');
    const hint =
      file !== undefined && file !== ''
        ? `${file} defines ${names}`
        : env['THRESHOLD_ENVIRONMENTS'] !== undefined
          ? `THRESHOLD_ENVIRONMENTS defines ${names}`
          : `only ${names} is defined; give --environments-file FILE or THRESHOLD_ENVIRONMENTS_FILE, as the server reads`;
    throw new UsageError(`--environment ${environment.name}: not defined (${hint})`, 'rehearse');
  }
  return { ...found.timeRules, environment: found.name };
}

/** Rehearse on this machine's cores. */
async function rehearseHere(
  plan: Plan,
  source: History | TrafficProfile,
  options: RehearseArgs,
  io: Io,
): Promise<RehearsalReport> {
  const tty = io.stderr.isTTY === true;
  const progress = tty ? progressBar(io) : options.progress ? progressLines(io) : undefined;
  // Every core simulates; the records merge in launch order, so the report is the same.
  const pool = new RehearsalPool({ threads: options.workers, maxJobs: 1, maxJobsPerScope: 1 });
  try {
    return await pool.run(
      { plan, source, options: options.options },
      progress === undefined ? {} : { onProgress: progress },
    );
  } catch (e) {
    // The options were checked above; the engine's own checks name what is left.
    if (e instanceof RangeError) throw new UsageError(e.message, 'rehearse');
    throw e;
  } finally {
    await pool.close();
    if (tty) io.stderr.write('\r\x1b[K');
  }
}

/** What the server needs to run (and record) the rehearsal of the stored version equal to the file. */
interface RecordRequest {
  name: string;
  source: string;
  historyText: string | null;
  profile: TrafficProfile | null;
  injections: string[];
  options: RehearseArgs['options'];
  /** --environment: the server applies its definition's time rules. */
  environment: string | null;
}

/**
 * `--record`: the server runs the rehearsal of the stored version whose source
 * equals the file and records it (ADR 0041); the report, or an exit code.
 */
async function recordOnServer(
  parsed: ParsedArgs,
  io: Io,
  req: RecordRequest,
): Promise<RehearsalReport | number> {
  const conn = connectionOf(parsed, io, 'rehearse');
  const hash = createHash('sha256').update(req.source, 'utf8').digest('hex');
  try {
    const { versions } = await callApi<{ versions: { version: number; sourceHash: string }[] }>(
      conn,
      'GET',
      `/api/v1/plans/${encodeURIComponent(req.name)}/versions`,
    );
    const stored = versions.filter((v) => v.sourceHash === hash).at(-1);
    if (stored === undefined) {
      io.stderr.write(
        terminalSafe(
          `✗ --record: this file is not a stored version of ${req.name} on ${conn.url}: upload it first (threshold plan upload, or POST /api/v1/plans)\n`,
        ),
      );
      return 1;
    }
    const o = req.options;
    const answer = await callApi<{ report: RehearsalReport; recorded: number | null }>(
      conn,
      'POST',
      '/api/v1/rehearsals',
      {
        json: {
          plan: { name: req.name, version: stored.version },
          ...(req.historyText === null ? { profile: req.profile } : { history: req.historyText }),
          injections: req.injections,
          ...(req.environment === null ? {} : { environment: req.environment }),
          ...(o.runs === undefined ? {} : { runs: o.runs }),
          ...(o.seed === undefined ? {} : { seed: o.seed }),
          ...(o.lookIntervalMs === undefined ? {} : { lookIntervalMs: o.lookIntervalMs }),
        },
      },
    );
    io.stderr.write(
      terminalSafe(
        `recorded as rehearsal #${answer.recorded ?? '?'} of ${req.name}@${stored.version} on ${conn.url}\n`,
      ),
    );
    return answer.report;
  } catch (err) {
    if (!(err instanceof ApiCallError)) throw err;
    io.stderr.write(terminalSafe(`threshold rehearse: ${err.message}\n`));
    return err.code === 'NOT_FOUND' ? 1 : 2;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Write through a temporary file and a rename, so a reader never sees half a report. Null, or why not. */
async function writeAtomically(path: string, text: string): Promise<string | null> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
    return null;
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    return e instanceof Error ? e.message : String(e);
  }
}

/** Without a terminal (--progress): a line every few seconds and one at the end, for logs and CI. */
function progressLines(io: Io): (done: number, total: number) => void {
  const started = Date.now();
  let shown = started;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - shown < PROGRESS_LINE_MS) return;
    shown = now;
    const seconds = Math.round((now - started) / 1000);
    io.stderr.write(
      `rehearsing: ${done} of ${total} launches (${Math.floor((100 * done) / total)}%) after ${seconds}s\n`,
    );
  };
}

/** How often --progress prints a line. */
const PROGRESS_LINE_MS = 2000;

/** "rehearsing: 1,200 of 6,000 launches" on a terminal, redrawn at each percent. */
function progressBar(io: Io): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const percent = Math.floor((100 * done) / total);
    if (percent === shown) return;
    shown = percent;
    io.stderr.write(`\r\x1b[Krehearsing: ${done} of ${total} launches (${percent}%)`);
  };
}
