/**
 * The launch record (issue 18): a launch's report as JSON (the one model),
 * Markdown and self-contained HTML laid out from it, and the owner's review
 * after the launch ends.
 */
import type { Context } from 'hono';
import { renderReportHtml, renderReportMarkdown } from '@threshold/core';
import { z } from 'zod';
import { pathName } from '../http/common-schemas.js';
import { notFound } from '../http/http-error.js';
import type { AppEnv } from '../http/app-env.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { buildLaunchReport } from '../launches/build-launch-report.js';
import { launchReportSchema, reviewSchema } from '../launches/launch-report-schema.js';
import type { LaunchReport } from '../launches/launch-report-schema.js';
import { recordReview, reviewBody } from '../launches/launch-review.js';

const idParams = z.object({ id: pathName });

/** The report of launch `id` as of now. */
async function reportOf(ctx: RouteContext, c: Context<AppEnv>): Promise<LaunchReport> {
  const { id } = validateInput(idParams, c.req.param(), 'path');
  const launch = await ctx.store.getLaunch(id);
  if (launch === undefined) throw notFound('launch', id);
  const events = await ctx.store.listLaunchEvents(id);
  const reading = await ctx.launches.read(launch, events);
  if (reading === undefined) throw new Error(`launch ${id} refers to a missing plan version`);
  return buildLaunchReport({
    store: ctx.store,
    reading,
    events,
    now: ctx.now(),
    serverUrl: new URL(c.req.url).origin,
  });
}

/** The report and review routes. */
export function reportRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/launches/:id/report',
      access: 'viewer',
      tag: 'launches',
      summary:
        "A launch's report: plan and diff, timeline, decisions with evidence, sign-offs, readiness, notifications, KPIs, review, audit head",
      params: idParams,
      responses: { 200: { description: 'The report.', schema: launchReportSchema } },
      errors: ['NOT_FOUND'],
      handler: async (c) => c.json(await reportOf(ctx, c)),
    },
    {
      method: 'get',
      path: '/api/v1/launches/:id/report/markdown',
      access: 'viewer',
      tag: 'launches',
      summary: "A launch's report as Markdown (laid out from the JSON report)",
      params: idParams,
      responses: {
        200: { description: 'The report.', contentType: 'text/markdown; charset=utf-8' },
      },
      errors: ['NOT_FOUND'],
      handler: async (c) => {
        const md = renderReportMarkdown(await reportOf(ctx, c));
        return c.body(md, 200, { 'content-type': 'text/markdown; charset=utf-8' });
      },
    },
    {
      method: 'get',
      path: '/api/v1/launches/:id/report/html',
      access: 'viewer',
      tag: 'launches',
      summary: "A launch's report as one self-contained HTML page with inline SVG charts",
      params: idParams,
      responses: { 200: { description: 'The report.', contentType: 'text/html; charset=utf-8' } },
      errors: ['NOT_FOUND'],
      handler: async (c) => {
        const html = renderReportHtml(await reportOf(ctx, c));
        return c.body(html, 200, {
          'content-type': 'text/html; charset=utf-8',
          // Self-contained: its own styles, no script, nothing fetched.
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        });
      },
    },
    {
      method: 'post',
      path: '/api/v1/launches/:id/review',
      access: 'operator',
      tag: 'launches',
      summary:
        'Record the post-launch review: outcome, risks that materialized, follow-ups with owners',
      params: idParams,
      body: { required: true, content: { 'application/json': reviewBody } },
      responses: {
        201: {
          description: 'The review, as the launch log and the audit chain record it.',
          schema: z.object({ review: reviewSchema }),
        },
        409: { description: 'INVALID_TRANSITION: the launch has not ended.' },
      },
      errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'INVALID_TRANSITION', 'CONFLICT'],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const body = validateInput(reviewBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const review = await recordReview(ctx.store, id, c.get('principal').name, body);
        if (review === undefined) throw notFound('launch', id);
        ctx.hub.changed();
        return c.json({ review }, 201);
      },
    },
  ];
}
