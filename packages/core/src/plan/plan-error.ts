/** One problem in a plan, pointing at the YAML node that causes it. */
export interface PlanError {
  file: string;
  /** 1-based line and column of the offending node. */
  line: number;
  col: number;
  /** Where in the plan, e.g. `phases[1].traffic`; "" for the whole document. */
  path: string;
  message: string;
}

/** A path segment: an object key or an array index. */
export type PlanPath = readonly (string | number)[];

/** `phases[1].traffic`, `kpis.user-impact[0].guard`. */
export function formatPlanPath(path: PlanPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** The one-line form every tool prints: `FILE:LINE:COL: path: message`. */
export function formatPlanError(e: PlanError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`;
}
