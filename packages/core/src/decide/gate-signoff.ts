/** The sign-off that gates entering a phase: rejections, deadlines, and the one request. */
import type { Phase } from '../plan/index.js';
import { countSignoff, formatCounts } from './count-signoff.js';
import type { SignoffCount } from './decision.js';
import { roughDuration } from './format.js';
import { PRE_START_PHASE } from './launch-state.js';
import { decision, emit, holding, taken } from './look-run.js';
import type { LookRun } from './look-run.js';

/**
 * Count the sign-off for entering `target`; pause on a rejection (once each),
 * expire late roles (then hold and notify, or roll back), release a deadline
 * hold once quorum is reached, and request the sign-off once when everything
 * else is `ready`. `ended` is true when the launch was rolled back.
 */
export function gateSignoff(
  run: LookRun,
  target: Phase,
  ready: boolean,
): { count: SignoffCount; ended: boolean } {
  const { plan, state, now } = run;
  const roles = target.signoff?.roles ?? [];
  const approvals = Array.isArray(run.evidence?.approvals) ? run.evidence.approvals : [];
  const count = countSignoff(plan, state, approvals, target.name, roles, -Infinity, now);
  const here = state.phase;

  for (const role of count.roles)
    for (const rej of role.rejections) {
      const key = `${here}:signoff-rejected:${target.name}:${role.role}:${rej.actor}:${rej.at}`;
      if (run.status !== 'running' || taken(run, key)) continue;
      emit(
        run,
        decision(
          run,
          'signoff-rejected',
          `${rej.actor} (${role.role}) rejected the sign-off for ${target.name}: "${rej.comment ?? 'no comment'}"; pausing`,
          { signoff: count },
          {
            type: 'pause',
            key,
          },
        ),
      );
    }

  let requested = false;
  const expired: string[] = [];
  for (const req of state.signoffRequests) {
    if (req.phase !== target.name) continue;
    requested = true;
    if (req.expired || req.deadlineAt === null || now < req.deadlineAt) continue;
    const rc = count.roles.find((r) => r.role === req.role);
    if (rc !== undefined && rc.approvers.length >= rc.quorum && rc.rejections.length === 0)
      continue;
    const then = plan.signoff?.on_deadline ?? 'hold';
    const key = `${here}:signoff-deadline:${target.name}:${req.role}:expired`;
    if (taken(run, key)) continue;
    emit(
      run,
      decision(
        run,
        'signoff-deadline',
        `the sign-off of ${req.role} for ${target.name} passed its deadline without quorum (${formatCounts(count)}): ${then === 'hold' ? 'holding' : 'rolling back'}`,
        { signoff: count },
        {
          type: 'signoff-expired',
          key,
          forPhase: target.name,
          role: req.role,
          then,
        },
      ),
    );
    expired.push(req.role);
  }

  if (expired.length > 0) {
    if ((plan.signoff?.on_deadline ?? 'hold') === 'rollback') {
      emit(
        run,
        decision(
          run,
          'signoff-deadline',
          `no sign-off from ${expired.join(', ')} for ${target.name} by the deadline: rolling back to 0%`,
          { signoff: count },
          {
            type: 'rollback',
            traffic: 0,
          },
        ),
      );
      return { count, ended: true };
    }
    const id = `signoff-deadline:${target.name}`;
    const reason = `no sign-off from ${expired.join(', ')} for ${target.name} by the deadline (${formatCounts(count)})`;
    if (!holding(run, id))
      emit(
        run,
        decision(
          run,
          'signoff-deadline',
          `${reason}: holding`,
          { signoff: count },
          {
            type: 'hold',
            hold: id,
            forPhase: target.name,
          },
        ),
      );
    for (const to of [plan.owner, ...expired]) {
      const key = `${here}:signoff-deadline:${target.name}:${to}`;
      if (taken(run, key)) continue;
      emit(
        run,
        decision(
          run,
          'signoff-deadline',
          `${reason}: notifying ${to}`,
          { signoff: count },
          {
            type: 'notify',
            key,
            to,
          },
        ),
      );
    }
  }

  const deadlineHold = `signoff-deadline:${target.name}`;
  if (count.met && holding(run, deadlineHold))
    emit(
      run,
      decision(
        run,
        'signoff-quorum',
        `the sign-off for ${target.name} reached quorum (${formatCounts(count)}): releasing the hold`,
        { signoff: count },
        {
          type: 'release-hold',
          hold: deadlineHold,
        },
      ),
    );

  const key = `${here}:signoff-quorum:${target.name}:request`;
  if (ready && !count.met && !requested && run.status === 'running' && !taken(run, key)) {
    const policy = plan.signoff;
    const asked = count.roles.map((r) => {
      const d =
        target.signoff?.deadline ?? policy?.roles[r.role]?.deadline ?? policy?.deadline ?? null;
      return { role: r.role, quorum: r.quorum, deadlineAt: d === null ? null : now + d };
    });
    const first = asked.find((a) => a.deadlineAt !== null);
    const by =
      first === undefined || first.deadlineAt === null
        ? ''
        : ` within ${roughDuration(first.deadlineAt - now)}`;
    emit(
      run,
      decision(
        run,
        'signoff-quorum',
        `${here === PRE_START_PHASE ? 'ready to start' : `${here} is ready`}: ${target.name} needs the sign-off of ${roles.join(', ')} (${formatCounts(count)})${by}`,
        { signoff: count },
        {
          type: 'request-signoff',
          key,
          forPhase: target.name,
          roles: asked,
        },
      ),
    );
    for (const r of count.roles) {
      if (r.approvers.length >= r.quorum && r.rejections.length === 0) continue;
      const nkey = `${here}:signoff-quorum:${target.name}:${r.role}`;
      if (taken(run, nkey)) continue;
      emit(
        run,
        decision(
          run,
          'signoff-quorum',
          `${target.name} needs ${r.quorum - r.approvers.length} more approval${r.quorum - r.approvers.length === 1 ? '' : 's'} from ${r.role}${by}`,
          { signoff: count },
          {
            type: 'notify',
            key: nkey,
            to: r.role,
          },
        ),
      );
    }
  }
  return { count, ended: false };
}
