/**
 * `threshold launch report ID` and `threshold launch review ID`: the launch
 * record. The report is read once as the server's JSON model and laid out here
 * with the server's own renderers, so the file, the API and the dashboard agree.
 */
import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderReportHtml, renderReportMarkdown } from '@threshold/core';
import type { LaunchReport, LaunchReview } from '@threshold/server';
import { lastValue } from '../args.js';
import type { ParsedArgs } from '../args.js';
import type { Io } from '../io.js';
import { terminalSafe } from '../terminal-text.js';
import { UsageError } from '../usage-error.js';
import { callApi } from './launch-http.js';
import type { Connection } from './launch-http.js';

const FORMATS = ['md', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Print or save a launch's report. */
export async function runReport(
  parsed: ParsedArgs,
  conn: Connection,
  io: Io,
  path: string,
): Promise<number> {
  const out = lastValue(parsed, 'out');
  const asked = lastValue(parsed, 'format') ?? (parsed.flags.has('json') ? 'json' : undefined);
  // --out report.html says the format by itself.
  const inferred =
    out === undefined
      ? undefined
      : /\.html?$/i.test(out)
        ? 'html'
        : /\.json$/i.test(out)
          ? 'json'
          : 'md';
  const format = (asked ?? inferred ?? 'md') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(
      `--format must be one of ${FORMATS.join(', ')}, got '${asked ?? ''}'`,
      'launch report',
    );
  const report = await callApi<LaunchReport>(conn, 'GET', `${path}/report`);
  const text =
    format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : format === 'html'
        ? renderReportHtml(report)
        : renderReportMarkdown(report);
  if (out === undefined) {
    // HTML and JSON are for files and programs; Markdown is read in the terminal.
    io.stdout.write(format === 'md' ? terminalSafe(text) : text);
    return 0;
  }
  const file = resolve(io.cwd, out);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, file);
  } catch (e) {
    io.stderr.write(`threshold launch report: cannot write ${out}: ${(e as Error).message}\n`);
    return 2;
  }
  const head = report.audit.head;
  io.stdout.write(
    terminalSafe(
      `wrote the ${format} report of ${report.launch.id} to ${out}\n` +
        `  built from audit head ${head === null ? '(empty)' : `${head.seq}:${head.hash}`}\n`,
    ),
  );
  return 0;
}

/** Record the post-launch review. */
export async function runReview(
  parsed: ParsedArgs,
  conn: Connection,
  io: Io,
  path: string,
): Promise<number> {
  const outcome = lastValue(parsed, 'outcome');
  if (outcome === undefined || outcome.trim() === '')
    throw new UsageError(
      '--outcome is required: what happened, in a few sentences',
      'launch review',
    );
  const materialized = (parsed.values.get('materialized') ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const followUps = (parsed.values.get('follow-up') ?? []).map((v) => {
    const at = v.lastIndexOf('@');
    if (at <= 0 || at === v.length - 1)
      throw new UsageError(
        `--follow-up must be 'WHAT@OWNER', e.g. 'Load-test the ranking service@search-team', got '${v}'`,
        'launch review',
      );
    return { what: v.slice(0, at).trim(), owner: v.slice(at + 1).trim() };
  });
  const res = await callApi<{ review: LaunchReview }>(conn, 'POST', `${path}/review`, {
    json: { outcome, materialized, followUps },
  });
  if (parsed.flags.has('json')) io.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
  else
    io.stdout.write(
      terminalSafe(
        `review of ${parsed.positionals[0] ?? ''} recorded by ${res.review.by} (audit #${res.review.auditSeq}): ` +
          `${res.review.materialized.length === 0 ? 'no risk materialized' : `risks materialized: ${res.review.materialized.join(', ')}`}, ` +
          `${res.review.followUps.length} follow-up${res.review.followUps.length === 1 ? '' : 's'}\n`,
      ),
    );
  return 0;
}
