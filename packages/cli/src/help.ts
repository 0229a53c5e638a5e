/** Help texts: `threshold --help`, `threshold help <command>`, `threshold <command> --help`. */
import { LAUNCH_OVERVIEW, LAUNCH_TOPICS } from './commands/launch-help.js';

export const EXIT_CODES = `Exit codes:
  0  success: every plan is valid
  1  a plan is invalid (the problems are printed)
  2  usage error, or a file could not be read
  3  internal error: a bug in threshold (please report it)
`;

const MAIN_EXIT_CODES = `Exit codes:
  0  success
  1  a plan is invalid, or the audit log is broken (the problems are printed);
     launch: the server refused
  2  usage error, or a file, the store or the port could not be opened;
     launch: the server could not be reached
  3  internal error: a bug in threshold (please report it)
`;

const SERVER_EXIT_CODES = `Exit codes:
  0  success
  2  usage error, or the store or port cannot be opened
  3  internal error: a bug in threshold (please report it)
`;

const STORE_OPTIONS = `  --data-dir DIR Folder of the SQLite database (default ./.threshold);
                 THRESHOLD_DATABASE_URL=postgres://... uses PostgreSQL instead`;

const MAIN = `threshold: launch control plane. Plans as code, checked before they run.

Usage:
  threshold validate PLAN... [--json] [--server URL]
                                         Check launch plans and report their problems
  threshold plan explain PLAN [--json]   Summarize a plan: phases, KPIs, risks, sign-off, readiness
  threshold plan schema                  Print the launch plan's JSON Schema
  threshold rehearse PLAN --history FILE [--inject KPI=+10%]...
                                         Replay a plan through history and injected regressions
  threshold serve [--port N] [--data-dir DIR]
                                         Start the server (SQLite in ./.threshold by default)
  threshold token create --scope S...    Create an API token; prints the secret once
  threshold token list | revoke ID       List or revoke API tokens
  threshold audit verify [--json]        Check the audit log's hash chain
  threshold login [--server URL]         Sign in as yourself through the server's OpenID provider
  threshold logout [--server URL]        End that sign-in
${LAUNCH_OVERVIEW}
  threshold start [--port N] [--data-dir DIR]
                                         The demo: two launches with simulated traffic (npm start)
  threshold help [COMMAND]               Show help for a command

Options:
  -h, --help     Show help
  --version      Print the version

${MAIN_EXIT_CODES}`;

const VALIDATE = `Usage: threshold validate PLAN... [--json] [--max-bytes N] [--server URL]
                                [--token TOKEN]

Check one or more launch plans and report their problems in one run, one line
each, pointing at the offending YAML node:

  FILE:LINE:COL: path: message

Up to 100 problems per plan are listed, in source order, then a count of the
rest. Problem lines go to stdout; a one-line summary goes to stderr. Control
characters in plan values are printed as escapes (\\x1b).

With --server, a plan that is valid on its own is also checked by that server
against its metric sources: every KPI's source must be configured there, every
PromQL query must parse (Prometheus' own parser), and every SQL query must plan
with its KPI's columns (PostgreSQL's own parser; no row is read), reported at
the field.

Options:
  --json         Print { "valid": bool, "errors": [{ "file", "line", "col",
                 "path", "message" }], "omittedErrors": N } instead (all
                 files merged; omittedErrors counts the problems not listed)
  --max-bytes N  Refuse plan files larger than N bytes (default 1048576)
  --server URL   Also check against this Threshold server's metric sources
  --token TOKEN  API token for --server (default: THRESHOLD_TOKEN)
  -h, --help     Show this help

${EXIT_CODES}`;

const PLAN = `Usage: threshold plan <explain|schema>

  threshold plan explain PLAN [--json]   Summarize a plan: phases, KPIs, risks, sign-off, readiness
  threshold plan schema                  Print the launch plan's JSON Schema

Run 'threshold help plan explain' or 'threshold help plan schema' for details.
`;

const EXPLAIN = `Usage: threshold plan explain PLAN [--json] [--max-bytes N]
                           [--server URL [--token T] [--launches N] [--traffic R] [--baseline KPI=V~SD]...]

Print a readable summary of a valid plan: the header, the phases with their
traffic shares and the minimum time to 100%, the KPI matrix by category with
each guard in words, the risk register as a 5x5 likelihood x impact grid, who
must sign off what, and the readiness checklist. An invalid plan prints its
problems (as 'threshold validate' does) on stderr and exits 1.

With --server, the estimates use history: what the plan's last N ended
launches on that server measured (each KPI's control-arm baseline and spread
with the same name, kind and source, and the traffic of the first phase with a
control arm), and what each phase then detects with 80% power by the end of
its minimum duration ("canary (5% for 30m): detects error_rate +12%").
--traffic and --baseline override the measured numbers, as in 'threshold
rehearse --traffic'.

Options:
  --json         Print the same summary as structured data
  --max-bytes N  Refuse a plan file larger than N bytes (default 1048576)
  --server URL   Read the history of past launches from this server
  --token T      API token (default: THRESHOLD_TOKEN)
  --launches N   How many ended launches to read (default 3, at most 20)
  --traffic R    Override the measured traffic, e.g. 1200/min
  --baseline S   Override a KPI's baseline, e.g. conversion=3% or order_value=42~30
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

const START = `Usage: threshold start [--port N] [--host H] [--data-dir DIR] [--speed X]

The demo (what 'npm start' runs): Threshold on SQLite at http://localhost:4600
with two demo launches from examples/demo and a traffic simulator that drives
real SDK clients. checkout-v2 walks its phases to 100% in about three minutes;
search-v3 passes its canary, regresses under load at 50% and is rolled back
automatically. Prints the URL, a dashboard sign-in link and tokens, then one
line per decision. Each start replaces the previous run's demo launches.
Ctrl-C stops it.

Options:
  --port N        Port (default 4600; 0 picks a free one)
  --host H        Interface to bind (default 127.0.0.1)
  --data-dir DIR  Folder of the demo's SQLite database (default ./.threshold/demo)
  --speed X       Run X times faster, 1-20 (shorter phases, more users per second)
  -h, --help      Show this help
`;

const SERVE = `Usage: threshold serve [--port N] [--host H] [--data-dir DIR]

Start the Threshold server: the HTTP API (/api/v1), the SDK endpoints (/v1),
/metrics, /healthz and /readyz. With no configuration it keeps its data in
SQLite under ./.threshold (created on first start, migrations applied).
Set THRESHOLD_DATABASE_URL=postgres://... to use PostgreSQL; several servers
on one database serve the same launches.

KPIs beyond the SDK's events read from metric sources configured here:
THRESHOLD_PROMETHEUS_URL, THRESHOLD_SQL_URL (postgres://...) and
THRESHOLD_HTTP_URL (the base url of http KPIs), each with _TIMEOUT,
_BEARER_TOKEN or _USERNAME/_PASSWORD, and _CA_FILE; named sources go in the
JSON file THRESHOLD_SOURCES_FILE.

The first line on stdout is 'Threshold is listening on URL'; JSON logs go to
stderr (THRESHOLD_LOG_LEVEL=debug|info|warn, default info). Ctrl-C (SIGINT) or
SIGTERM stop it cleanly. Requests need a token: create the first one with
'threshold token create --scope admin'.

Options:
  --port N       TCP port (default 4600; 0 picks a free one)
  --host H       Interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
${STORE_OPTIONS}
  -h, --help     Show this help

${SERVER_EXIT_CODES}`;

const TOKEN = `Usage: threshold token <create|list|revoke>

  threshold token create --scope S [--scope S2] [--name N] [--for SUBJECT] [--flags F,...] [--json]
  threshold token list [--json]
  threshold token revoke ID [--json]

Tokens are written to the local store (or THRESHOLD_DATABASE_URL) directly, so
the first admin token can be made before anyone can call the API.
Run 'threshold help token create' for the scopes.
`;

const LOGIN = `Usage: threshold login [--server URL] [--json]

Sign in as yourself through the server's OpenID provider (device
authorization grant): the command prints a code and a link; open the link in
any browser, sign in at the provider and confirm the code. The server then
gives this CLI a session for you (your name, subject and the roles your
groups grant), kept in ~/.config/threshold/credentials.json (XDG_CONFIG_HOME,
or THRESHOLD_CREDENTIALS), readable by you only. The launch commands use it
for that server when no --token or THRESHOLD_TOKEN is given, so approvals
record you, not a token name. API tokens stay for machines.

Options:
  --server URL  The server (default THRESHOLD_URL, else http://localhost:4600)
  --json        Print who signed in as JSON
  -h, --help    Show this help

Exit codes: 0 signed in, 1 refused or expired, 2 usage error.
`;

const LOGOUT = `Usage: threshold logout [--server URL]

End the session 'threshold login' saved for the server (the server forgets it
too) and remove it from the credentials file.

Options:
  --server URL  The server (default THRESHOLD_URL, else http://localhost:4600)
  -h, --help    Show this help
`;

const TOKEN_CREATE = `Usage: threshold token create --scope S [--scope S2] [--name N] [--for SUBJECT]
                              [--flags F1,F2] [--max-units-per-minute N] [--environment E] [--json]
                              [--data-dir DIR]

Create an API token and print its secret (thr_...) once on stdout; only its
sha256 is stored. A note with the name, id and scopes goes to stderr, so
  TOKEN=$(threshold token create --scope sdk --name checkout-web)
captures the secret alone. The token name is the actor in the audit log. The
creation is audited as cli:<user>.

--for SUBJECT names the person the token acts for: their subject at the
OpenID provider (the ID token's sub). Self-approval and sign-off quorums are
decided on the person, so all their tokens and sign-ins count as one
approver, whatever the tokens are called. A token without --for is its own
person, known by its name.

The token is written to the store of the server that will accept it: the
SQLite file in --data-dir (default ./.threshold) or THRESHOLD_DATABASE_URL.
Without --data-dir, a missing store is refused (a token there would reach no
server; the demo's store is .threshold/demo); naming --data-dir creates it.

Scopes:
  sdk              the SDK endpoints only (/v1/config, /v1/stream, /v1/events)
  viewer           read everything, validate plans, /metrics
  operator         viewer + upload plans, start, pause, resume, roll back launches
  admin            operator + tokens + the SDK endpoints (not sign-offs)
  approver:<role>  viewer + approve or reject as <role>, e.g. approver:product

SDK tokens ship in browser bundles: limit each to the flags it serves, e.g.
  threshold token create --scope sdk --name checkout-web --flags checkout-v2,search-v3
Such a token sees only those flags in /v1/config and /v1/stream, its exposures
of other flags are refused, and its events feed only those flags' launches.
New units one token exposes per launch and minute are capped (default 10000);
more are quarantined, never folded. See docs/security.md.

Options:
  --scope S      A scope (repeat for several); at least one
  --name N       Name of the token (default: the first scope and 6 random hex digits)
  --flags F,...  sdk tokens: the flag keys it may see and feed (comma-separated
                 or repeated; default: every flag)
  --max-units-per-minute N
                 sdk tokens: new units per launch and minute it may expose
                 (default 10000); more are quarantined
  --environment E
                 sdk tokens: the environment whose config and launches it sees
                 (default production; see docs/environments.md)
  --json         Print { id, name, scopes, flags, maxUnitsPerMinute, environment,
                 createdAt, revokedAt, token } instead
${STORE_OPTIONS}
  -h, --help     Show this help

${SERVER_EXIT_CODES}`;

const TOKEN_LIST = `Usage: threshold token list [--json] [--data-dir DIR]

List API tokens: id, name, scopes, when created and revoked. Secrets are never
stored, so they cannot be listed.

Options:
  --json         Print { "tokens": [...] } instead
${STORE_OPTIONS}
  -h, --help     Show this help

${SERVER_EXIT_CODES}`;

const TOKEN_REVOKE = `Usage: threshold token revoke ID [--json] [--data-dir DIR]

Revoke a token by id (see 'threshold token list'); requests with it are refused
from now on. The revocation is audited as cli:<user>.

Options:
  --json         Print { "revoked": true, "id" } instead
${STORE_OPTIONS}
  -h, --help     Show this help

${SERVER_EXIT_CODES}`;

const AUDIT = `Usage: threshold audit verify [--json] [--data-dir DIR]
                              [--expect-head SEQ:HASH] [--checkpoint FILE]

Recompute the hash chain of the audit log: every entry's hash covers its
content and the previous entry's hash, so a changed, deleted or reordered
entry breaks the chain from there on. Prints the number of entries verified
and the head (the last entry's SEQ:HASH), or the first broken entry and why.

Deleting entries from the end (or all of them) leaves a shorter chain that is
still consistent: only a head kept outside the database shows it. Every
notification and webhook carries the head (X-Threshold-Audit-Head), /metrics
exposes threshold_audit_head_seq, and this command can check against one.

Options:
  --json                  Print { "ok", "entries", "head": { "seq", "hash" },
                          "firstBroken": { "seq", "reason" } } instead
  --expect-head SEQ:HASH  Fail unless entry SEQ exists with this hash
  --checkpoint FILE       Check against the head saved in FILE (if it exists);
                          when the log is intact, save the current head there
${STORE_OPTIONS}
  -h, --help     Show this help

Exit codes:
  0  the audit log is intact
  1  the audit log is broken (the first broken entry is named)
  2  usage error, or the store cannot be opened
  3  internal error: a bug in threshold (please report it)
`;

const REHEARSE = `Usage: threshold rehearse PLAN (--history FILE | --history prometheus | --history launches | --traffic RATE) [options]

Replay a launch plan many times through history (or synthetic traffic) with the
same guards and decide() as a live launch, on clean history and with injected
regressions, and report: how often clean launches are falsely paused or rolled
back and how long they take to reach 100%; how often each regression is caught,
in which phase, how fast and after how many exposed units; the smallest effect
each phase can detect; and findings in plain words. The history CSV format is
described in docs/rehearsal.md.

What to replay (one of):
  --history FILE          Per-interval history CSV: timestamp, units, KPI columns
  --history prometheus    Pull the plan's Prometheus KPIs with query_range, one
                          row per step, both arms together (docs/rehearsal.md)
    --from D              ...this far back from now, e.g. 7d (required)
    --prometheus URL      ...from this server (default http://127.0.0.1:9090)
    --units-query PROMQL  ...new units per {{interval}}, e.g. requests; or give
                          --traffic RATE for a fixed rate
  --history launches      Synthetic traffic from what the plan's past launches
                          measured on a server: the traffic and each KPI's
                          baseline and spread (GET /api/v1/plans/NAME/history);
                          --traffic and --baseline override them
    --server URL          ...the server (default THRESHOLD_URL); --token T or
                          THRESHOLD_TOKEN
    --launches N          ...its newest N ended launches (default 3, at most 20)
  --traffic RATE          Synthetic traffic instead, e.g. 1200/min or 20/s
    --diurnal             ...with a daily cycle (peak 15:00 UTC, trough 03:00)
    --baseline KPI=VALUE  ...and a KPI's level: conversion=3%, order_value=42~30
                          (mean~sd); unnamed KPIs get defaults by kind

Options:
  --inject SPEC           A regression scenario: KPI=+10% (relative), KPI=+0.02
                          (absolute), KPI=+10%@PHASE (from that phase on); repeat
                          for more scenarios (sizes of one KPI draw a power
                          curve); join with commas for effects that act together
                          check:TEXT[@PHASE] makes a blocking readiness check
                          fail from that phase on (a probe, query or CI result
                          failing, or an attestation lapsing)
  --runs N                Simulated launches per scenario (default 200; the
                          report's intervals say how precise that is; more
                          runs narrow them)
  --seed N                Seed of all randomness (default 1): same seed, same report
  --look-interval D       Time between simulated looks (default 5m; --look is the
                          same); docs/rehearsal.md says why not the live 2s
  --workers N             Threads that simulate (default: every core); the
                          report is the same for any N
  --progress              Progress lines on stderr even when it is not a
                          terminal (a terminal always gets a progress bar)
  --signoff-delay D       Sign-offs and asks are approved D after the request (default 0)
  --max-duration D        Longest simulated launch (default: the history's length)
  --audience PHASE=SHARE  Share of units that match a phase's audience (default 100%)
  --environment NAME      Meet that environment's time rules (freeze windows,
                          allowed hours) at the history's times, as the server
                          does; the report says which applied. Defined as the
                          server reads them: THRESHOLD_ENVIRONMENTS_FILE or
                          THRESHOLD_ENVIRONMENTS (docs/environments.md)
    --environments-file F ...or from this file instead
  --json                  Print the report as JSON (byte-identical for the same seed)
  --html FILE             Also write a self-contained HTML report with a power-curve chart
  --record                Run it on the server (--server URL, default THRESHOLD_URL;
                          --token T) against the stored version equal to PLAN,
                          which records it with the plan and in the audit chain,
                          so launch reports and the portfolio see it; takes
                          --history FILE|launches or --traffic, --inject, --runs,
                          --seed, --look-interval (docs/reports.md)
  --max-bytes N           Refuse a plan file larger than N bytes (default 1048576)
  -h, --help              Show this help

Exit codes:
  0  the rehearsal ran (its findings say what to fix)
  1  the plan or the history is invalid (the problems are printed)
  2  usage error, or a file could not be read or written
  3  internal error: a bug in threshold (please report it)
`;

const TOPICS: Record<string, string> = {
  '': MAIN,
  validate: VALIDATE,
  plan: PLAN,
  'plan explain': EXPLAIN,
  'plan schema': SCHEMA,
  rehearse: REHEARSE,
  start: START,
  ...LAUNCH_TOPICS,
  serve: SERVE,
  token: TOKEN,
  'token create': TOKEN_CREATE,
  'token list': TOKEN_LIST,
  'token revoke': TOKEN_REVOKE,
  audit: AUDIT,
  'audit verify': AUDIT,
  login: LOGIN,
  logout: LOGOUT,
  help: MAIN,
};

/** Help text for a command ("" for the overview), or undefined if there is no such command. */
export function helpText(command: string): string | undefined {
  return TOPICS[command];
}

/** Every command name help knows, for "did you mean". */
export const COMMAND_NAMES = [
  'validate',
  'plan',
  'plan explain',
  'plan schema',
  'rehearse',
  'serve',
  'token',
  'token create',
  'token list',
  'token revoke',
  'audit',
  'audit verify',
  'login',
  'logout',
  ...Object.keys(LAUNCH_TOPICS),
  'start',
  'help',
];
