/**
 * Refuse a plan the server's metric sources or traffic routers cannot serve (a
 * source or router not configured, a query the engine does not parse, a backend
 * the router lacks, a share it cannot set), with every problem at its plan
 * field's line and column, as PLAN_INVALID like any other plan problem.
 */
import { formatPlanPath, locatePlanPath } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { HttpError } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';

/** Throws PLAN_INVALID (422) when the plan's sources are not usable here. */
export async function checkPlanSources(
  ctx: RouteContext,
  plan: Plan,
  source: string,
): Promise<void> {
  const [sourceProblems, routerProblems] = await Promise.all([
    ctx.sources.checkPlan(plan),
    ctx.routers.checkPlan(plan),
  ]);
  const problems = [...sourceProblems, ...routerProblems];
  if (problems.length === 0) return;
  const errors = problems
    .map((p) => {
      const { line, col } = locatePlanPath(source, p.path);
      return { path: formatPlanPath(p.path), line, column: col, message: p.message };
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
  const first = errors[0];
  const where =
    first === undefined ? '' : `line ${first.line}, column ${first.column}: ${first.path}: `;
  throw new HttpError(
    'PLAN_INVALID',
    `the plan cannot run on this server: ${errors.length} problem${errors.length === 1 ? '' : 's'} with its ${what(sourceProblems.length, routerProblems.length)}; first: ${where}${first?.message ?? ''}`,
    { errors },
  );
}

function what(sources: number, routers: number): string {
  if (routers === 0) return 'metric sources';
  return sources === 0 ? 'traffic router' : 'metric sources and traffic router';
}
