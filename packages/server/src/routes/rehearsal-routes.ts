/**
 * `POST /api/v1/rehearsals`: rehearse a plan (a stored version, or YAML sent
 * along) against a history CSV or a synthetic traffic profile with core's
 * engine — the same decide() as live launches — and answer its report. A
 * rehearsal changes nothing about launches, so a viewer may run one; one of a
 * stored plan version is recorded with the plan (compact: each scenario's ends)
 * and in the audit chain, so a launch's report can show it (ADR 0041).
 */
import {
  KPI_CATEGORIES,
  checkBaseline,
  parseHistory,
  parseInjection,
  REHEARSAL_DEFAULTS,
} from '@threshold/core';
import type { Injection, Plan, RehearsalReport, TrafficProfile } from '@threshold/core';
import { z } from 'zod';
import { environmentName, pathName, positiveInt, positiveIntText } from '../http/common-schemas.js';
import { environmentNamed } from '../environments/promotion-check.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { PLAN_INVALID_RESPONSE, validatePlanSource } from './validate-plan-source.js';
import { RehearsalPoolFullError } from '../workers/rehearsal-pool.js';
import { rehearsalScenarios, rehearsalSettings } from '../launches/rehearsal-record.js';
import type { Principal } from '../http/app-env.js';
import type { RehearsalInput, RehearsalJobOptions } from '../workers/rehearsal-pool.js';

/**
 * At most this many simulated launches over all scenarios per request. Rehearsals
 * run on the worker pool (never on the event loop), so the bound is about how
 * long one request may hold a thread, not about blocking the server.
 */
export const MAX_SIMULATED_LAUNCHES = 10_000;
/** Histories are larger than plans: a week of per-minute rows is about 1 MB. */
const MAX_REHEARSAL_BODY_BYTES = 8 * 1024 * 1024;

const rehearsalBody = z
  .object({
    plan: z
      .object({
        name: pathName,
        version: positiveInt.optional(),
      })
      .optional()
      .meta({ description: 'A stored plan version (default its latest).' }),
    planSource: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Or a plan as YAML/JSON text, not stored.' }),
    history: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'History CSV (see examples/history/); or give `profile`.' }),
    profile: z
      .object({
        unitsPerMinute: z.number().positive(),
        diurnal: z.boolean().optional(),
        durationMs: z.number().int().positive().optional(),
        baselines: z
          .record(z.string(), z.object({ value: z.number(), sd: z.number().min(0).optional() }))
          .optional()
          .meta({
            description:
              "Each named KPI's level (and spread), e.g. from GET /api/v1/plans/{name}/history; others get defaults by kind.",
          }),
      })
      .optional()
      .meta({ description: 'Synthetic traffic when there is no history.' }),
    injections: z
      .array(z.string().min(1))
      .max(20, { error: 'at most 20 injections' })
      .default([])
      .meta({ description: 'Regressions, one scenario each: KPI=+10%[@phase][,KPI=…].' }),
    runs: z.number().int().min(1).max(MAX_SIMULATED_LAUNCHES).default(200),
    seed: z.number().int().default(REHEARSAL_DEFAULTS.seed),
    lookIntervalMs: z.number().int().min(1000).optional(),
    environment: environmentName.optional().meta({
      description:
        "Rehearse under this environment's time rules (freeze windows, allowed hours), at the history's times.",
    }),
  })
  .refine((b) => (b.plan === undefined) !== (b.planSource === undefined), {
    error: 'give either plan (a stored version) or planSource (YAML text)',
    path: ['plan'],
  })
  .refine((b) => (b.history === undefined) !== (b.profile === undefined), {
    error: 'give either history (CSV text) or profile (synthetic traffic)',
    path: ['history'],
  });

const listParams = z.object({ name: pathName });
const listQuery = z.object({
  version: positiveIntText.optional().meta({ description: 'Only rehearsals of this version.' }),
});
const shareSchema = z.object({ rate: z.number(), low: z.number(), high: z.number() });
const rehearsalRecordSchema = z
  .object({
    id: z.number().int(),
    planName: z.string(),
    planVersion: z.number().int(),
    actor: z.string(),
    subject: z.string().nullable(),
    at: z.string(),
    settings: z.object({
      source: z.enum(['history', 'synthetic']),
      runs: z.number().int(),
      seed: z.number().int(),
      lookIntervalMs: z.number().int(),
      unitsPerMinute: z.number(),
      environment: z.string().nullable(),
      via: z.enum(['api', 'cli']),
    }),
    scenarios: z.array(
      z.object({
        label: z.string(),
        effects: z.array(
          z.object({
            kpi: z.string(),
            size: z.number(),
            relative: z.boolean(),
            fromPhase: z.string().nullable(),
          }),
        ),
        runs: z.number().int(),
        caught: shareSchema,
        stoppedForNothing: shareSchema,
        shipped: shareSchema,
        stalled: shareSchema,
      }),
    ),
    auditSeq: z.number().int().nullable(),
  })
  .meta({ title: 'RehearsalRecord' });

/** The streamed answer's media type: one JSON object per line. */
const NDJSON = 'application/x-ndjson';
/** Least time between two streamed progress lines. */
const PROGRESS_EVERY_MS = 250;

/** The engine's RangeError (an invalid option) and a full pool as the API's errors; anything else as is. */
function httpErrorOf(err: unknown): unknown {
  if (err instanceof RangeError)
    return new HttpError('VALIDATION_FAILED', `body: ${err.message}`, {
      errors: [{ path: 'body', message: err.message }],
    });
  if (err instanceof RehearsalPoolFullError)
    return new HttpError('RATE_LIMITED', err.message, { limit: err.limit });
  return err;
}

/** Start a rehearsal on the pool; what it refuses up front throws as an HttpError (before any byte is sent). */
function start(
  ctx: RouteContext,
  input: RehearsalInput,
  options: RehearsalJobOptions,
): Promise<RehearsalReport> {
  try {
    return ctx.rehearsals.start(input, options);
  } catch (err) {
    throw httpErrorOf(err);
  }
}

/** An error after the stream began: its last line. */
function streamError(err: unknown): { code: string; message: string } {
  const e = httpErrorOf(err);
  if (e instanceof HttpError) return { code: e.value.code, message: e.value.message };
  if (e instanceof Error && e.name === 'AbortError')
    return { code: 'CANCELLED', message: e.message };
  return { code: 'INTERNAL', message: 'the rehearsal failed' };
}

/** An NDJSON answer: lines as they come (progress, partial reports), then the last one. */
function streamLines(
  bind: (send: (line: Record<string, unknown>) => void) => void,
  last: Promise<Record<string, unknown>>,
  cancel: () => void,
): Response {
  const encoder = new TextEncoder();
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (line: Record<string, unknown>) => {
        if (open) controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      };
      bind(send);
      void last.then((line) => {
        // After cancel() the stream is closed already: nothing more to say.
        if (!open) return;
        send(line);
        open = false;
        controller.close();
      });
    },
    cancel() {
      open = false;
      cancel();
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { 'content-type': `${NDJSON}; charset=utf-8`, 'cache-control': 'no-store' },
  });
}

/** Keep a finished rehearsal of a stored plan version, with its audit entry, in one transaction. */
export async function recordRehearsal(
  ctx: RouteContext,
  principal: Principal,
  plan: { name: string; version: number },
  report: RehearsalReport,
  environment: string | null,
): Promise<number> {
  return ctx.store.transaction(async (tx) => {
    const scenarios = rehearsalScenarios(report);
    const settings = rehearsalSettings(report, environment, 'api');
    const entry = await tx.appendAudit({
      actor: principal.name,
      action: 'rehearsal.recorded',
      subject: `plan:${plan.name}`,
      data: {
        version: plan.version,
        ...settings,
        scenarios: scenarios.map((s) => ({
          label: s.label,
          runs: s.runs,
          shipped: s.shipped.rate,
          caught: s.caught.rate,
        })),
        ...(principal.subject === null ? {} : { person: principal.subject }),
      },
    });
    const made = await tx.addRehearsal({
      planName: plan.name,
      planVersion: plan.version,
      actor: principal.name,
      subject: principal.subject,
      settings,
      scenarios,
      auditSeq: entry.seq,
    });
    return made.id;
  });
}

/** The rehearsal route. */
export function rehearsalRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/plans/:name/rehearsals',
      access: 'viewer',
      tag: 'rehearsals',
      summary:
        "The plan's recorded rehearsals (of stored versions), oldest first: each scenario's ends with intervals",
      params: listParams,
      query: listQuery,
      responses: {
        200: {
          description: 'The recorded rehearsals.',
          schema: z.object({ rehearsals: z.array(rehearsalRecordSchema) }),
        },
      },
      errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
      handler: async (c) => {
        const { name } = validateInput(listParams, c.req.param(), 'path');
        const q = validateInput(listQuery, c.req.query(), 'query');
        if ((await store.getPlanVersion(name)) === undefined) throw notFound('plan', name);
        return c.json({ rehearsals: await store.listRehearsals(name, q.version) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/rehearsals',
      access: 'viewer',
      tag: 'rehearsals',
      summary:
        "Rehearse a plan against a history or a synthetic profile with core's engine; answers the report",
      body: { required: true, content: { 'application/json': rehearsalBody } },
      responses: {
        200: {
          description:
            'The rehearsal report (core RehearsalReport), and where the plan came from. With `Accept: application/x-ndjson`, a stream of JSON lines instead: {type: progress, done, total}, {type: partial, report} (the launches so far), then {type: report, plan, report, recorded} or {type: error, error: {code, message}}; closing the connection cancels the rehearsal.',
          schema: z.object({
            plan: z.object({ name: z.string(), version: z.number().int().nullable() }),
            report: z.record(z.string(), z.unknown()),
            recorded: z.number().int().nullable().meta({
              description:
                'The id of the rehearsal record kept with a stored plan version (GET /api/v1/plans/{name}/rehearsals); null for a plan sent as text.',
            }),
          }),
        },
        422: PLAN_INVALID_RESPONSE,
      },
      errors: [
        'VALIDATION_FAILED',
        'NOT_FOUND',
        'PLAN_INVALID',
        'PAYLOAD_TOO_LARGE',
        'MALFORMED_BODY',
        'RATE_LIMITED',
        'UNKNOWN_ENVIRONMENT',
      ],
      handler: async (c) => {
        const body = validateInput(
          rehearsalBody,
          await readJsonBody(c, MAX_REHEARSAL_BODY_BYTES),
          'body',
        );
        let plan: Plan;
        let version: number | null = null;
        let storedName = '';
        if (body.plan !== undefined) {
          const stored = await store.getPlanVersion(body.plan.name, body.plan.version);
          if (stored === undefined) {
            throw body.plan.version === undefined
              ? notFound('plan', body.plan.name)
              : notFound('plan version', `${body.plan.name}@${body.plan.version}`);
          }
          plan = stored.plan;
          version = stored.version;
          storedName = stored.name;
        } else {
          const source = body.planSource ?? '';
          // The same bound as a plan sent to the plan routes: the body limit here is for histories.
          if (Buffer.byteLength(source) > ctx.maxBodyBytes) {
            const message = `larger than ${ctx.maxBodyBytes} bytes`;
            throw new HttpError('VALIDATION_FAILED', `body.planSource: ${message}`, {
              errors: [{ path: 'body.planSource', message }],
            });
          }
          // Off the event loop, as the plan routes: a hostile plan takes seconds to check.
          plan = await validatePlanSource(ctx, source, 'plan.yaml');
        }

        const injections: Injection[] = [];
        for (const [i, spec] of body.injections.entries()) {
          const r = parseInjection(spec, plan);
          if (!r.ok) {
            throw new HttpError('VALIDATION_FAILED', `body.injections.${i}: ${r.message}`, {
              errors: [{ path: `body.injections.${i}`, message: r.message }],
            });
          }
          injections.push(r.injection);
        }
        const simulated = body.runs * (1 + injections.length);
        if (simulated > MAX_SIMULATED_LAUNCHES) {
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.runs: ${body.runs} runs × ${1 + injections.length} scenarios is ${simulated} simulated launches; at most ${MAX_SIMULATED_LAUNCHES} per request (use the CLI for more)`,
            {
              errors: [
                { path: 'body.runs', message: `at most ${MAX_SIMULATED_LAUNCHES} launches` },
              ],
            },
          );
        }

        const timeRules =
          body.environment === undefined
            ? undefined
            : environmentNamed(ctx.environments, body.environment).timeRules;
        let source;
        if (body.history !== undefined) {
          const parsed = parseHistory(body.history, plan, { file: 'history.csv' });
          if (!parsed.ok) {
            const errors = parsed.errors.map((e) => ({
              path: 'body.history',
              line: e.line,
              column: e.col,
              field: e.column,
              message: e.message,
            }));
            const first = errors[0];
            throw new HttpError(
              'VALIDATION_FAILED',
              `body.history: line ${first?.line ?? 0}, column ${first?.column ?? 0}: ${first?.field === '' || first === undefined ? '' : `${first.field}: `}${first?.message ?? 'invalid'}`,
              { errors },
            );
          }
          source = parsed.history;
        } else {
          const p = body.profile;
          const kpis = KPI_CATEGORIES.flatMap((c) => plan.kpis[c] ?? []);
          for (const [name, b] of Object.entries(p?.baselines ?? {})) {
            const kpi = kpis.find((k) => k.name === name);
            const why =
              kpi === undefined
                ? `the plan has no KPI ${name} (it has ${kpis.map((k) => k.name).join(', ')})`
                : checkBaseline(kpi.kind, b);
            if (why !== undefined)
              throw new HttpError('VALIDATION_FAILED', `body.profile.baselines.${name}: ${why}`, {
                errors: [{ path: `body.profile.baselines.${name}`, message: why }],
              });
          }
          const profile: TrafficProfile = {
            unitsPerMinute: p?.unitsPerMinute ?? 1,
            ...(p?.diurnal === undefined ? {} : { diurnal: p.diurnal }),
            ...(p?.durationMs === undefined ? {} : { durationMs: p.durationMs }),
            ...(p?.baselines === undefined ? {} : { baselines: p.baselines }),
          };
          source = profile;
        }

        const input = {
          plan,
          source,
          options: {
            runs: body.runs,
            seed: body.seed,
            injections,
            ...(body.lookIntervalMs === undefined ? {} : { lookIntervalMs: body.lookIntervalMs }),
            ...(timeRules === undefined ? {} : { timeRules }),
          },
        };
        // Per token: one caller cannot fill the pool; a client that goes away cancels.
        const principal = c.get('principal');
        const scope = principal.tokenId;
        const keep = (report: RehearsalReport): Promise<number | null> =>
          version === null
            ? Promise.resolve(null)
            : recordRehearsal(
                ctx,
                principal,
                { name: storedName, version },
                report,
                body.environment ?? null,
              );
        const cancel = new AbortController();
        const gone = () => cancel.abort();
        c.req.raw.signal.addEventListener('abort', gone, { once: true });
        if ((c.req.header('accept') ?? '').includes(NDJSON)) {
          let send: (line: Record<string, unknown>) => void = () => undefined;
          let shown = 0;
          const running = start(ctx, input, {
            scope,
            signal: cancel.signal,
            onProgress: (done, total) => {
              const now = Date.now();
              if (done < total && now - shown < PROGRESS_EVERY_MS) return;
              shown = now;
              send({ type: 'progress', done, total });
            },
            onPartial: (partial) => send({ type: 'partial', report: partial }),
          });
          return streamLines(
            (line) => (send = line),
            running
              .then(async (report) => ({
                type: 'report',
                plan: { name: plan.launch, version },
                report,
                recorded: await keep(report),
              }))
              .catch((err: unknown) => ({ type: 'error', error: streamError(err) })),
            gone,
          );
        }
        const report = await start(ctx, input, { scope, signal: cancel.signal }).catch(
          (err: unknown) => {
            throw httpErrorOf(err);
          },
        );
        return c.json({
          plan: { name: plan.launch, version },
          report,
          recorded: await keep(report),
        });
      },
    },
  ];
}
