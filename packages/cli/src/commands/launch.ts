/** `threshold launch …`: the operator's commands, each one HTTP call (or two) to a Threshold server. */
import { didYouMean } from '@threshold/core';
import { lastValue, parseCommandArgs } from '../args.js';
import type { ParsedArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { terminalSafe } from '../terminal-text.js';
import { cannotRead, readPlanFile } from '../read-plan-file.js';
import { UsageError } from '../usage-error.js';
import { ApiCallError, CONNECTION_OPTIONS, callApi, connectionOf } from './launch-http.js';
import type { Connection } from './launch-http.js';
import { formatShare, renderStatus, statusView } from './launch-status.js';
import type { LaunchDetail, LookView } from './launch-status.js';
import { LAUNCH_STATUSES, renderLaunchList } from './launch-list.js';
import { runReport, runReview } from './launch-report.js';
import type { LaunchListEntry } from './launch-list.js';

const SUBCOMMANDS = [
  'start',
  'list',
  'status',
  'pause',
  'resume',
  'rollback',
  'promote',
  'skip',
  'amend',
  'retry',
  'approve',
  'attest',
  'report',
  'review',
] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Exit codes shared with main.ts: 0 ok, 1 refused by the server, 2 usage or unreachable. */
const OK = 0;
const REFUSED = 1;
const USAGE = 2;

interface LaunchSummaryView {
  id: string;
  plan: string;
  planVersion: number;
  status: string;
  phase: string;
  share: number;
  environment?: string;
}

/** Run `threshold launch <subcommand> …`. */
export async function runLaunch(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(helpText('launch') ?? '');
    return OK;
  }
  if (sub === undefined)
    throw new UsageError(`missing subcommand: one of ${SUBCOMMANDS.join(', ')}`, 'launch');
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
    const guess = didYouMean(sub, [...SUBCOMMANDS]);
    const kind = sub.startsWith('-') ? 'option' : 'subcommand';
    throw new UsageError(
      `unknown ${kind} '${sub}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`,
      'launch',
    );
  }
  const name = `launch ${sub}`;
  const parsed = parseCommandArgs(rest, specOf(sub as Subcommand));
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return OK;
  }
  const conn = connectionOf(parsed, io, name);
  try {
    return await run(sub as Subcommand, parsed, conn, io);
  } catch (err) {
    if (!(err instanceof ApiCallError)) throw err;
    io.stderr.write(terminalSafe(`threshold ${name}: ${err.message}\n`));
    for (const e of planErrors(err)) io.stderr.write(terminalSafe(`  ${e}\n`));
    if (err.code === 'NOT_FOUND' && sub !== 'start' && sub !== 'list') {
      const hint = await idHint(conn, parsed.positionals[0] ?? '');
      if (hint !== null) io.stderr.write(terminalSafe(`  ${hint}\n`));
    }
    return err.status === undefined ? USAGE : REFUSED;
  }
}

/**
 * For an unknown launch id: the launches of a plan of that name (people type
 * the plan's name, the id is the name plus a suffix), else the closest id.
 */
async function idHint(conn: Connection, arg: string): Promise<string | null> {
  let launches: LaunchListEntry[];
  try {
    launches = (await callApi<{ launches: LaunchListEntry[] }>(conn, 'GET', '/api/v1/launches'))
      .launches;
  } catch {
    return null;
  }
  const ofPlan = launches.filter((l) => l.plan === arg);
  if (ofPlan.length > 0) {
    const shown = ofPlan
      .slice(0, 5)
      .map((l) => `${l.id} (${l.standing?.label ?? l.status})`)
      .join(', ');
    return `'${arg}' is a plan; its launches, newest first: ${shown}${ofPlan.length > 5 ? `, and ${ofPlan.length - 5} more` : ''} (see 'threshold launch list --plan ${arg}')`;
  }
  const guess = didYouMean(
    arg,
    launches.map((l) => l.id),
  );
  return guess === undefined
    ? "see 'threshold launch list' for the launch ids"
    : `did you mean '${guess}'? (see 'threshold launch list')`;
}

function specOf(sub: Subcommand) {
  const base = { name: `launch ${sub}`, flags: ['json'], positionals: 'one' as const };
  switch (sub) {
    case 'start':
      return { ...base, values: [...CONNECTION_OPTIONS, 'environment'], positionalName: 'PLAN' };
    case 'amend':
      return {
        ...base,
        values: [...CONNECTION_OPTIONS, 'reason', 'version'],
        positionalName: 'ID',
        positionalHint: 'name a launch id',
      };
    case 'list':
      return {
        ...base,
        values: [...CONNECTION_OPTIONS, 'state', 'plan', 'owner', 'environment'],
        positionals: 'none' as const,
      };
    case 'status':
      return {
        ...base,
        values: [...CONNECTION_OPTIONS],
        positionalName: 'ID',
        positionalHint: "name a launch id (see 'threshold launch list')",
      };
    case 'report':
      return {
        ...base,
        values: [...CONNECTION_OPTIONS, 'format', 'out'],
        positionalName: 'ID',
        positionalHint: 'name a launch id',
      };
    case 'review':
      return {
        ...base,
        values: [...CONNECTION_OPTIONS, 'outcome', 'materialized', 'follow-up'],
        positionalName: 'ID',
        positionalHint: 'name a launch id',
      };
    case 'approve':
      return {
        ...base,
        flags: ['json', 'reject'],
        values: [...CONNECTION_OPTIONS, 'role', 'comment'],
        positionalName: 'ID',
        positionalHint: 'name a launch id',
      };
    case 'attest':
      return {
        ...base,
        values: [...CONNECTION_OPTIONS, 'check', 'note', 'link', 'expires'],
        positionalName: 'PLAN',
        positionalHint: 'name a stored plan',
      };
    default:
      return {
        ...base,
        values: [...CONNECTION_OPTIONS, 'reason'],
        positionalName: 'ID',
        positionalHint: 'name a launch id',
      };
  }
}

async function run(sub: Subcommand, parsed: ParsedArgs, conn: Connection, io: Io): Promise<number> {
  const arg = parsed.positionals[0] ?? '';
  const json = parsed.flags.has('json');
  const print = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  // Launch and plan values come from the server: never let them drive the terminal.
  const say = (text: string) => io.stdout.write(terminalSafe(text));
  const path = `/api/v1/launches/${encodeURIComponent(arg)}`;
  switch (sub) {
    case 'start': {
      // The server's body limit decides what it accepts.
      const read = await readPlanFile(arg, io.cwd, Number.POSITIVE_INFINITY);
      if (!read.ok) {
        io.stderr.write(terminalSafe(cannotRead(arg, read.reason)));
        return USAGE;
      }
      const contentType = /\.json$/i.test(arg) ? 'application/json' : 'application/yaml';
      const environment = lastValue(parsed, 'environment');
      const plan = await callApi<{ name: string; version: number; created: boolean }>(
        conn,
        'POST',
        '/api/v1/plans',
        { text: read.source, contentType },
      );
      const started = await callApi<{ launch: LaunchSummaryView; reason: string }>(
        conn,
        'POST',
        '/api/v1/launches',
        {
          json: {
            plan: plan.name,
            version: plan.version,
            ...(environment === undefined ? {} : { environment }),
          },
        },
      );
      if (json) print({ plan, ...started });
      else
        say(
          `plan ${plan.name}@${plan.version} ${plan.created ? 'uploaded' : '(unchanged)'}\n` +
            `launch ${started.launch.id} started: ${started.reason}\n` +
            `follow it: threshold launch status ${started.launch.id}\n`,
        );
      return OK;
    }
    case 'list': {
      const query = new URLSearchParams();
      const statuses: string[] = [];
      const states: string[] = [];
      for (const raw of parsed.values.get('state') ?? [])
        for (const word of raw.split(',').map((w) => w.trim()))
          if (word !== '')
            ((LAUNCH_STATUSES as readonly string[]).includes(word) ? statuses : states).push(word);
      if (statuses.length > 0) query.set('status', statuses.join(','));
      if (states.length > 0) query.set('state', states.join(','));
      const plan = lastValue(parsed, 'plan');
      const owner = lastValue(parsed, 'owner');
      if (plan !== undefined) query.set('plan', plan);
      if (owner !== undefined) query.set('owner', owner);
      const environment = lastValue(parsed, 'environment');
      if (environment !== undefined) query.set('environment', environment);
      const q = query.toString();
      const res = await callApi<{ launches: LaunchListEntry[] }>(
        conn,
        'GET',
        `/api/v1/launches${q === '' ? '' : `?${q}`}`,
      );
      if (json) print(res);
      else say(renderLaunchList(res.launches, q !== ''));
      return OK;
    }
    case 'status': {
      const detail = await callApi<LaunchDetail>(conn, 'GET', path);
      const looks = await callApi<{ looks: LookView[] }>(conn, 'GET', `${path}/looks?limit=1`);
      const view = statusView(detail, looks.looks.at(-1) ?? null, Date.now());
      if (json) print(view);
      else say(renderStatus(view, Date.now()));
      return OK;
    }
    case 'report':
      return runReport(parsed, conn, io, path);
    case 'review':
      return runReview(parsed, conn, io, path);
    case 'pause':
    case 'resume':
    case 'rollback':
    case 'promote':
    case 'skip':
    case 'amend':
    case 'retry': {
      const reason = lastValue(parsed, 'reason');
      if (reason === undefined || reason.trim() === '')
        throw new UsageError(
          `--reason is required: say why, in a sentence (it goes into the launch record)`,
          `launch ${sub}`,
        );
      let body: Record<string, unknown> = { reason };
      if (sub === 'amend') {
        const version = Number(lastValue(parsed, 'version'));
        if (!Number.isInteger(version) || version < 1)
          throw new UsageError(
            '--version is required: the uploaded plan version to run, e.g. --version 3',
            'launch amend',
          );
        body = { version, reason };
      }
      const res = await callApi<{
        launch: LaunchSummaryView;
        decision?: { reason?: string };
        lineage?: { id: string; attempt: number }[];
      }>(conn, 'POST', `${path}/${sub}`, { json: body });
      if (json) print(res);
      else {
        const l = res.launch;
        const attempt =
          res.lineage === undefined
            ? ''
            : `, attempt ${res.lineage.at(-1)?.attempt ?? '?'} of ${res.lineage.map((a) => a.id).join(' → ')}`;
        say(
          `launch ${l.id}: ${l.status} (phase ${l.phase || '–'} at ${formatShare(l.share)}${sub === 'amend' ? `, plan version ${l.planVersion}` : ''}${attempt})\n` +
            (res.decision?.reason === undefined ? '' : `${res.decision.reason}\n`),
        );
      }
      return OK;
    }
    case 'attest': {
      const check = lastValue(parsed, 'check');
      const note = lastValue(parsed, 'note');
      if (check === undefined)
        throw new UsageError(
          "--check is required: the check's text as in the plan",
          'launch attest',
        );
      if (note === undefined)
        throw new UsageError('--note is required: what shows the check is done', 'launch attest');
      const link = lastValue(parsed, 'link');
      const expiresAt = lastValue(parsed, 'expires');
      const res = await callApi<{
        attestation: { actor: string; role: string; expiresAt: string };
        checks: {
          check: string;
          owner: string;
          blocking: boolean;
          status: string;
          attestation: { actor: string; expiresAt: string } | null;
        }[];
      }>(conn, 'POST', `/api/v1/plans/${encodeURIComponent(arg)}/readiness`, {
        json: {
          check,
          note,
          ...(link === undefined ? {} : { link }),
          ...(expiresAt === undefined ? {} : { expiresAt }),
        },
      });
      if (json) print(res);
      else {
        const a = res.attestation;
        say(`${a.actor} attested "${check}" as ${a.role} until ${a.expiresAt}\n`);
        for (const c of res.checks)
          say(
            `  ${c.status === 'attested' ? '✓' : c.blocking ? '✗' : '·'} ${c.check} (${c.owner}${c.blocking ? '' : ', advisory'}): ${c.status}` +
              `${c.attestation === null ? '' : ` by ${c.attestation.actor} until ${c.attestation.expiresAt}`}\n`,
          );
      }
      return OK;
    }
    case 'approve': {
      const role = lastValue(parsed, 'role');
      if (role === undefined)
        throw new UsageError('--role is required, e.g. --role product', 'launch approve');
      const decision = parsed.flags.has('reject') ? 'reject' : 'approve';
      const comment = lastValue(parsed, 'comment');
      const res = await callApi<{
        approval: { phase: string; role: string; decision: string; actor: string };
        signoffs: { role?: unknown; quorum?: unknown; approvedBy?: unknown; phase?: unknown }[];
      }>(conn, 'POST', `${path}/approvals`, {
        json: { role, decision, ...(comment === undefined ? {} : { comment }) },
      });
      if (json) print(res);
      else {
        const a = res.approval;
        const progress = res.signoffs
          .map(
            (s) =>
              `${String(s.role)} ${Array.isArray(s.approvedBy) ? s.approvedBy.length : 0}/${String(s.quorum)}`,
          )
          .join(', ');
        say(
          `${a.actor} ${a.decision === 'approve' ? 'approved' : 'rejected'} as ${a.role} for ${a.phase === '*' ? 'the launch' : `phase ${a.phase}`}` +
            `${progress === '' ? '' : `; sign-off now ${progress}`}\n`,
        );
      }
      return OK;
    }
  }
}

/** A refused plan's problems, one line each (PLAN_INVALID details). */
function planErrors(err: ApiCallError): string[] {
  if (err.code !== 'PLAN_INVALID') return [];
  const errors = (err.details as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((e: { line?: number; column?: number; path?: string; message?: string }) => {
    const at = e.line === undefined ? '' : `${e.line}:${e.column ?? 1}: `;
    return `${at}${e.path === undefined || e.path === '' ? '' : `${e.path}: `}${e.message ?? ''}`;
  });
}
