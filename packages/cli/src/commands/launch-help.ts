/** Help texts of `threshold launch …` (merged into help.ts's topics). */

const CONNECTION = `Connection:
  --server URL   Threshold server (default: THRESHOLD_URL, else http://localhost:4600)
  --token TOKEN  API token (default: THRESHOLD_TOKEN)
  --json         Print the server's answer as JSON
  -h, --help     Show this help`;

const EXIT = `Exit codes:
  0  done
  1  the server refused (invalid plan, not allowed in this state, no such launch, no permission)
  2  usage error, a file could not be read, or the server could not be reached
  3  internal error: a bug in threshold (please report it)
`;

const LAUNCH = `Usage: threshold launch <start|list|status|pause|resume|rollback|promote|skip|amend|retry|approve|attest|report|review> ...

  threshold launch start PLAN [--environment E]    Upload a plan file and start a launch of it
  threshold launch list [--state S] [--plan P] [--owner O] [--environment E]
                                                   Every launch with where it stands
  threshold launch status ID                       Where a launch stands and why: state, health, each KPI, sign-offs
  threshold launch pause ID --reason R             Stop advancing (automatic rollback stays armed)
  threshold launch resume ID --reason R            Continue a paused launch
  threshold launch rollback ID --reason R          Traffic to 0%, for good
  threshold launch promote ID --reason R           Advance to the next phase now (within the sign-off policy)
  threshold launch skip ID --reason R              Skip the next phase (within the sign-off policy)
  threshold launch amend ID --version N --reason R Run a newer uploaded plan version (approvals reset by policy)
  threshold launch retry ID --reason R             Start a rolled-back launch again as a new attempt
  threshold launch approve ID --role R [--comment C] [--reject]
                                                   Sign off (or reject) as a role
  threshold launch attest PLAN --check C --note N [--link URL] [--expires TIME]
                                                   Attest a readiness check as its owner's role
  threshold launch report ID [--format md|html|json] [--out FILE]
                                                   The launch's report: plan, timeline, decisions, evidence, audit head
  threshold launch review ID --outcome TEXT [--materialized R1] [--follow-up WHAT@OWNER]
                                                   Record the review after the launch ended

Each talks to a Threshold server over HTTP and accepts --server, --token and --json.
Run 'threshold help launch <subcommand>' for details.
`;

const START = `Usage: threshold launch start PLAN [--environment E] [--server URL] [--token TOKEN] [--json]

Upload the plan file (YAML, or JSON when it ends in .json) as a new plan version
(identical text reuses the stored version) and start a launch of it at its first
phase. Prints the launch id and why its traffic is what it is. Needs an operator
token. An invalid plan prints every problem with its line and column. A start the
environment's promotion policy or time rules refuse names what is missing.

Options:
  --environment E  The environment to start in (default production)
${CONNECTION}

${EXIT}`;

const LIST = `Usage: threshold launch list [--state S] [--plan P] [--owner O] [--server URL] [--token TOKEN] [--json]

Every launch, newest first: id, plan version, where it stands (the same state
and health the dashboard and 'launch status' show), phase, share and the plan's
owner. Needs a viewer token.

Options:
  --state S      Only launches in these states (comma-separated or repeated): a
                 status (running, paused, rolled-back, completed) or where it
                 stands (waiting, waiting-for-signoff, asking, holding, baking,
                 no-exposures)
  --plan P       Only launches of plan P (its launch name)
  --owner O      Only launches whose plan's owner is O
  --environment E  Only launches in environment E
${CONNECTION}

${EXIT}`;

const STATUS = `Usage: threshold launch status ID [--server URL] [--token TOKEN] [--json]

Where a launch stands and why, as the dashboard says it: its state and health,
one sentence saying why (for an ended or paused launch, the decision that ended
or paused it), the phase and the next step, any warning (no exposures), units
per arm and the split check at the look that describes it, each KPI's verdict
with its estimate and interval against the margin, pending sign-offs, and what
became of each notification (delivered, queued, not sent, failed). Needs a
viewer token. Given a plan's name instead of a launch id, it names that plan's
launches.

${CONNECTION}

${EXIT}`;

const action = (
  name: string,
  what: string,
) => `Usage: threshold launch ${name} ID --reason R [--server URL] [--token TOKEN] [--json]

${what} The reason is required: it goes into the launch's log and the
audit log. Needs an operator token.

Options:
  --reason R     Why, in a sentence
${CONNECTION}

${EXIT}`;

const APPROVE = `Usage: threshold launch approve ID --role R [--comment C] [--reject] [--server URL] [--token TOKEN] [--json]

Approve (or, with --reject, reject) as a sign-off role. The token must hold
approver:<role>. The answer counts for the phase waiting for that role: the next
phase's sign-off, or the current phase when the launch asked the role after a
KPI breach. With nothing waiting for the role, the server refuses the answer
(NOTHING_PENDING) rather than record one that counts for nothing. A rejection
pauses the launch, quoting the comment.

Options:
  --role R       The sign-off role, e.g. product
  --comment C    Words for the record (quoted in a rejection's pause reason)
  --reject       Reject instead of approve
${CONNECTION}

${EXIT}`;

const ATTEST = `Usage: threshold launch attest PLAN --check C --note N [--link URL] [--expires TIME]
                             [--server URL] [--token TOKEN] [--json]

Attest a readiness check of a stored plan (its latest version) as the check's
owner: the caller must hold approver:<owner>. A blocking check lets a launch
start only while it has an attestation that has not expired; the plan's own
'evidence' text says where to look and does not count by itself. Prints the
checklist as it now stands: each check, its status and who attested it until
when.

Options:
  --check C       The check's text, exactly as in the plan's readiness list
  --note N        What shows the check is done (required)
  --link URL      Where the evidence lives (http or https)
  --expires TIME  Until when it holds, ISO-8601 (default a week; at most a year)
${CONNECTION}

${EXIT}`;

const REPORT = `Usage: threshold launch report ID [--format md|html|json] [--out FILE] [--server URL] [--token TOKEN]

The launch's report, as one record a person can hand on: the plan version and
its diff against the previous launch of the same plan, the timeline planned
against actual, every decision with its evidence (intervals against margins,
units, rule, risk and contingency), sign-offs, readiness evidence,
notifications with their delivery, operator actions with their reasons,
rehearsals, the final KPI matrix, the post-launch review against the risk
register, and the audit chain head it was built from with how to verify it.
The server builds one JSON model (GET /api/v1/launches/ID/report); Markdown and
HTML are laid out from it. The HTML is self-contained (inline SVG charts, no
script) and prints to a clean PDF. Needs a viewer token.

Options:
  --format F     md (default; or from --out's extension), html or json
  --out FILE     Write to FILE instead of printing
${CONNECTION}

${EXIT}`;

const REVIEW = `Usage: threshold launch review ID --outcome TEXT [--materialized R1,R2] [--follow-up WHAT@OWNER]... [--server URL] [--token TOKEN] [--json]

Record the post-launch review of a launch that has ended (completed or rolled
back): what happened, which risks of the plan's register materialized, and
the follow-ups with their owners. It goes into the launch's log and the audit
chain; the report compares it with the risk register. A later review amends
(the newest counts; every one stays in the record). Needs an operator token.

Options:
  --outcome TEXT       What happened, in a few sentences
  --materialized IDS   Risk ids of the plan that materialized (comma-separated or repeated)
  --follow-up W@O      A follow-up and its owner, e.g. 'Load-test ranking@search-team' (repeatable)
${CONNECTION}

${EXIT}`;

/** Help topics of the launch commands, keyed as `threshold help <topic>`. */
export const LAUNCH_TOPICS: Record<string, string> = {
  launch: LAUNCH,
  'launch start': START,
  'launch list': LIST,
  'launch status': STATUS,
  'launch pause': action(
    'pause',
    'Pause a running launch: it stops advancing until resumed, while automatic rollback stays armed.',
  ),
  'launch resume': action('resume', 'Resume a paused launch.'),
  'launch rollback': action(
    'rollback',
    'Roll a running or paused launch back: traffic goes to 0% and the launch ends.',
  ),
  'launch promote': action(
    'promote',
    'Advance a running launch to its next phase now (from the last phase: complete it), before its duration, sample or evidence are there. Never past a sign-off the plan requires, a blocking breach, a fault hold or an unanswered ask: the refusal names each.',
  ),
  'launch skip': action(
    'skip',
    'Skip the next phase: advance to the phase after it now. Never past a sign-off of either phase, a blocking breach, a fault hold or an unanswered ask: the refusal names each.',
  ),
  'launch amend': `Usage: threshold launch amend ID --version N --reason R [--server URL] [--token TOKEN] [--json]

Run a newer uploaded version of the launch's plan from now on, at the same phase.
The decision lists every changed value; with the new version's
signoff.reset_on_edit (the default) approvals of the old version stop counting.
The flag, unit, router and the current phase must stay. Needs an operator token.

Options:
  --version N    The plan version to run (upload it first)
  --reason R     Why, in a sentence
${CONNECTION}

${EXIT}`,
  'launch retry': action(
    'retry',
    'Start a rolled-back launch again: a new launch of the same plan version in the same environment, linked to the first (its lineage shows in launch status).',
  ),
  'launch approve': APPROVE,
  'launch attest': ATTEST,
  'launch report': REPORT,
  'launch review': REVIEW,
};

/** Lines of the overview (`threshold --help`). */
export const LAUNCH_OVERVIEW = `  threshold launch start PLAN            Upload a plan and start a launch (on a server)
  threshold launch list [--state S]      Every launch with where it stands (--plan P, --owner O)
  threshold launch status ID             Where a launch stands and why: state, health, KPIs, sign-offs
  threshold launch pause|resume|rollback|promote|skip|retry ID --reason R
                                         Act on a launch; the reason goes into the record
  threshold launch approve ID --role R   Sign off as a role (--reject, --comment C)
  threshold launch attest PLAN --check C --note N
                                         Attest a readiness check as its owner's role
  threshold launch report ID [--format md|html|json] [--out FILE]
                                         The launch's report, with the audit head to verify it
  threshold launch review ID --outcome T Record the review after a launch ended`;
