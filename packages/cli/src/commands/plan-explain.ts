/** `threshold plan explain PLAN [--json]`: a readable summary of a valid plan. */
import { formatPlanError, parsePlan } from '@threshold/core';
import { lastValue, parseCommandArgs } from '../args.js';
import { historyEstimates, renderHistory } from '../explain/history-estimates.js';
import type { HistoryEstimates, PlanHistoryAnswer } from '../explain/history-estimates.js';
import { ApiCallError, callApi, connectionOf } from './launch-http.js';
import { renderExplain } from '../explain/render-explain.js';
import { summarizePlan } from '../explain/summarize-plan.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { cannotRead, maxBytesOption, readPlanFile } from '../read-plan-file.js';
import { terminalSafe } from '../terminal-text.js';

export async function runPlanExplain(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'plan explain',
    flags: ['json'],
    values: ['max-bytes', 'server', 'token', 'launches', 'traffic', 'baseline'],
    positionals: 'one',
    positionalName: 'PLAN',
  });
  if (parsed.help) {
    io.stdout.write(helpText('plan explain') ?? '');
    return 0;
  }
  const json = parsed.flags.has('json');
  const file = parsed.positionals[0] ?? '';
  const read = await readPlanFile(file, io.cwd, maxBytesOption(parsed, 'plan explain'));
  if (!read.ok) {
    io.stderr.write(terminalSafe(cannotRead(file, read.reason)));
    return 2;
  }
  const result = parsePlan(read.source, { file });
  if (!result.valid) {
    if (json) {
      const { errors, omittedErrors } = result;
      io.stdout.write(`${JSON.stringify({ valid: false, errors, omittedErrors }, null, 2)}\n`);
    } else {
      io.stderr.write(terminalSafe(result.errors.map((e) => `${formatPlanError(e)}\n`).join('')));
      const n = result.errors.length + result.omittedErrors;
      io.stderr.write(`✗ cannot explain ${file}: ${n} problem${n === 1 ? '' : 's'} (see above)\n`);
    }
    return 1;
  }
  const summary = summarizePlan(result.plan);
  // Past launches inform the estimates only when asked: explain stays a local, offline command.
  let history: HistoryEstimates | undefined;
  if (lastValue(parsed, 'server') !== undefined) {
    const conn = connectionOf(parsed, io, 'plan explain');
    const launches = lastValue(parsed, 'launches') ?? '3';
    let answer: PlanHistoryAnswer;
    try {
      answer = await callApi<PlanHistoryAnswer>(
        conn,
        'GET',
        `/api/v1/plans/${encodeURIComponent(result.plan.launch)}/history?launches=${encodeURIComponent(launches)}`,
      );
    } catch (err) {
      if (!(err instanceof ApiCallError)) throw err;
      if (err.code !== 'NOT_FOUND') {
        io.stderr.write(terminalSafe(`threshold plan explain: ${err.message}\n`));
        return 2;
      }
      // A plan the server has never seen has no history yet.
      answer = {
        plan: result.plan.launch,
        version: 0,
        launches: [],
        unitsPerMinute: null,
        kpis: [],
      };
    }
    history = historyEstimates(
      result.plan,
      answer,
      { traffic: lastValue(parsed, 'traffic'), baselines: parsed.values.get('baseline') ?? [] },
      'plan explain',
    );
  } else if (parsed.values.has('traffic') || parsed.values.has('baseline')) {
    io.stderr.write(
      'threshold plan explain: --traffic and --baseline override the history of past launches: give --server too\n',
    );
    return 2;
  }
  io.stdout.write(
    json
      ? `${JSON.stringify({ valid: true, file, ...summary, ...(history === undefined ? {} : { history }) }, null, 2)}\n`
      : terminalSafe(
          history === undefined
            ? renderExplain(summary)
            : `${renderExplain(summary)}\n${renderHistory(result.plan, history).join('\n')}\n`,
        ),
  );
  return 0;
}
