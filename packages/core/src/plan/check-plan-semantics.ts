/**
 * Rules that need the whole plan: phase order, unique ids, references between
 * sections. They read the raw document defensively so that one run reports
 * these problems alongside shape errors, instead of hiding them until the
 * shape is fixed.
 */
import { didYouMeanSuffix } from '../text/did-you-mean.js';
import type { PlanIssue } from './issue-message.js';
import { KPI_CATEGORIES } from './kpi-schema.js';
import type { PlanPath } from './plan-error.js';
import { formatPlanPath } from './plan-error.js';
import { formatShare, parseDuration, parseShare } from './quantities.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A reference to a sign-off role somewhere in the plan. */
interface RoleUse {
  role: string;
  path: PlanPath;
}

/** Semantic problems of a raw plan document (as parsed from YAML). */
export function checkPlanSemantics(raw: unknown): PlanIssue[] {
  if (!isObj(raw)) return [];
  const issues: PlanIssue[] = [];
  const roleUses: RoleUse[] = [];
  checkPhases(raw, issues, roleUses);
  const kpiNames = checkKpis(raw, issues, roleUses);
  checkRisks(raw, kpiNames, issues, roleUses);
  checkRoles(raw, roleUses, issues);
  checkRouter(raw, issues);
  return issues;
}

function checkPhases(raw: Obj, issues: PlanIssue[], roleUses: RoleUse[]): void {
  const phases = list(raw['phases']);
  const names = new Map<string, number>();
  let previous: { share: number; index: number } | undefined;
  phases.forEach((phase, i) => {
    if (!isObj(phase)) return;
    const name = str(phase['name']);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        issues.push({
          path: ['phases', i, 'name'],
          message: `duplicate phase name '${name}' (also phases[${first}])`,
        });
      } else names.set(name, i);
    }
    const share = parseShare(phase['traffic']);
    if (share.ok) {
      if (previous !== undefined && share.value <= previous.share) {
        issues.push({
          path: ['phases', i, 'traffic'],
          message: `traffic must increase from phase to phase: ${formatShare(share.value)} is not above phases[${previous.index}]'s ${formatShare(previous.share)}`,
        });
      }
      previous = { share: share.value, index: i };
      if (i === phases.length - 1 && share.value < 1) {
        issues.push({
          path: ['phases', i, 'traffic'],
          message: `the last phase must be at 100% (got ${formatShare(share.value)}): a launch ends fully live`,
        });
      }
      // On the last phase the "must be at 100%" error already says what is wrong.
      if (phase['bake'] !== undefined && share.value < 1 && i < phases.length - 1) {
        issues.push({
          path: ['phases', i, 'bake'],
          message: 'bake is only for the last phase, at 100%',
        });
      }
    }
    const signoff = phase['signoff'];
    const roles = Array.isArray(signoff) ? signoff : isObj(signoff) ? list(signoff['roles']) : [];
    const base: PlanPath = Array.isArray(signoff)
      ? ['phases', i, 'signoff']
      : ['phases', i, 'signoff', 'roles'];
    roles.forEach((r, j) => {
      if (typeof r === 'string') roleUses.push({ role: r, path: [...base, j] });
    });
  });
}

function askRoles(actions: unknown, path: PlanPath, roleUses: RoleUse[]): void {
  const items = Array.isArray(actions)
    ? actions.map((a, i) => [a, [...path, i]] as const)
    : [[actions, path] as const];
  for (const [a, p] of items) {
    if (!isObj(a)) continue;
    list(a['ask']).forEach((r, j) => {
      if (typeof r === 'string') roleUses.push({ role: r, path: [...p, 'ask', j] });
    });
  }
}

function checkKpis(raw: Obj, issues: PlanIssue[], roleUses: RoleUse[]): Set<string> {
  const names = new Map<string, string>();
  const kpis = raw['kpis'];
  if (!isObj(kpis)) return new Set();
  let count = 0;
  const noControl = everyPhaseAt100(raw);
  // Document order, so that the first occurrence in the file is the original.
  const categories = Object.keys(kpis).filter((k): k is (typeof KPI_CATEGORIES)[number] =>
    (KPI_CATEGORIES as readonly string[]).includes(k),
  );
  for (const category of categories) {
    list(kpis[category]).forEach((k, i) => {
      count++;
      if (!isObj(k)) return;
      const name = str(k['name']);
      const path: PlanPath = ['kpis', category, i];
      if (name !== undefined) {
        const first = names.get(name);
        if (first !== undefined) {
          issues.push({
            path: [...path, 'name'],
            message: `duplicate KPI name '${name}' (also ${first})`,
          });
        } else names.set(name, formatPlanPath(path));
      }
      askRoles(k['on_breach'], [...path, 'on_breach'], roleUses);
      askRoles(k['on_insufficient'], [...path, 'on_insufficient'], roleUses);
      const window = parseDuration(k['window']);
      if (k['window'] !== undefined && window.ok && window.value === 0) {
        issues.push({ path: [...path, 'window'], message: 'window must be longer than 0s' });
      }
      const guard = k['guard'];
      const compares = isObj(guard) && COMPARISONS.some((key) => guard[key] !== undefined);
      if (noControl && compares) {
        issues.push({
          path: [...path, 'guard'],
          message:
            'a comparison needs a control arm, and every phase of this plan is at 100%: there is no control arm and no earlier phase whose control could be the baseline, so nothing would be checked. Add a phase below 100% before it (its control arm becomes the baseline of the 100% phase) or guard this KPI with hard limits (max, min)',
        });
      }
    });
  }
  if (count === 0) {
    issues.push({
      path: ['kpis'],
      message: `the KPI matrix is empty: add at least one KPI under ${KPI_CATEGORIES.join(', ')} to guard the launch`,
    });
  }
  return new Set(names.keys());
}

const COMPARISONS = ['max_increase', 'max_decrease', 'max_increase_abs', 'max_decrease_abs'];

/** Whether the plan has phases and all of them are at 100% (no control arm anywhere). */
function everyPhaseAt100(raw: Obj): boolean {
  const phases = list(raw['phases']);
  return (
    phases.length > 0 &&
    phases.every((p) => {
      if (!isObj(p)) return false;
      const share = parseShare(p['traffic']);
      return share.ok && share.value >= 1;
    })
  );
}

function checkRisks(
  raw: Obj,
  kpiNames: Set<string>,
  issues: PlanIssue[],
  roleUses: RoleUse[],
): void {
  const ids = new Map<string, number>();
  list(raw['risks']).forEach((risk, i) => {
    if (!isObj(risk)) return;
    const id = str(risk['id']);
    if (id !== undefined) {
      const first = ids.get(id);
      if (first !== undefined) {
        issues.push({
          path: ['risks', i, 'id'],
          message: `duplicate risk id '${id}' (also risks[${first}])`,
        });
      } else ids.set(id, i);
    }
    list(risk['watch']).forEach((name, j) => {
      if (typeof name === 'string' && !kpiNames.has(name)) {
        issues.push({
          path: ['risks', i, 'watch', j],
          message: `risk watches unknown KPI '${name}'${didYouMeanSuffix(name, kpiNames)}`,
        });
      }
    });
    askRoles(risk['contingency'], ['risks', i, 'contingency'], roleUses);
  });
}

function checkRoles(raw: Obj, roleUses: RoleUse[], issues: PlanIssue[]): void {
  const signoff = raw['signoff'];
  const policyRoles =
    isObj(signoff) && isObj(signoff['roles']) ? Object.keys(signoff['roles']) : undefined;
  for (const use of roleUses) {
    if (policyRoles === undefined) {
      issues.push({
        path: use.path,
        message: `role '${use.role}' needs a sign-off policy: add signoff: { roles: { ${use.role}: 1 } }`,
      });
    } else if (!policyRoles.includes(use.role)) {
      const known =
        policyRoles.length > 0 ? `roles: ${policyRoles.join(', ')}` : 'it names no roles';
      issues.push({
        path: use.path,
        message: `role '${use.role}' is not in the sign-off policy${didYouMeanSuffix(use.role, policyRoles)} (${known})`,
      });
    }
  }
}

/**
 * With a router, the router (not the SDKs) decides which version serves each
 * request, by weight: nothing that assumes SDK assignment of units may be
 * accepted, because it would not act (ADR 0025).
 */
function checkRouter(raw: Obj, issues: PlanIssue[]): void {
  if (!isObj(raw['router'])) return;
  if (raw['control'] === 'holdout')
    issues.push({
      path: ['control'],
      message:
        'a router splits requests between two versions by weight, so it cannot keep a holdout: use control: rest (the current version serves the rest)',
    });
  list(raw['phases']).forEach((phase, i) => {
    if (!isObj(phase)) return;
    if (list(phase['audience']).length > 0)
      issues.push({
        path: ['phases', i, 'audience'],
        message:
          'an audience is evaluated by the SDKs; a router splits requests by weight alone, so it would not act: remove it, or launch through the SDK without router:',
      });
    const minUnits = phase['min_units'];
    if (typeof minUnits === 'number' && minUnits > 0)
      issues.push({
        path: ['phases', i, 'min_units'],
        message:
          'a router counts requests, not units, so no unit count could ever reach this: leave min_units out (it is 0 with a router) and gate the phase with min_duration',
      });
  });
  const kpis = raw['kpis'];
  if (!isObj(kpis)) return;
  for (const category of KPI_CATEGORIES) {
    list(kpis[category]).forEach((k, i) => {
      if (!isObj(k)) return;
      const source = k['source'] ?? 'events';
      if (source === 'prometheus') return;
      issues.push({
        path: k['source'] === undefined ? ['kpis', category, i] : ['kpis', category, i, 'source'],
        message: `with a router, evidence is per request from the metrics engine: source ${String(source)} assumes units the SDKs assigned to an arm, but the router assigns requests; read this KPI from source: prometheus`,
      });
    });
  }
}
