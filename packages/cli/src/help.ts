/** Help texts: `threshold --help`, `threshold help <command>`, `threshold <command> --help`. */

export const EXIT_CODES = `Exit codes:
  0  success: every plan is valid
  1  a plan is invalid (the problems are printed)
  2  usage error, or a file could not be read
  3  internal error: a bug in threshold (please report it)
`;

const MAIN = `threshold: launch control plane. Plans as code, checked before they run.

Usage:
  threshold validate PLAN... [--json]    Check launch plans and report every problem
  threshold plan explain PLAN [--json]   Summarize a plan: phases, KPIs, risks, sign-off, readiness
  threshold plan schema                  Print the launch plan's JSON Schema
  threshold start                        Start the server (not in this version yet)
  threshold help [COMMAND]               Show help for a command

Options:
  -h, --help     Show help
  --version      Print the version

${EXIT_CODES}`;

const VALIDATE = `Usage: threshold validate PLAN... [--json]

Check one or more launch plans and report every problem in one run, one line
each, pointing at the offending YAML node:

  FILE:LINE:COL: path: message

Problem lines go to stdout; a one-line summary goes to stderr.

Options:
  --json         Print { "valid": bool, "errors": [{ "file", "line", "col",
                 "path", "message" }] } instead (all files merged)
  -h, --help     Show this help

${EXIT_CODES}`;

const PLAN = `Usage: threshold plan <explain|schema>

  threshold plan explain PLAN [--json]   Summarize a plan: phases, KPIs, risks, sign-off, readiness
  threshold plan schema                  Print the launch plan's JSON Schema

Run 'threshold help plan explain' or 'threshold help plan schema' for details.
`;

const EXPLAIN = `Usage: threshold plan explain PLAN [--json]

Print a readable summary of a valid plan: the header, the phases with their
traffic shares and the minimum time to 100%, the KPI matrix by category with
each guard in words, the risk register as a 5x5 likelihood x impact grid, who
must sign off what, and the readiness checklist. An invalid plan prints its
problems (as 'threshold validate' does) on stderr and exits 1.

Options:
  --json         Print the same summary as structured data
  -h, --help     Show this help

${EXIT_CODES}`;

const SCHEMA = `Usage: threshold plan schema

Print the JSON Schema (draft 2020-12) of a launch plan, the form authors write.
The same schema is committed at schema/plan.schema.json; regenerate it with
'npm run schema'. Editors can use it for completion, e.g. in VS Code's YAML
extension: # yaml-language-server: $schema=../schema/plan.schema.json

Options:
  -h, --help     Show this help
`;

const START = `Usage: threshold start

Start the Threshold server. The server is not part of this version yet; today
'threshold start' only says so and exits 0.

Options:
  -h, --help     Show this help
`;

const TOPICS: Record<string, string> = {
  '': MAIN,
  validate: VALIDATE,
  plan: PLAN,
  'plan explain': EXPLAIN,
  'plan schema': SCHEMA,
  start: START,
  help: MAIN,
};

/** Help text for a command ("" for the overview), or undefined if there is no such command. */
export function helpText(command: string): string | undefined {
  return TOPICS[command];
}

/** Every command name help knows, for "did you mean". */
export const COMMAND_NAMES = ['validate', 'plan', 'plan explain', 'plan schema', 'start', 'help'];
